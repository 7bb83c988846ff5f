// Newsletters: audience, draft, schedule, send (one outbox row per recipient, in the same transaction as
// the state change), test send, preview and delivery stats. Periodic reminder when one is overdue.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { AppContext } from "../context.ts";
import { formatDateFr, parisToday } from "../../rules/index.ts";
import { newsletterDueOn, newsletterOverdue, NEWSLETTER_CADENCE_LABELS } from "../../rules/newsletter-cadence.ts";
import {
  audienceMembers, getNewsletter, createNewsletterRow, setSchedule, takeForSending, markNewsletterSent,
  dueScheduled, listNewsletters, lastSentAt, cptsForNewsletters, type NewsletterAudience,
} from "../../db/repos/newsletter-repo.ts";
import { OutboxRepository } from "../../db/repos/outbox-repo.ts";
import { memberDisplayName, writeAudit } from "../../db/repos/dues-repo.ts";
import { renderMail, type RenderedMail } from "../../mail/template.ts";
import { newsletterTemplate } from "../../../templates/mail/newsletter.ts";
import { rappelLettreTemplate } from "../../../templates/mail/rappel-lettre.ts";
import { listUnsubscribeHeaders, unsubscribeUrl } from "../../mail/links.ts";
import { enqueueMessages, inTransaction, type OutboxDraft } from "./outbox.ts";
import { UserError, zodIssuesFr } from "../errors.ts";

export const AUDIENCE_LABELS: Record<NewsletterAudience, string> = {
  ADHERENTS: "tous les adhérents",
  PROFESSIONS: "certaines professions",
  TERRITOIRE: "tous les professionnels du territoire (adhérents ou non)",
  FEDERATION: "les CPTS de l'inter-CPTS",
};

export interface AudienceRecipient {
  memberId: string;
  email: string;
  name: string;
  profession: string | null;
  unsubscribeToken: string;
}

export interface Audience {
  recipients: AudienceRecipient[];
  count: number;
  excluded: { unsubscribed: number; invalidEmail: number };
}

export async function resolveAudience(ctx: AppContext, cptsId: string, spec: { audience: NewsletterAudience; professions?: string[] }): Promise<Audience> {
  if (spec.audience === "PROFESSIONS" && !spec.professions?.length) throw new UserError("Choisissez au moins une profession pour cette audience.", "professions");
  const members = await audienceMembers(ctx.db, cptsId, spec.audience, spec.professions ?? []);
  const seen = new Set<string>();
  const recipients: AudienceRecipient[] = [];
  let unsubscribed = 0;
  let invalidEmail = 0;
  for (const m of members) {
    const email = m.email!.trim().toLowerCase();
    if (!m.prefNewsletter) unsubscribed++;
    else if (m.emailInvalid) invalidEmail++;
    else if (!seen.has(email)) {
      seen.add(email);
      recipients.push({ memberId: m.id, email: m.email!, name: memberDisplayName(m), profession: m.profession, unsubscribeToken: m.unsubscribeToken });
    }
  }
  return { recipients, count: recipients.length, excluded: { unsubscribed, invalidEmail } };
}

const createSchema = z.object({
  cptsId: z.string().min(1),
  subject: z.string().trim().min(3, "l'objet doit faire au moins 3 caractères").max(200, "l'objet doit faire au plus 200 caractères"),
  body: z.string().trim().min(10, "le texte doit faire au moins 10 caractères").max(100_000),
  audience: z.enum(["ADHERENTS", "PROFESSIONS", "TERRITOIRE", "FEDERATION"]).default("ADHERENTS"),
  professions: z.array(z.string().min(1)).default([]),
  createdBy: z.string().optional(),
});

export async function createNewsletter(ctx: AppContext, input: z.input<typeof createSchema>) {
  const parsed = createSchema.safeParse(input);
  if (!parsed.success) throw new UserError(`Lettre d'information invalide : ${zodIssuesFr(parsed.error.issues)}.`);
  const v = parsed.data;
  if (v.audience === "PROFESSIONS" && v.professions.length === 0) throw new UserError("Choisissez au moins une profession pour cette audience.", "professions");
  return createNewsletterRow(ctx.db, { cptsId: v.cptsId, subject: v.subject, body: v.body, audience: v.audience, professions: v.professions.join(","), createdBy: v.createdBy ?? null });
}

