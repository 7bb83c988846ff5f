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
}

/** Cancels the member's reminders for that dues year still waiting in the outbox (they must not go out). */
export async function cancelPendingReminders(tx: Tx, cptsId: string, memberId: string, year: number): Promise<number> {
  const r = await tx.outboxMessage.updateMany({
    // Reminder keys are "relance:<member>:<year>:<step>" (dues-reminders service).
    where: { cptsId, memberId, kind: "relance", state: "EN_ATTENTE", idempotencyKey: { startsWith: `relance:${memberId}:${year}:` } },
    data: { state: "ANNULE", lastError: "cotisation reçue" },
  });
  return r.count;
}

export async function recordDuesPayment(db: Db, input: RecordPaymentInput): Promise<RecordPaymentResult> {
  const year = duesYearOf(input.paidOn);
  const existing = input.externalId
    ? await db.duesPayment.findUnique({ where: { source_externalId: { source: input.source, externalId: input.externalId } } })
    : null;
  if (existing) return { created: false, paymentId: existing.id, year: existing.year, cancelledReminders: 0 };
  try {
    return await db.$transaction(async (tx) => {
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
      const cancelledReminders = await cancelPendingReminders(tx, input.cptsId, input.memberId, year);
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
    });
  } catch (e) {
    // Two deliveries of the same notification at once: the other writer counted it.
    if (!isUniqueViolation(e) || !input.externalId) throw e;
    const winner = await db.duesPayment.findUnique({ where: { source_externalId: { source: input.source, externalId: input.externalId } } });
    if (!winner) throw e;
    return { created: false, paymentId: winner.id, year: winner.year, cancelledReminders: 0 };
  }
}
