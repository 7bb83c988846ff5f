// What a HelloAsso membership payment does: matched to one member → dues recorded once (reminders
// cancelled, treasurer told in chat); no member or several → review queue; refunded → reversed.
import type { AppContext } from "../app/context.ts";
import { UserError } from "../app/errors.ts";
import { formatDateFr, isIsoDate } from "../rules/dates.ts";
import { categoryOfFormula, checkPaymentAmount, checkPaymentDate, duesYearOf, memberDuesBalance, paymentDueMismatch } from "../rules/dues.ts";
import { formatEuros } from "../rules/money.ts";
import { professionLabel } from "../rules/professions.ts";
import { paymentFacts, type HelloAssoNotification, type PaymentFact } from "./payload.ts";
import { recordDuesPayment } from "./payments.ts";
import { HelloAssoRepository, type MemberCandidate, type PendingPage } from "./repo.ts";
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

/** Checks of a payment before it may be counted: amount, date, formula (French reasons, empty = fine). */
function factProblems(fact: PaymentFact, today: string): string[] {
  const problems: string[] = [];
  const amount = checkPaymentAmount(fact.amountCents);
  if (amount) problems.push(amount);
  const date = checkPaymentDate(fact.paidOn, today);
  if (date) problems.push(date);
  const unknown = fact.formulas.filter((f) => categoryOfFormula(f) === null);
  if (unknown.length) problems.push(`formule ${unknown.map((f) => `« ${f} »`).join(", ")} inconnue : elle ne désigne aucune catégorie de cotisation (professionnel, structure, partenaire)`);
  return problems;
}

/** What the member still owes for `year` before this payment, with the due of their category. */
async function memberDues(repo: HelloAssoRepository, cptsId: string, member: MemberCandidate, year: number, at: string, rates: Record<string, number>) {
  const payments = (await repo.memberPayments(cptsId, member.id)).map((p) => ({ memberId: p.memberId, date: p.paidOn, amountCents: p.amountCents, duesYear: p.year, refundedDate: p.refundedOn ?? undefined }));
  return memberDuesBalance({ id: member.id, category: member.category, exempt: member.duesExempt, dueCents: rates[member.category] }, payments, at < `${year}-12-31` ? at : `${year}-12-31`);
}

