// Dues payments recorded by people (admin form, CSV import) or platforms. The shared write path
// (counted once per source + external id, pending reminders cancelled, audited) lives in
// src/helloasso/payments.ts; this service checks that the member belongs to the CPTS first and
// adds the refund.
import type { AppContext } from "../context.ts";
import { recordDuesPayment, recordDuesPaymentTx, type RecordPaymentInput, type RecordPaymentResult } from "../../helloasso/payments.ts";
import type { Tx } from "../../db/client.ts";
import { writeAudit } from "../../db/repos/admin-repo.ts";
import { UserError } from "../errors.ts";
import { checkPaymentAmount, checkPaymentDate } from "../../rules/dues.ts";

export type { RecordPaymentInput, RecordPaymentResult };

async function checkPayment(ctx: AppContext, db: AppContext["db"] | Tx, input: RecordPaymentInput): Promise<void> {
  const badAmount = checkPaymentAmount(input.amountCents);
  if (badAmount) throw new UserError(badAmount, "amount");
  const badDate = checkPaymentDate(input.paidOn, ctx.clock.today());
  if (badDate) throw new UserError(badDate, "paidOn");
  const member = await db.member.findFirst({ where: { id: input.memberId, cptsId: input.cptsId }, select: { id: true } });
  if (!member) throw new UserError("Cet adhérent n'existe pas dans votre CPTS.");
}

export async function recordPayment(ctx: AppContext, input: RecordPaymentInput): Promise<RecordPaymentResult> {
  await checkPayment(ctx, ctx.db, input);
  return recordDuesPayment(ctx.db, input);
}

/** Same as recordPayment, inside the caller's transaction (the CSV import writes a member and its payment together). */
export async function recordPaymentInTx(ctx: AppContext, tx: Tx, input: RecordPaymentInput): Promise<RecordPaymentResult> {
  await checkPayment(ctx, tx, input);
  return recordDuesPaymentTx(tx, input);
}

export async function refundPayment(ctx: AppContext, input: { cptsId: string; paymentId: string; refundedOn: string; actor: string }): Promise<void> {
  await ctx.db.$transaction(async (tx) => {
    const p = await tx.duesPayment.findFirst({ where: { id: input.paymentId, cptsId: input.cptsId } });
    if (!p) throw new UserError("Ce paiement n'existe pas dans votre CPTS.");
    if (p.refundedOn) throw new UserError(`Ce paiement a déjà été remboursé le ${p.refundedOn}.`);
    await tx.duesPayment.update({ where: { id: p.id }, data: { refundedOn: input.refundedOn } });
    await writeAudit(tx, { cptsId: input.cptsId, actor: input.actor, action: "cotisation.remboursee", target: p.memberId, details: { paymentId: p.id, amountCents: p.amountCents, refundedOn: input.refundedOn } });
  });
}