/** The newsletter `id` of CPTS `cptsId`; one of another CPTS is "introuvable" (never read, changed or sent). */
async function mustGet(ctx: AppContext, cptsId: string, id: string) {
  const n = await getNewsletter(ctx.db, cptsId, id);
  if (!n) throw new UserError("Lettre d'information introuvable.");
  return n;
}

/** Schedules the newsletter for `at` (the newsletter-sends job sends it then); null unschedules. */
export async function scheduleNewsletter(ctx: AppContext, cptsId: string, id: string, at: Date | null) {
  const n = await mustGet(ctx, cptsId, id);
  if (at && at.getTime() < ctx.clock.now().getTime() - 60_000) throw new UserError("La date d'envoi est passée : choisissez une date à venir ou envoyez maintenant.", "at");
  if ((await setSchedule(ctx.db, cptsId, id, at)) !== 1) throw new UserError(`Cette lettre ne peut plus être programmée (état : ${n.state.toLowerCase()}).`);
  return { id, scheduledAt: at };
}

function renderFor(ctx: AppContext, n: { subject: string; body: string; cpts: { name: string } }, token: string | undefined, test = false): RenderedMail {
  return renderMail(newsletterTemplate, {
    cptsName: n.cpts.name,
    subject: n.subject,
    body: n.body,
    unsubscribeUrl: token ? unsubscribeUrl(ctx.config, token, "newsletter") : undefined,
    test,
  });
}

/** Sends now: one outbox row per recipient, written with the state change in one transaction; a second call is refused. */
export async function sendNewsletterNow(ctx: AppContext, cptsId: string, id: string, actor: string): Promise<{ recipients: number; enqueued: number }> {
  const n = await mustGet(ctx, cptsId, id);
  const audience = await resolveAudience(ctx, n.cptsId, { audience: n.audience, professions: n.professions ? n.professions.split(",") : [] });
  renderFor(ctx, n, undefined); // a template error stops here, before anything is written
  const now = ctx.clock.now();
  const enqueued = await inTransaction(ctx.db, async (tx) => {
    if (!(await takeForSending(tx, cptsId, id))) throw new UserError("Cette lettre d'information a déjà été envoyée (ou est en cours d'envoi).");
    const drafts: OutboxDraft[] = audience.recipients.map((r) => {
      const mail = renderFor(ctx, n, r.unsubscribeToken);
      return {
        cptsId: n.cptsId, idempotencyKey: `newsletter:${id}:${r.memberId}`, channel: "MAIL", kind: "newsletter",
        recipient: r.email, memberId: r.memberId, subject: mail.subject, bodyText: mail.text, bodyHtml: mail.html,
        headers: listUnsubscribeHeaders(ctx.config, r.unsubscribeToken, "newsletter"), refType: "newsletter", refId: id,
      };
    });
    const count = await enqueueMessages(tx, drafts);
    await markNewsletterSent(tx, cptsId, id, now, audience.count);
    return count;
  });
  await writeAudit(ctx.db, { cptsId: n.cptsId, actor, action: "newsletter.send", target: id, details: { recipients: audience.count } });
  return { recipients: audience.count, enqueued };
}

/** Sends one copy marked [TEST] to `toEmail` (any address); the newsletter stays a draft. */
export async function testSend(ctx: AppContext, cptsId: string, id: string, toEmail: string): Promise<{ enqueued: number }> {
  if (!z.email().safeParse(toEmail).success) throw new UserError(`Adresse de test invalide : « ${toEmail} ».`, "email");
  const n = await mustGet(ctx, cptsId, id);
  const mail = renderFor(ctx, n, undefined, true);
  const enqueued = await inTransaction(ctx.db, (tx) =>
    enqueueMessages(tx, [
      { cptsId: n.cptsId, idempotencyKey: `newsletter-test:${id}:${randomUUID()}`, channel: "MAIL", kind: "newsletter_test", recipient: toEmail, subject: mail.subject, bodyText: mail.text, bodyHtml: mail.html, refType: "newsletter_test", refId: id },
    ]),
  );
  return { enqueued };
}

