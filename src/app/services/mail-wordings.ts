// « Modèles de messages »: a CPTS's wording of a mail previewed with one of its real members, sent as a
// test to the coordinator through the outbox (recorded, never twice the same), saved as a new version.
import { createHash } from "node:crypto";
import type { AppContext } from "../context.ts";
import { publicUrl } from "../../config.ts";
import { renderMail, type RenderedMail } from "../../mail/template.ts";
import { checkWording, type MailWordingText } from "../../mail/wording.ts";
import { alerteCriseTemplate, alerteEcheanceTemplate, planCriseRevueTemplate, relanceTemplate } from "../../../templates/mail/index.ts";
import { WORDINGS, type WordingKey } from "../../../templates/mail/wordings.ts";
import { addDays, formatDateFr, formatEuros, yearOf } from "../../rules/index.ts";
import { writeAudit } from "../../db/repos/admin-repo.ts";
import { enqueueMessages, inTransaction } from "./outbox.ts";
import { displayName } from "./members.ts";

export interface PreviewMember {
  id: string;
  name: string;
}

/** Members offered for the preview (active ones, by name; the first is the default). */
export async function previewMembers(ctx: AppContext, cptsId: string): Promise<PreviewMember[]> {
  const rows = await ctx.db.member.findMany({
    where: { cptsId, status: "ACTIF" },
    orderBy: [{ lastName: "asc" }, { organization: "asc" }, { id: "asc" }],
    take: 100,
    select: { id: true, firstName: true, lastName: true, organization: true, email: true },
  });
  return rows.map((m) => ({ id: m.id, name: displayName(m) }));
}

/** The French errors of a wording of `key`, by field. */
export const wordingErrors = (key: WordingKey, w: MailWordingText) => checkWording(w, Object.keys(WORDINGS[key].variables));

/**
 * The mail as `memberId` (a member of this CPTS; another CPTS's id is ignored) would receive it with
 * this wording (null: coordo's default). The deadline and crisis figures are examples.
 */
export async function previewWording(ctx: AppContext, cptsId: string, key: WordingKey, wording: MailWordingText | null, memberId?: string): Promise<{ member: PreviewMember | null; mail: RenderedMail }> {
  const cpts = await ctx.db.cpts.findUniqueOrThrow({ where: { id: cptsId }, select: { name: true, paymentLink: true, paymentInstructions: true } });
  const pick = { id: true, firstName: true, lastName: true, organization: true, email: true, category: true } as const;
  const member =
    (memberId ? await ctx.db.member.findFirst({ where: { id: memberId, cptsId }, select: pick }) : null) ??
    (await ctx.db.member.findFirst({ where: { cptsId, status: "ACTIF" }, orderBy: [{ lastName: "asc" }, { organization: "asc" }, { id: "asc" }], select: pick }));
  const name = member ? displayName(member) : "Camille Exemple";
  const today = ctx.clock.today();
  const year = yearOf(today);
  const w = wording ?? undefined;
  const base = publicUrl(ctx.config);
  let mail: RenderedMail;
  if (key.startsWith("relance-")) {
    const rate = member?.category ? await ctx.db.duesRate.findFirst({ where: { cptsId, year, category: member.category }, select: { amountCents: true } }) : null;
    const step = key === "relance-premiere" ? 1 : key === "relance-suivante" ? 2 : 3;
    mail = renderMail(relanceTemplate, {
      cptsName: cpts.name, memberName: name, year, step, maxCount: 3, amount: rate ? formatEuros(rate.amountCents) : undefined,
      paymentLink: cpts.paymentLink ?? undefined, paymentInstructions: cpts.paymentInstructions ?? undefined, wording: w,
    });
  } else if (key === "alerte-echeance") {
    mail = renderMail(alerteEcheanceTemplate, {
      cptsName: cpts.name, label: "Rapport d'activité annuel à la CPAM", kindLabel: "Contrat ACI", dueDate: formatDateFr(addDays(today, 5)), daysLeft: 5,
      ownerLabel: "Coordinateur·rice", adminUrl: `${base}/admin/echeances`, wording: w,
    });
  } else if (key === "plan-crise-revue") {
    mail = renderMail(planCriseRevueTemplate, {
      cptsName: cpts.name, ownerName: name, sectionTitle: "Anticiper : ressources identifiées", dueDate: formatDateFr(addDays(today, 30)), daysLeft: 30, wording: w,
    });
  } else {
    mail = renderMail(alerteCriseTemplate, {
      cptsName: cpts.name, firstName: member?.firstName ?? undefined, situation: "Afflux massif de blessés", activatedOn: formatDateFr(today), exercise: false,
      availableUrl: `${base}/crise/reponse/apercu?dispo=oui`, unavailableUrl: `${base}/crise/reponse/apercu?dispo=non`, wording: w,
    });
  }
  return { member: member ? { id: member.id, name } : null, mail };
}

/**
 * Queues the previewed mail to `to` (the coordinator's own address), marked as a test. The same text for
 * the same member and address is queued once: a second click sends nothing (returns false).
 */
export async function sendWordingTest(ctx: AppContext, cptsId: string, key: WordingKey, wording: MailWordingText | null, memberId: string | undefined, to: string, actor: string): Promise<{ queued: boolean; member: PreviewMember | null }> {
  const { member, mail } = await previewWording(ctx, cptsId, key, wording, memberId);
  const digest = createHash("sha256").update(JSON.stringify([key, wording?.subject ?? null, wording?.body ?? null, member?.id ?? null, to.toLowerCase()])).digest("hex").slice(0, 24);
  const queued = await inTransaction(ctx.db, async (tx) => {
    const n = await enqueueMessages(tx, [{
      cptsId, idempotencyKey: `modele-test:${cptsId}:${digest}`, channel: "MAIL", kind: "modele_test", recipient: to,
      subject: `[TEST] ${mail.subject}`, bodyText: `[Envoi de test du modèle « ${WORDINGS[key].label} »]\n\n${mail.text}`, bodyHtml: mail.html, refType: "modele", refId: key,
    }]);
    if (n > 0) await writeAudit(tx, { cptsId, actor, action: "modele.test", target: WORDINGS[key].label, details: { key, to } });
    return n > 0;
  });
  return { queued, member };
}
