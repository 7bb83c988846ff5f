// Deadlines of a CPTS: computed by the rules from the DB facts, with the done marks users set.
// The alert side (who is told what, when) lives here too so the job stays a thin wrapper.
import type { AppContext } from "../context.ts";
import { deadlines as computeDeadlines, formatDateFr, DEADLINE_KIND_LABELS, type Deadline } from "../../rules/index.ts";
import { alertsDue } from "../../rules/deadline-alerts.ts";
import { loadRulesInputs } from "../../db/repos/cpts-rules-repo.ts";
import { markDone, unmarkDone, alertAudience, alertsSent, recordAlerts } from "../../db/repos/deadline-repo.ts";
import { writeAudit } from "../../db/repos/dues-repo.ts";
import { renderMail, TemplateError } from "../../mail/template.ts";
import { alerteEcheanceTemplate, alerteEcheanceChatText } from "../../../templates/mail/alerte-echeance.ts";
import { unsubscribeUrl } from "../../mail/links.ts";
import { publicUrl } from "../../config.ts";
import { chatRecipient } from "../chat-notifier.ts";
import { wordingFor } from "../../db/repos/mail-wording-repo.ts";
import { enqueueMessages, inTransaction, type OutboxDraft } from "./outbox.ts";
import { excerpt, UserError } from "../errors.ts";

export const OWNER_ROLE_LABELS: Record<Deadline["ownerRole"], string> = {
  coordonnateur: "coordination",
  bureau: "bureau",
  tresorier: "trésorerie",
  secretaire: "secrétariat",
  president: "présidence",
};

/** Every deadline of the CPTS at `at`, with its state (done marks from the database included). */
export async function listDeadlines(ctx: AppContext, cptsId: string, at: string): Promise<Deadline[]> {
  const inputs = await loadRulesInputs(ctx.db, cptsId, { funding: false });
  if (!inputs) throw new UserError("CPTS introuvable.");
  return computeDeadlines(inputs.deadlines, at, inputs.settings);
}

/** Marks a deadline done (alerts stop). Unknown keys are refused with the list's wording. */
export async function markDeadlineDone(ctx: AppContext, cptsId: string, key: string, actor: string, note?: string): Promise<Deadline> {
  const today = ctx.clock.today();
  const list = await listDeadlines(ctx, cptsId, today);
  const found = list.find((d) => d.key === key);
  if (!found) throw new UserError(`Échéance inconnue : « ${excerpt(key)} ». Affichez la liste des échéances pour choisir la bonne.`, "key");
  await markDone(ctx.db, cptsId, key, today, actor, note);
  await writeAudit(ctx.db, { cptsId, actor, action: "deadline.done", target: key });
  return { ...found, state: "fait" };
}

export async function unmarkDeadlineDone(ctx: AppContext, cptsId: string, key: string, actor: string): Promise<void> {
  await unmarkDone(ctx.db, cptsId, key);
  await writeAudit(ctx.db, { cptsId, actor, action: "deadline.undone", target: key });
}

export interface DeadlineAlertsResult {
  alerts: number;
  mails: number;
  chat: number;
  errors: string[];
}

function levelOf(daysLeft: number): "rappel" | "jour_j" | "retard" {
  return daysLeft < 0 ? "retard" : daysLeft === 0 ? "jour_j" : "rappel";
}

/**
 * Sends the alerts owed on `at` (each lead time, then every N days when late) to the coordinator and
 * bureau by mail — and, once late, to the CA too (escalation) — and to the CPTS's alert channel.
 * Like the dues ledger, the owed alert is the latest slot on or before `at` not yet recorded (rules
 * `alertsDue`): a day the scheduler missed, or a run that failed, is caught up by the next run. One
 * DeadlineAlert row per (key, slot) and idempotency keys per slot make a re-run a no-op.
 */
export async function sendDeadlineAlerts(ctx: AppContext, cptsId: string, at: string, opts: { dryRun?: boolean } = {}): Promise<DeadlineAlertsResult> {
  const inputs = await loadRulesInputs(ctx.db, cptsId, { funding: false });
  if (!inputs) throw new UserError("CPTS introuvable.");
  const list = computeDeadlines(inputs.deadlines, at, inputs.settings).filter((d) => d.state !== "fait");
  if (list.length === 0) return { alerts: 0, mails: 0, chat: 0, errors: [] };
  return inTransaction(ctx.db, async (tx) => {
    const sent = await alertsSent(tx, cptsId, list.map((d) => d.key));
    const fresh = alertsDue(list, sent, at, inputs.settings);
    if (fresh.length === 0) return { alerts: 0, mails: 0, chat: 0, errors: [] };
    const audience = (await alertAudience(tx, cptsId))!;
    const drafts: OutboxDraft[] = [];
    const errors: string[] = [];
    const wording = (await wordingFor(tx, cptsId, "alerte-echeance")) ?? undefined;
    for (const { deadline, daysLeft, alertOn, escalated } of fresh) {
      const vars = {
        cptsName: audience.cpts.name,
        label: deadline.label,
        kindLabel: DEADLINE_KIND_LABELS[deadline.kind],
        dueDate: formatDateFr(deadline.dueDate),
        daysLeft,
        ownerLabel: OWNER_ROLE_LABELS[deadline.ownerRole],
        adminUrl: `${publicUrl(ctx.config)}/admin/echeances`,
      };
      const targets = audience.recipients.filter((r) => r.board !== "ca" || escalated);
      try {
        for (const r of targets) {
          const mail = renderMail(alerteEcheanceTemplate, { ...vars, wording, preferencesUrl: unsubscribeUrl(ctx.config, r.unsubscribeToken, "alertes") });
          drafts.push({
            cptsId, idempotencyKey: `alerte:${cptsId}:${deadline.key}:${alertOn}:${r.id}`, channel: "MAIL", kind: "alerte",
            recipient: r.email, memberId: r.id, subject: mail.subject, bodyText: mail.text, bodyHtml: mail.html,
            refType: "deadline", refId: deadline.key,
          });
        }
        const text = alerteEcheanceChatText(vars);
        for (const c of audience.channels) {
          drafts.push({
            cptsId, idempotencyKey: `alerte:${cptsId}:${deadline.key}:${alertOn}:chat:${c.platform}:${c.workspace}`, channel: "CHAT", kind: "alerte",
            recipient: chatRecipient(c.platform, c.workspace, c.channel), bodyText: text, refType: "deadline", refId: deadline.key,
          });
        }
      } catch (e) {
        if (!(e instanceof TemplateError)) throw e;
        errors.push(`${deadline.key} : ${e.message}`);
      }
    }
    const result = { alerts: fresh.length, mails: drafts.filter((d) => d.channel === "MAIL").length, chat: drafts.filter((d) => d.channel === "CHAT").length, errors };
    if (opts.dryRun) return result;
    await recordAlerts(tx, fresh.map((a) => ({ cptsId, key: a.deadline.key, alertOn: a.alertOn, level: levelOf(a.daysLeft) })));
    await enqueueMessages(tx, drafts);
    return result;
  });
}
