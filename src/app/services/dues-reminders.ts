// Dues reminders (relances): the rules decide who gets which step; this writes one ledger row and one
// outbox row per reminder in ONE transaction. The ledger's unique (member, year, step) makes a second
// run the same day — or a second replica — a no-op.
import type { AppContext } from "../context.ts";
import type { Tx } from "../../db/client.ts";
import { remindersDue, yearOf, formatEuros, type ReminderToSend } from "../../rules/index.ts";
import { professionLabel } from "../../rules/professions.ts";
import { loadReminderInputs, insertLedgerRows, writeAudit, type ReminderCountMember, type ReminderInputs } from "../../db/repos/dues-repo.ts";
import { renderMail, TemplateError } from "../../mail/template.ts";
import { relanceTemplate } from "../../../templates/mail/relance.ts";
import { relanceWordingKey } from "../../../templates/mail/wordings.ts";
import { wordingsOf } from "../../db/repos/mail-wording-repo.ts";
import { unsubscribeUrl, listUnsubscribeHeaders } from "../../mail/links.ts";
import { enqueueMessages, inTransaction, type OutboxDraft } from "./outbox.ts";

export interface ReminderPreviewMember {
  id: string;
  name: string;
  email: string | null;
  profession: string | null;
  step: number;
}

export interface ReminderSkip {
  id: string;
  name: string;
  step: number;
  reason: "sans_email" | "email_invalide" | "desabonne";
}

export interface ReminderPreview {
  year: number;
  /** The latest step the policy makes due at `at` (0 = none yet). */
  steps: { memberId: string; step: number }[];
  count: number;
  byProfession: { profession: string | null; label: string; count: number }[];
  members: ReminderPreviewMember[];
  skipped: ReminderSkip[];
  policyEnabled: boolean;
}

type Planned<M> = ReminderToSend & { member: M };

/** The reminders due at `at`, and those due that cannot go by mail (with why). */
function plan<M extends ReminderCountMember>(inputs: ReminderInputs<M>, at: string): { due: Planned<M>[]; skipped: (Planned<M> & { reason: ReminderSkip["reason"] })[] } {
  if (!inputs.policy || !inputs.policy.enabled || inputs.policy.offsetsDays.length === 0) return { due: [], skipped: [] };
  const byId = new Map(inputs.members.map((m) => [m.id, m]));
  const list = remindersDue(inputs.policy, inputs.members, inputs.payments, inputs.sent, at);
  const due: Planned<M>[] = [];
  const skipped: (Planned<M> & { reason: ReminderSkip["reason"] })[] = [];
  for (const r of list) {
    const member = byId.get(r.memberId)!;
    const reason = !member.hasEmail ? "sans_email" : member.emailInvalid ? "email_invalide" : !member.prefDuesReminders ? "desabonne" : null;
    if (reason) skipped.push({ ...r, member, reason });
    else due.push({ ...r, member });
  }
  return { due, skipped };
}

export type ReminderCounts = Pick<ReminderPreview, "year" | "count" | "byProfession" | "policyEnabled"> & {
  /** How many due a reminder cannot receive it by mail (no address, refused address, unsubscribed). */
  skipped: number;
};

