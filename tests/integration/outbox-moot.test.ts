// A dues payment recorded after the sender claimed a reminder, but before it went out: the reminder is
// cancelled (ANNULE), not sent; the others still go.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { contextAt } from "./jobs-context.ts";
import { enqueueReminders } from "../../src/app/services/dues-reminders.ts";
import { OutboxRepository } from "../../src/db/repos/outbox-repo.ts";
import { OutboxSender } from "../../src/mail/sender.ts";
import type { MailTransport, OutgoingMail } from "../../src/mail/transport.ts";
import { silentLogger } from "../../src/log.ts";

const TODAY = "2026-03-20";
let t: TestDb;
let cptsId: string;

beforeAll(async () => {
  t = await createTestDb();
  cptsId = (await loadDemo(t.db, TODAY)).cptsId;
});
afterAll(async () => t?.cleanup());

function memoryTransport(): MailTransport & { sent: OutgoingMail[] } {
  const sent: OutgoingMail[] = [];
  return { sent, async send(m) { sent.push(m); return { response: "250 OK" }; }, close() {} };
}

describe(`relance devenue sans objet avant l'envoi (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("un paiement enregistré entre la prise en charge et l'envoi annule la relance au lieu de l'envoyer", async () => {
    const ctx = contextAt(t, `${TODAY}T10:00:00+01:00`);
    const r = await enqueueReminders(ctx, cptsId, TODAY, { trigger: "job", actor: "test" });
    expect(r.enqueued).toBeGreaterThan(2);
    const rows = await t.db.outboxMessage.findMany({ where: { cptsId, kind: "relance" }, orderBy: { id: "asc" } });
    const payer = rows[0]!.memberId!;
    const refunded = rows[1]!.memberId!;
    const partial = rows[2]!.memberId!;

    // The store claims the batch, then — before anything is sent — the treasurer records two payments:
    // one valid, one already refunded (which does not count).
    const repo = new OutboxRepository(t.db);
    const racing = Object.assign(Object.create(repo) as OutboxRepository, {
      claim: async (opts: Parameters<OutboxRepository["claim"]>[0]) => {
        const batch = await repo.claim(opts);
        await t.db.duesPayment.create({ data: { cptsId, memberId: payer, year: 2026, amountCents: 3000, paidOn: TODAY, source: "MANUEL", externalId: "entre-claim-et-envoi" } });
        await t.db.duesPayment.create({ data: { cptsId, memberId: refunded, year: 2026, amountCents: 3000, paidOn: "2026-03-01", refundedOn: "2026-03-10", source: "MANUEL", externalId: "rembourse" } });
        // and a partial one: the reminder asks for the balance, it still goes
        await t.db.duesPayment.create({ data: { cptsId, memberId: partial, year: 2026, amountCents: 100, paidOn: TODAY, source: "MANUEL", externalId: "partiel" } });
        return batch;
      },
    });
    const transport = memoryTransport();
    const sender = new OutboxSender(racing, transport, () => undefined, silentLogger, { mailFrom: "CPTS <contact@cpts-demo.fr>", concurrency: 2, ratePerSecond: 0, batchSize: 1000 }, () => new Date(Date.now() + 1000)); // rows are due from the database clock
    const counts = await sender.drainOnce();

    expect(counts.cancelled).toBe(1);
    expect(counts.sent).toBe(rows.length - 1);
    const after = await t.db.outboxMessage.findMany({ where: { cptsId, kind: "relance" } });
    const byMember = new Map(after.map((m) => [m.memberId, m]));
    expect(byMember.get(payer)!.state).toBe("ANNULE");
    expect(byMember.get(payer)!.lockedBy).toBeNull();
    expect(byMember.get(refunded)!.state).toBe("ENVOYE");
    expect(byMember.get(partial)!.state).toBe("ENVOYE");
    const payerEmail = rows[0]!.recipient;
    expect(transport.sent.map((m) => m.to)).not.toContain(payerEmail);
    expect(transport.sent).toHaveLength(rows.length - 1);
  });

  it("ne touche pas aux autres envois d'un adhérent qui a payé (lettre d'information)", async () => {
    const paid = await t.db.duesPayment.findFirstOrThrow({ where: { cptsId, externalId: "entre-claim-et-envoi" } });
    const member = await t.db.member.findUniqueOrThrow({ where: { id: paid.memberId } });
    await t.db.outboxMessage.create({
      data: { cptsId, idempotencyKey: "test:newsletter:paid", channel: "MAIL", kind: "newsletter", recipient: member.email!, memberId: member.id, subject: "Lettre", bodyText: "x", refType: "newsletter", refId: "n1" },
    });
    const transport = memoryTransport();
    const sender = new OutboxSender(new OutboxRepository(t.db), transport, () => undefined, silentLogger, { mailFrom: "CPTS <contact@cpts-demo.fr>", concurrency: 1, ratePerSecond: 0 }, () => new Date(Date.now() + 1000)); // rows are due from the database clock
    const counts = await sender.drainAll();
    expect(counts.cancelled).toBe(0);
    expect((await t.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: "test:newsletter:paid" } })).state).toBe("ENVOYE");
  });
});