export async function renderNewsletterPreview(ctx: AppContext, cptsId: string, id: string): Promise<RenderedMail & { audience: string; recipients: number }> {
  const n = await mustGet(ctx, cptsId, id);
  const audience = await resolveAudience(ctx, n.cptsId, { audience: n.audience, professions: n.professions ? n.professions.split(",") : [] });
  return { ...renderFor(ctx, n, "apercu"), audience: AUDIENCE_LABELS[n.audience], recipients: audience.count };
}

export async function newsletterStats(ctx: AppContext, cptsId: string, page?: { skip: number; take: number }) {
  const list = await listNewsletters(ctx.db, cptsId, page);
  const counts = await new OutboxRepository(ctx.db).countByRef("newsletter", list.map((n) => n.id));
  const cpts = await ctx.db.cpts.findUnique({ where: { id: cptsId }, select: { newsletterCadence: true, createdAt: true } });
  const last = await lastSentAt(ctx.db, cptsId);
  const cadence = cpts?.newsletterCadence ?? "AUCUNE";
  const nextDue = cpts ? newsletterDueOn(cadence, last ? parisToday(last) : null, parisToday(cpts.createdAt)) : null;
  return {
    cadence,
    lastSentOn: last ? parisToday(last) : null,
    nextDueOn: nextDue,
    overdue: newsletterOverdue(nextDue, ctx.clock.today()),
    newsletters: list.map((n) => {
      const of = counts.filter((c) => c.refId === n.id);
      const by = (s: string) => of.filter((c) => c.state === s).reduce((a, c) => a + c.count, 0);
      return {
        id: n.id, subject: n.subject, state: n.state, audience: n.audience, scheduledAt: n.scheduledAt, sentAt: n.sentAt,
        recipients: n.recipientCount ?? 0, sent: by("ENVOYE"), captured: by("CAPTURE"), failed: by("ECHEC"),
        pending: by("EN_ATTENTE") + by("EN_COURS") + by("ECHEC_TEMPORAIRE"),
      };
    }),
  };
}

/** Job side: sends the scheduled newsletters that are due, and nudges coordinators of overdue periodic ones. */
export async function runNewsletterSends(ctx: AppContext, opts: { dryRun?: boolean; cptsId?: string } = {}) {
  const now = ctx.clock.now();
  const today = ctx.clock.today();
  let sent = 0;
  let recipients = 0;
  let nudges = 0;
  const errors: string[] = [];
  for (const n of await dueScheduled(ctx.db, now)) {
    if (opts.cptsId && n.cptsId !== opts.cptsId) continue;
    if (opts.dryRun) {
      sent++;
      continue;
    }
    try {
      const r = await sendNewsletterNow(ctx, n.cptsId, n.id, "job:newsletter-sends");
      sent++;
      recipients += r.recipients;
    } catch (e) {
      errors.push(`${n.id} : ${(e as Error).message}`);
    }
  }
  for (const c of await cptsForNewsletters(ctx.db)) {
    if (opts.cptsId && c.id !== opts.cptsId) continue;
    const last = await lastSentAt(ctx.db, c.id);
    const dueOn = newsletterDueOn(c.newsletterCadence, last ? parisToday(last) : null, parisToday(c.createdAt));
    if (dueOn === null || !newsletterOverdue(dueOn, today)) continue;
    const coordinators = await new OutboxRepository(ctx.db).coordinatorEmails(c.id);
    const mail = renderMail(rappelLettreTemplate, {
      cptsName: c.name, cadenceLabel: NEWSLETTER_CADENCE_LABELS[c.newsletterCadence], lastSentOn: last ? formatDateFr(parisToday(last)) : undefined, dueDate: formatDateFr(dueOn),
    });
    const drafts: OutboxDraft[] = coordinators.map((co) => ({
      cptsId: c.id, idempotencyKey: `rappel-lettre:${c.id}:${dueOn}:${co.id}`, channel: "MAIL", kind: "rappel_lettre",
      recipient: co.email, memberId: co.id, subject: mail.subject, bodyText: mail.text, bodyHtml: mail.html,
    }));
    if (opts.dryRun) nudges += drafts.length;
    else nudges += await inTransaction(ctx.db, (tx) => enqueueMessages(tx, drafts));
  }
  return { sent, recipients, nudges, errors };
}