function byProfession(due: readonly { member: ReminderCountMember }[]): ReminderPreview["byProfession"] {
  const counts = new Map<string | null, number>();
  for (const d of due) counts.set(d.member.profession, (counts.get(d.member.profession) ?? 0) + 1);
  return [...counts.entries()]
    .map(([profession, count]) => ({ profession, label: professionLabel(profession), count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, "fr"));
}

/** Who would be reminded at `at` (nothing written). */
export async function previewReminders(ctx: AppContext, cptsId: string, at: string): Promise<ReminderPreview> {
  const year = yearOf(at);
  const inputs = await loadReminderInputs(ctx.db, cptsId, year);
  if (!inputs) throw new Error(`CPTS inconnue : ${cptsId}`);
  const { due, skipped } = plan(inputs, at);
  return {
    year,
    steps: due.map((d) => ({ memberId: d.memberId, step: d.step })),
    count: due.length,
    byProfession: byProfession(due),
    members: due.map((d) => ({ id: d.member.id, name: d.member.name, email: d.member.email, profession: d.member.profession, step: d.step })),
    skipped: skipped.map((s) => ({ id: s.member.id, name: s.member.name, step: s.step, reason: s.reason })),
    policyEnabled: inputs.policy?.enabled ?? false,
  };
}

/** The preview's figures only (the chat command's first answer, a dry run): names and addresses are not read. */
export async function countReminders(ctx: AppContext, cptsId: string, at: string): Promise<ReminderCounts> {
  const year = yearOf(at);
  const inputs = await loadReminderInputs(ctx.db, cptsId, year, { contacts: false });
  if (!inputs) throw new Error(`CPTS inconnue : ${cptsId}`);
  const { due, skipped } = plan(inputs, at);
  return { year, count: due.length, byProfession: byProfession(due), skipped: skipped.length, policyEnabled: inputs.policy?.enabled ?? false };
}

export interface EnqueueRemindersResult {
  year: number;
  enqueued: number;
  /** Members due a reminder who cannot receive it (no address, refused address, unsubscribed). */
  skipped: number;
  /** Messages stopped because their template could not be rendered (logged with the reason). */
  errors: { memberId: string; message: string }[];
}

/** Records and enqueues the reminders due at `at`. Idempotent: a second call the same day enqueues nothing. */
export async function enqueueReminders(
  ctx: AppContext,
  cptsId: string,
  at: string,
  opts: { trigger: "job" | "chat" | "admin"; actor: string },
): Promise<EnqueueRemindersResult> {
  const year = yearOf(at);
  const result = await inTransaction(ctx.db, async (tx: Tx) => {
    const inputs = await loadReminderInputs(tx, cptsId, year);
    if (!inputs) throw new Error(`CPTS inconnue : ${cptsId}`);
    const { due, skipped } = plan(inputs, at);
    const drafts: OutboxDraft[] = [];
    const ledger: { cptsId: string; memberId: string; year: number; step: number; trigger: string }[] = [];
    const errors: { memberId: string; message: string }[] = [];
    const maxCount = inputs.policy?.maxCount ?? inputs.policy?.offsetsDays.length ?? 1;
    const wordings = due.length ? await wordingsOf(tx, cptsId) : new Map();
    for (const d of due) {
      const m = d.member;
      const rate = m.category ? inputs.ratesCents[m.category] : undefined;
      try {
        const mail = renderMail(relanceTemplate, {
          cptsName: inputs.cpts.name,
          memberName: m.name,
          year,
          step: d.step,
          maxCount: Math.max(maxCount, d.step),
          amount: rate ? formatEuros(rate) : undefined,
          paid: d.paidCents !== undefined ? formatEuros(d.paidCents) : undefined,
          balance: d.balanceCents !== undefined ? formatEuros(d.balanceCents) : undefined,
          unpaidExcludedFromIndemnities: inputs.unpaidDuesExcluded,
          paymentLink: inputs.cpts.paymentLink ?? undefined,
          paymentInstructions: inputs.cpts.paymentInstructions ?? undefined,
          preferencesUrl: unsubscribeUrl(ctx.config, m.unsubscribeToken, "relances"),
          wording: wordings.get(relanceWordingKey(d.step, Math.max(maxCount, d.step))),
        });
        drafts.push({
          cptsId,
          idempotencyKey: `relance:${m.id}:${year}:${d.step}`,
          channel: "MAIL",
          kind: "relance",
          recipient: m.email!,
          memberId: m.id,
          subject: mail.subject,
          bodyText: mail.text,
          bodyHtml: mail.html,
          headers: listUnsubscribeHeaders(ctx.config, m.unsubscribeToken, "relances"),
          refType: "relance",
          refId: `${year}:${d.step}`,
        });
        ledger.push({ cptsId, memberId: m.id, year, step: d.step, trigger: opts.trigger });
      } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        errors.push({ memberId: m.id, message: e.message });
      }
    }
    await insertLedgerRows(tx, ledger);
    const enqueued = await enqueueMessages(tx, drafts);
    if (enqueued > 0) {
      await writeAudit(tx, { cptsId, actor: opts.actor, action: "dues.reminders", details: { at, year, enqueued, trigger: opts.trigger } });
    }
    return { year, enqueued, skipped: skipped.length, errors };
  });
  for (const e of result.errors) ctx.log.error("relance non rendue", { cptsId, memberId: e.memberId, error: e.message });
  return result;
}
