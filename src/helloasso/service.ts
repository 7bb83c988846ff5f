// What a HelloAsso membership payment does: matched to one member → dues recorded once (reminders
// cancelled, treasurer told in chat); no member or several → review queue; refunded → reversed.
import type { AppContext } from "../app/context.ts";
import { UserError } from "../app/errors.ts";
import { formatDateFr } from "../rules/dates.ts";
import { formatEuros } from "../rules/money.ts";
import { professionLabel } from "../rules/professions.ts";
import { paymentFacts, type HelloAssoNotification, type PaymentFact } from "./payload.ts";
import { recordDuesPayment } from "./payments.ts";
import { HelloAssoRepository, type MemberCandidate } from "./repo.ts";
import { noticeToAlertChannels } from "./notify.ts";

export type FactOutcome =
  | "enregistre"
  | "deja_compte"
  | "a_verifier"
  | "deja_a_verifier"
  | "rembourse"
  | "deja_rembourse"
  | "remboursement_inconnu"
  | "ignore";

export const ACTOR = "helloasso";
export const REVIEW_PATH = "/admin/paiements-a-verifier";

function memberName(m: MemberCandidate): string {
  return [m.firstName, m.lastName].filter(Boolean).join(" ") || m.organization || m.email || m.id;
}

function payerName(p: PaymentFact["payer"]): string | null {
  return [p.firstName, p.lastName].filter(Boolean).join(" ") || null;
}

export async function handleNotification(ctx: AppContext, cptsId: string, n: HelloAssoNotification): Promise<{ paymentId: string; outcome: FactOutcome }[]> {
  const out: { paymentId: string; outcome: FactOutcome }[] = [];
  for (const fact of paymentFacts(n)) out.push({ paymentId: fact.paymentId, outcome: await handleFact(ctx, cptsId, fact, n) });
  return out;
}

async function handleFact(ctx: AppContext, cptsId: string, fact: PaymentFact, n: HelloAssoNotification): Promise<FactOutcome> {
  if (fact.state === "Authorized") return authorize(ctx, cptsId, fact, n);
  if (fact.state === "Refunded") return refund(ctx, cptsId, fact);
  return "ignore";
}

async function authorize(ctx: AppContext, cptsId: string, fact: PaymentFact, n: HelloAssoNotification): Promise<FactOutcome> {
  const repo = new HelloAssoRepository(ctx.db);
  if (await repo.paymentByExternalId(cptsId, fact.paymentId)) return "deja_compte";
  if (await repo.pendingByExternalId(cptsId, fact.paymentId)) return "deja_a_verifier";
  const candidates = await repo.matchPayer(cptsId, fact.payer);
  if (candidates.length === 1) {
    const member = candidates[0]!;
    const r = await recordForMember(ctx, cptsId, member, fact.paymentId, fact.amountCents, fact.paidOn);
    return r ? "enregistre" : "deja_compte";
  }
  const reason = candidates.length
    ? `${candidates.length} adhérents correspondent au payeur (${candidates.map(memberName).join(", ")})`
    : `aucun adhérent avec l'adresse ${fact.payer.email} ni le nom ${payerName(fact.payer) ?? "(sans nom)"}`;
  try {
    await repo.createPending({
      cptsId,
      externalId: fact.paymentId,
      payerName: payerName(fact.payer),
      payerEmail: fact.payer.email,
      amountCents: fact.amountCents,
      paidOn: fact.paidOn,
      reason,
      payload: { eventType: n.eventType, orderId: fact.orderId ?? null, payer: fact.payer },
    });
  } catch (e) {
    if ((e as { code?: string }).code === "P2002") return "deja_a_verifier";
    throw e;
  }
  await noticeToAlertChannels(ctx.db, {
    cptsId,
    idempotencyKey: `helloasso:${fact.paymentId}:a-verifier`,
    kind: "paiement",
    refType: "helloasso",
    refId: fact.paymentId,
    bodyText:
      `Paiement HelloAsso à rapprocher : ${payerName(fact.payer) ?? fact.payer.email} (${fact.payer.email}), ` +
      `${formatEuros(fact.amountCents)} le ${formatDateFr(fact.paidOn)} — ${reason}. ` +
      `À rattacher à un adhérent dans l'admin, page « Paiements à vérifier » (${REVIEW_PATH}).`,
  });
  return "a_verifier";
}

