// An SMTP server that misbehaves — drops the connection after the data, answers 421, answers 550 —
// against the production sender: nothing lost, nothing doubled, every failure recorded.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { startSink, type Sink } from "../../bench/smtp-sink.ts";
import { delivered, drainUntilSettled, fastSender, faultContext, seedWorld } from "./fault-setup.ts";

let t: TestDb;
let sink: Sink;

beforeAll(async () => {
  t = await createTestDb();
});

afterEach(async () => {
  await sink?.close();
});

afterAll(async () => {
  await t?.cleanup();
});

async function expectEachOnce(recipients: string[]) {
  const got = delivered(sink);
  for (const to of recipients) {
    expect(got.get(to)?.raw, to).toBe(1);
  }
}

describe("serveur SMTP défaillant", () => {
  it("connexion coupée après les données : chaque message est renvoyé puis reçu une seule fois", async () => {
    sink = await startSink({ mode: "drop", failFirst: 6 });
    const w = await seedWorld(t.db, "coupures", 30);
    const { ctx, lines } = faultContext(t.db, t.url, t.engine, sink.port);
    const { sender, close } = fastSender(ctx);
    await drainUntilSettled(t.db, sender, w.cptsId);
    close();
    expect(sink.stats().dropped).toBe(6);
    await expectEachOnce(w.recipients);
    const rows = await t.db.outboxMessage.findMany({ where: { cptsId: w.cptsId } });
    expect(rows.every((r) => r.state === "ENVOYE")).toBe(true);
    // the failed attempts are counted on the rows and logged
    expect(rows.filter((r) => r.attempts > 1).length).toBe(6);
    expect(lines.filter((l) => l.includes("échec temporaire")).length).toBe(6);
  });

  it("réponse 421 : nouvel essai plus tard, aucun doublon, tentatives comptées", async () => {
    sink = await startSink({ mode: "421", failFirst: 10 });
    const w = await seedWorld(t.db, "quatre-vingt-un", 25);
    const { ctx, lines } = faultContext(t.db, t.url, t.engine, sink.port);
    const { sender, close } = fastSender(ctx);
    await drainUntilSettled(t.db, sender, w.cptsId);
    close();
    expect(sink.stats().refused).toBe(10);
    await expectEachOnce(w.recipients);
    const rows = await t.db.outboxMessage.findMany({ where: { cptsId: w.cptsId } });
    expect(rows.every((r) => r.state === "ENVOYE")).toBe(true);
    expect(rows.reduce((s, r) => s + r.attempts, 0)).toBe(25 + 10);
    const warnings = lines.filter((l) => l.includes("échec temporaire"));
    expect(warnings.length).toBe(10);
    expect(warnings.every((l) => l.includes("421"))).toBe(true);
  });

  it("réponse 550 au RCPT TO : échec définitif enregistré, adresse marquée, la coordination prévenue une fois, les autres reçus une fois", async () => {
    const refused = ["adherent3@refus.fr", "adherent7@refus.fr", "adherent11@refus.fr"];
    // refused at RCPT TO: only then is the address at fault (a 5xx after DATA is the relay refusing our sending)
    sink = await startSink({ mode: "550rcpt", failRecipients: refused });
    const w = await seedWorld(t.db, "refus", 15);
    const { ctx } = faultContext(t.db, t.url, t.engine, sink.port);
    const { sender, close } = fastSender(ctx);
    await drainUntilSettled(t.db, sender, w.cptsId);
    // a second pass finds nothing more to do
    const again = await sender.drainAll();
    close();
    expect(again.claimed).toBe(0);

    const got = delivered(sink);
    for (const to of refused) expect(got.has(to), to).toBe(false);
    await expectEachOnce(w.recipients.filter((r) => !refused.includes(r)));

    const failed = await t.db.outboxMessage.findMany({ where: { cptsId: w.cptsId, kind: "relance", state: "ECHEC" } });
    expect(failed.map((r) => r.recipient).sort()).toEqual([...refused].sort());
    for (const r of failed) {
      expect(r.attempts).toBe(1);
      expect(r.lastError).toMatch(/550/);
    }
    const flagged = await t.db.member.findMany({ where: { cptsId: w.cptsId, emailInvalid: true }, select: { email: true } });
    expect(flagged.map((m) => m.email).sort()).toEqual([...refused].sort());
    // one failure notice per refused message, delivered once to the coordinator
    const notices = await t.db.outboxMessage.findMany({ where: { cptsId: w.cptsId, kind: "echec_envoi" } });
    expect(notices.length).toBe(3);
    expect(notices.every((n) => n.state === "ENVOYE" && n.recipient === w.coordinatorEmail)).toBe(true);
    expect(got.get(w.coordinatorEmail)?.raw).toBe(3);
  });
});
