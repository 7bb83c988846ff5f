// Recording a dues payment with the outcome every source must share (HelloAsso, CSV, manual):
// counted once per source + external id, the member's pending reminders cancelled, audited.
import { isUniqueViolation, type Db, type Tx } from "../db/client.ts";
import { duesYearOf } from "../rules/dues.ts";

export type PaymentSourceKind = "MANUEL" | "HELLOASSO" | "CSV" | "YAPLA" | "STRIPE";
export type PaymentMethodKind = "VIREMENT" | "CARTE" | "CHEQUE" | "ESPECES" | "AUTRE";

export interface RecordPaymentInput {
  cptsId: string;
  memberId: string;
  amountCents: number;
  paidOn: string;
  source: PaymentSourceKind;
  method: PaymentMethodKind;
  externalId?: string;
  actor: string;
}

export interface RecordPaymentResult {
  created: boolean;
  paymentId: string;
  year: number;
  cancelledReminders: number;
  /** Why nothing was written: same external id already counted in this CPTS, or the same payment
   *  (member, dues year, amount, date) already recorded from another source. */
  alreadyRecorded?: "meme_reference" | "autre_source";
}

/** Cancels the member's reminders for that dues year still waiting in the outbox, including those
 *  waiting to retry after a temporary failure (they must not go out). */
export async function cancelPendingReminders(tx: Tx, cptsId: string, memberId: string, year: number): Promise<number> {
  const r = await tx.outboxMessage.updateMany({
    // Reminder keys are "relance:<member>:<year>:<step>" (dues-reminders service).
    where: { cptsId, memberId, kind: "relance", state: { in: ["EN_ATTENTE", "ECHEC_TEMPORAIRE"] }, idempotencyKey: { startsWith: `relance:${memberId}:${year}:` } },
    data: { state: "ANNULE", lastError: "cotisation reçue" },
  });
  return r.count;
}

/**
 * Whether the member's payments of `year` (refunds excluded) now cover the due of their category:
 * only then do reminders stop (a partial payment is still chased for the balance). No due set for
 * the year: any payment covers it (nothing to compare with, rules/dues.ts).
 */
export async function duesCovered(db: Db | Tx, cptsId: string, memberId: string, year: number): Promise<boolean> {
  const member = await db.member.findFirst({ where: { id: memberId, cptsId }, select: { category: true, duesExempt: true } });
  if (!member || member.duesExempt) return true;
  const rate = await db.duesRate.findUnique({ where: { cptsId_year_category: { cptsId, year, category: member.category } }, select: { amountCents: true } });
  if (!rate || rate.amountCents <= 0) return true;
  const paid = await db.duesPayment.aggregate({ where: { cptsId, memberId, year, refundedOn: null, amountCents: { gt: 0 } }, _sum: { amountCents: true } });
  return (paid._sum.amountCents ?? 0) >= rate.amountCents;
}

/** The payment already counted for this input, if any: same CPTS + source + external id, or the
 *  same payment seen through another source (a HelloAsso notification, then the CSV export). */
async function alreadyCounted(db: Db | Tx, input: RecordPaymentInput, year: number): Promise<RecordPaymentResult | null> {
  if (input.externalId) {
    const same = await db.duesPayment.findUnique({ where: { cptsId_source_externalId: { cptsId: input.cptsId, source: input.source, externalId: input.externalId } } });
    if (same) return { created: false, paymentId: same.id, year: same.year, cancelledReminders: 0, alreadyRecorded: "meme_reference" };
  }
  const twin = await db.duesPayment.findFirst({
    where: { cptsId: input.cptsId, memberId: input.memberId, year, amountCents: input.amountCents, paidOn: input.paidOn, refundedOn: null, source: { not: input.source } },
  });
  return twin ? { created: false, paymentId: twin.id, year: twin.year, cancelledReminders: 0, alreadyRecorded: "autre_source" } : null;
}

/** The write inside the caller's transaction (CSV import: the member and its payment together). */
export async function recordDuesPaymentTx(tx: Tx, input: RecordPaymentInput): Promise<RecordPaymentResult> {
  const year = duesYearOf(input.paidOn);
  const existing = await alreadyCounted(tx, input, year);
  if (existing) return existing;
  const payment = await tx.duesPayment.create({
    data: {
      cptsId: input.cptsId,
      memberId: input.memberId,
      year,
      amountCents: input.amountCents,
      paidOn: input.paidOn,
      source: input.source,
      method: input.method,
      externalId: input.externalId ?? null,
      recordedBy: input.actor,
    },
  });
  const cancelledReminders = (await duesCovered(tx, input.cptsId, input.memberId, year)) ? await cancelPendingReminders(tx, input.cptsId, input.memberId, year) : 0;
  await tx.auditLog.create({
    data: {
      cptsId: input.cptsId,
      actor: input.actor,
      action: "cotisation.enregistree",
      target: input.memberId,
      details: { paymentId: payment.id, source: input.source, externalId: input.externalId ?? null, amountCents: input.amountCents, year, cancelledReminders },
    },
  });
  return { created: true, paymentId: payment.id, year, cancelledReminders };
}

export async function recordDuesPayment(db: Db, input: RecordPaymentInput): Promise<RecordPaymentResult> {
  const existing = await alreadyCounted(db, input, duesYearOf(input.paidOn));
  if (existing) return existing;
  try {
    return await db.$transaction((tx) => recordDuesPaymentTx(tx, input));
  } catch (e) {
    // Two deliveries of the same notification at once: the other writer counted it.
    if (!isUniqueViolation(e)) throw e;
    const winner = await alreadyCounted(db, input, duesYearOf(input.paidOn));
    if (!winner) throw e;
    return winner;
  }
}