async function authorize(ctx: AppContext, cptsId: string, fact: PaymentFact, n: HelloAssoNotification): Promise<FactOutcome> {
  const repo = new HelloAssoRepository(ctx.db);
  if (await repo.paymentByExternalId(cptsId, fact.paymentId)) return "deja_compte";
  if (await repo.pendingByExternalId(cptsId, fact.paymentId)) return "deja_a_verifier";
  const today = ctx.clock.today();
  const problems = factProblems(fact, today);
  const { byEmail, byName } = await repo.matchPayer(cptsId, fact.payer);
  const member = byEmail.length === 1 ? byEmail[0]! : null;
  let suggested: MemberCandidate | null = null;
  if (byEmail.length > 1) problems.push(`${byEmail.length} adhérents ont l'adresse ${fact.payer.email} (${byEmail.map(memberName).join(", ")})`);
  else if (!member && byName.length === 1) {
    suggested = byName[0]!;
    problems.push(`payeur reconnu par son nom seulement : ${memberName(suggested)}${suggested.email ? ` a l'adresse ${suggested.email}` : " n'a pas d'adresse"}, le paiement vient de ${fact.payer.email} — à confirmer`);
  } else if (!member && byName.length > 1) problems.push(`${byName.length} adhérents correspondent au nom du payeur (${byName.map(memberName).join(", ")}), aucun à son adresse ${fact.payer.email}`);
  else if (!member) problems.push(`aucun adhérent avec l'adresse ${fact.payer.email} ni le nom ${payerName(fact.payer) ?? "(sans nom)"}`);
  // seen already through another source (CSV export imported first): counted once, by recordDuesPayment
  if (member && !problems.length && (await repo.twinPayment(cptsId, member.id, fact.amountCents, fact.paidOn))) {
    return (await recordForMember(ctx, cptsId, member, fact.paymentId, fact.amountCents, fact.paidOn)) ? "enregistre" : "deja_compte";
  }
  if (!problems.length) {
    // amount and date are sane here: compare the amount with what is due
    const year = duesYearOf(fact.paidOn);
    const rates = await repo.duesRates(cptsId, year);
    const dues = member ? await memberDues(repo, cptsId, member, year, today, rates) : null;
    const mismatch = paymentDueMismatch(fact.amountCents, year, {
      member: dues && dues.status !== "exonere" ? { dueCents: dues.dueCents, balanceCents: dues.balanceCents } : dues ? { dueCents: null, balanceCents: 0 } : null,
      yearDuesCents: Object.values(rates).filter((c) => c > 0),
    });
    if (mismatch) problems.push(mismatch);
  }
  if (member && !problems.length) {
    const r = await recordForMember(ctx, cptsId, member, fact.paymentId, fact.amountCents, fact.paidOn);
    return r ? "enregistre" : "deja_compte";
  }
  const reason = problems.join(" ; ");
  // an absurd amount (10^15 cents) does not fit the column: kept as received in the payload
  const storable = Number.isSafeInteger(fact.amountCents) && Math.abs(fact.amountCents) <= 2_000_000_000;
  try {
    await repo.createPending({
      cptsId,
      externalId: fact.paymentId,
      payerName: payerName(fact.payer),
      payerEmail: fact.payer.email,
      amountCents: storable ? fact.amountCents : 0,
      paidOn: fact.paidOn,
      reason,
      payload: {
        eventType: n.eventType,
        orderId: fact.orderId ?? null,
        payer: fact.payer,
        amountCents: fact.amountCents,
        formulas: fact.formulas,
        memberId: member?.id ?? null,
        suggestedMemberId: suggested?.id ?? null,
      },
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
      `Paiement HelloAsso à vérifier : ${payerName(fact.payer) ?? fact.payer.email} (${fact.payer.email}), ` +
      `${formatEuros(fact.amountCents)} le ${safeDateFr(fact.paidOn)} — ${reason}. ` +
      `Il n'est pas compté : acceptez-le ou rejetez-le dans l'admin, page « Paiements à vérifier » (${REVIEW_PATH}).`,
  });
  return "a_verifier";
}

/** dd/mm/yyyy, or the text as received when it is not a real date. */
function safeDateFr(date: string): string {
  return isIsoDate(date) ? formatDateFr(date) : date;
}

/** Records the payment for this member and tells the treasurer; false when it was already counted. */
async function recordForMember(ctx: AppContext, cptsId: string, member: MemberCandidate, paymentId: string, amountCents: number, paidOn: string, actor = ACTOR): Promise<boolean> {
  const r = await recordDuesPayment(ctx.db, { cptsId, memberId: member.id, amountCents, paidOn, source: "HELLOASSO", method: "CARTE", externalId: paymentId, actor });
  if (!r.created) return false;
  const repo = new HelloAssoRepository(ctx.db);
  const dues = await memberDues(repo, cptsId, member, r.year, ctx.clock.today(), await repo.duesRates(cptsId, r.year));
  const who = `${memberName(member)}${member.profession ? ` (${professionLabel(member.profession)})` : ""}`;
  const cancelled = r.cancelledReminders ? ` ${r.cancelledReminders} relance${r.cancelledReminders > 1 ? "s" : ""} en attente annulée${r.cancelledReminders > 1 ? "s" : ""}.` : "";
  const state = dues.status === "partiel" ? `Cotisation partielle : reste ${formatEuros(dues.balanceCents)} à régler.` : "Adhérent à jour.";
  await noticeToAlertChannels(ctx.db, {
    cptsId,
    idempotencyKey: `helloasso:${paymentId}:enregistre`,
    kind: "paiement",
    refType: "helloasso",
    refId: paymentId,
    bodyText: `Cotisation ${r.year} reçue via HelloAsso : ${who}, ${formatEuros(amountCents)} le ${formatDateFr(paidOn)}. ${state}${cancelled}`,
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
  /** As received (may be 0 or absurd: that is why it waits here). */
  amountCents: number;
  paidOn: string;
  paidOnFr: string;
  reason: string;
  /** The member the payment is for (e-mail match) or proposed for (name match), if any. */
  proposed: { id: string; name: string; email: string | null; byName: boolean } | null;
  /** Whether accepting is possible: a sane amount and a real past date. */
  acceptable: boolean;
}

export async function listPendingPayments(ctx: AppContext, cptsId: string, page?: PendingPage): Promise<PendingPaymentView[]> {
  const repo = new HelloAssoRepository(ctx.db);
  const rows = await repo.listPending(cptsId, page);
  const today = ctx.clock.today();
  const views: PendingPaymentView[] = [];
  for (const r of rows) {
    const payload = (r.payload ?? {}) as { amountCents?: unknown; memberId?: unknown; suggestedMemberId?: unknown };
    const amountCents = typeof payload.amountCents === "number" ? payload.amountCents : r.amountCents;
    const proposedId = typeof payload.memberId === "string" ? payload.memberId : typeof payload.suggestedMemberId === "string" ? payload.suggestedMemberId : null;
    const m = proposedId ? await repo.member(cptsId, proposedId) : null;
    views.push({
      id: r.id,
      payerName: r.payerName,
      payerEmail: r.payerEmail,
      amountCents,
      paidOn: r.paidOn,
      paidOnFr: safeDateFr(r.paidOn),
      reason: r.reason,
      proposed: m ? { id: m.id, name: memberName(m), email: m.email, byName: typeof payload.memberId !== "string" } : null,
      acceptable: checkPaymentAmount(amountCents) === null && checkPaymentDate(r.paidOn, today) === null,
    });
  }
  return views;
}

/**
 * The treasurer accepts a queued payment for a member (the proposed one or another): same outcome
 * as an automatic match. A 0 €, absurd or impossibly dated payment cannot be accepted, only rejected.
 */
export async function resolvePendingPayment(ctx: AppContext, cptsId: string, pendingId: string, memberId: string, actor: string): Promise<{ memberName: string }> {
  const repo = new HelloAssoRepository(ctx.db);
  const pending = await repo.pendingById(cptsId, pendingId);
  if (!pending) throw new UserError("Ce paiement à vérifier n'existe pas (ou plus).");
  if (pending.resolvedAt) throw new UserError("Ce paiement a déjà été traité.");
  const member = await repo.member(cptsId, memberId);
  if (!member) throw new UserError("Adhérent introuvable dans cette CPTS : choisissez-le dans la liste.");
  const payload = (pending.payload ?? {}) as { amountCents?: unknown };
  const amountCents = typeof payload.amountCents === "number" ? payload.amountCents : pending.amountCents;
  const bad = checkPaymentAmount(amountCents) ?? checkPaymentDate(pending.paidOn, ctx.clock.today());
  if (bad) throw new UserError(`Ce paiement ne peut pas être compté (${bad.replace(/\.$/, "")}) : rejetez-le, puis faites corriger le paiement sur HelloAsso.`);
  // counted once whatever happens next (source + external id), then the entry is closed
  await recordForMember(ctx, cptsId, member, pending.externalId, amountCents, pending.paidOn, actor);
  await repo.resolvePending(pending.id, ctx.clock.now(), `${pending.reason} — accepté par ${actor} pour ${memberName(member)}`);
  return { memberName: memberName(member) };
}

/** The treasurer rejects a queued payment: it is closed without being counted, with who and why. */
export async function rejectPendingPayment(ctx: AppContext, cptsId: string, pendingId: string, actor: string, motive?: string): Promise<void> {
  const repo = new HelloAssoRepository(ctx.db);
  const pending = await repo.pendingById(cptsId, pendingId);
  if (!pending) throw new UserError("Ce paiement à vérifier n'existe pas (ou plus).");
  if (pending.resolvedAt) throw new UserError("Ce paiement a déjà été traité.");
  const why = motive?.trim() ? ` : ${motive.trim().slice(0, 300)}` : "";
  if (!(await repo.rejectPending(pending.id, ctx.clock.now(), `${pending.reason} — rejeté par ${actor} le ${formatDateFr(ctx.clock.today())}${why}`))) {
    throw new UserError("Ce paiement a déjà été traité.");
  }
  await repo.audit(cptsId, actor, "paiement.rejete", pending.externalId, { pendingId: pending.id, source: pending.source, motive: motive?.trim() || null });
}