/** Records the payment for this member and tells the treasurer; false when it was already counted. */
async function recordForMember(ctx: AppContext, cptsId: string, member: MemberCandidate, paymentId: string, amountCents: number, paidOn: string, actor = ACTOR): Promise<boolean> {
  const r = await recordDuesPayment(ctx.db, { cptsId, memberId: member.id, amountCents, paidOn, source: "HELLOASSO", method: "CARTE", externalId: paymentId, actor });
  if (!r.created) return false;
  const who = `${memberName(member)}${member.profession ? ` (${professionLabel(member.profession)})` : ""}`;
  const cancelled = r.cancelledReminders ? ` ${r.cancelledReminders} relance${r.cancelledReminders > 1 ? "s" : ""} en attente annulée${r.cancelledReminders > 1 ? "s" : ""}.` : "";
  await noticeToAlertChannels(ctx.db, {
    cptsId,
    idempotencyKey: `helloasso:${paymentId}:enregistre`,
    kind: "paiement",
    refType: "helloasso",
    refId: paymentId,
    bodyText: `Cotisation ${r.year} reçue via HelloAsso : ${who}, ${formatEuros(amountCents)} le ${formatDateFr(paidOn)}. Adhérent à jour.${cancelled}`,
  });
  return true;
}

async function refund(ctx: AppContext, cptsId: string, fact: PaymentFact): Promise<FactOutcome> {
  const repo = new HelloAssoRepository(ctx.db);
  const payment = await repo.paymentByExternalId(cptsId, fact.paymentId);
  const today = ctx.clock.today();
  if (payment && payment.cptsId === cptsId) {
    const changed = await ctx.db.$transaction(async (tx) => {
      const txRepo = new HelloAssoRepository(tx);
      if (!(await txRepo.markRefunded(payment.id, today))) return false;
      await txRepo.audit(cptsId, ACTOR, "cotisation.remboursee", payment.memberId, { paymentId: payment.id, externalId: fact.paymentId, refundedOn: today });
      return true;
    });
    if (!changed) return "deja_rembourse";
    const member = await repo.member(cptsId, payment.memberId);
    await noticeToAlertChannels(ctx.db, {
      cptsId,
      idempotencyKey: `helloasso:${fact.paymentId}:rembourse`,
      kind: "paiement",
      refType: "helloasso",
      refId: fact.paymentId,
      bodyText: `Cotisation ${payment.year} remboursée sur HelloAsso : ${member ? memberName(member) : "adhérent"}, ${formatEuros(payment.amountCents)}. Le paiement ne compte plus.`,
    });
    return "rembourse";
  }
  const pending = await repo.pendingByExternalId(cptsId, fact.paymentId);
  if (pending && pending.cptsId === cptsId) {
    return (await repo.resolvePending(pending.id, ctx.clock.now(), `${pending.reason} — remboursé le ${formatDateFr(today)}`)) ? "rembourse" : "deja_rembourse";
  }
  return "remboursement_inconnu";
}

export interface PendingPaymentView {
  id: string;
  payerName: string | null;
  payerEmail: string | null;
  amountCents: number;
  paidOn: string;
  reason: string;
}

export async function listPendingPayments(ctx: AppContext, cptsId: string): Promise<PendingPaymentView[]> {
  const rows = await new HelloAssoRepository(ctx.db).listPending(cptsId);
  return rows.map((r) => ({ id: r.id, payerName: r.payerName, payerEmail: r.payerEmail, amountCents: r.amountCents, paidOn: r.paidOn, reason: r.reason }));
}

/** The treasurer attaches a queued payment to a member: same outcome as an automatic match. */
export async function resolvePendingPayment(ctx: AppContext, cptsId: string, pendingId: string, memberId: string, actor: string): Promise<{ memberName: string }> {
  const repo = new HelloAssoRepository(ctx.db);
  const pending = await repo.pendingById(cptsId, pendingId);
  if (!pending) throw new UserError("Ce paiement à vérifier n'existe pas (ou plus).");
  if (pending.resolvedAt) throw new UserError("Ce paiement a déjà été traité.");
  const member = await repo.member(cptsId, memberId);
  if (!member) throw new UserError("Adhérent introuvable dans cette CPTS : choisissez-le dans la liste.");
  await recordForMember(ctx, cptsId, member, pending.externalId, pending.amountCents, pending.paidOn, actor);
  await repo.resolvePending(pending.id, ctx.clock.now());
  return { memberName: memberName(member) };
}
