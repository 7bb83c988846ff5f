// Who is at fault (issue 11 §1): a relay refusing OUR sending (550 at MAIL FROM, 554 after DATA, every
// recipient refused) pauses the queue — no member is flagged, the messages wait, the operator is told — and
// the same `coordo job run` re-run once the relay accepts delivers every due reminder exactly once.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { testConfig } from "./jobs-context.ts";
import { startRelay, type Relay } from "./relay-server.ts";
import { seedRemindersWorld, REMINDER_DAY, type RemindersWorld } from "./reminders-world.ts";
import { main } from "../../src/cli/main.ts";
import { systemClock, type AppContext } from "../../src/app/context.ts";
import { createLogger } from "../../src/log.ts";
import { createHttpApp } from "../../src/http/server.ts";

const MEMBERS = 1_500;
let t: TestDb;
let relay: Relay;
let w: RemindersWorld;
const lines: string[] = [];
let ctx: AppContext;

beforeAll(async () => {
  t = await createTestDb();
  relay = await startRelay("mailfrom550");
  w = await seedRemindersWorld(t.db, "refus-relais", MEMBERS);
  ctx = { config: testConfig({ SMTP_URL: relay.url, SMTP_POOL_SIZE: "5", DATABASE_URL: t.url }), db: t.db, engine: t.engine, log: createLogger("info", (l) => lines.push(l)), clock: systemClock };
});
afterAll(async () => {
  await relay?.close();
  await t?.cleanup();
});

async function jobRun() {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["job", "run", "dues-reminders", "--at", REMINDER_DAY, "--cpts", w.slug], { out: (s) => out.push(s), err: (s) => err.push(s), context: async () => ctx });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const flagged = () => t.db.member.count({ where: { cptsId: w.cptsId, emailInvalid: true } });
const reminders = async () =>
  Object.fromEntries((await t.db.outboxMessage.groupBy({ by: ["state"], where: { cptsId: w.cptsId, kind: "relance" }, _count: { _all: true } })).map((r) => [r.state, r._count._all]));
const alerts = () => t.db.outboxMessage.findMany({ where: { cptsId: w.cptsId, kind: "envoi_suspendu" } });

describe(`relais SMTP qui refuse l'envoi (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it(`550 au MAIL FROM puis 554 après DATA pendant ${MEMBERS} relances : aucun adhérent marqué, file suspendue, exploitant prévenu ; relais réparé, la même commande envoie chaque relance une fois`, async () => {
    // 1. the relay refuses the sender
    const first = await jobRun();
    expect(first.out).toContain(`relances ${MEMBERS}`);
    expect(first.code).toBe(1);
    expect(first.err).toMatch(/Envois suspendus/);
    expect(first.err).toMatch(/MAIL FROM/);
    expect(relay.refusals.filter((r) => r.at === "MAIL FROM").length).toBeGreaterThan(0);
    expect(relay.refusals.filter((r) => r.at === "MAIL FROM").length).toBeLessThanOrEqual(5); // one message per connection at most, then paused
    expect(relay.accepted).toHaveLength(0);
    expect(await flagged()).toBe(0);
    expect(await reminders()).toEqual({ EN_ATTENTE: MEMBERS });
    const circuit = await t.db.mailCircuit.findUniqueOrThrow({ where: { id: "smtp" } });
    expect(circuit.open).toBe(true);
    expect(circuit.reason).toMatch(/550/);
    // operator told: a French error line, /ready degraded, one message to the CPTS's alert channel
    expect(lines.some((l) => /"level":"error"/.test(l) && /envois suspendus/i.test(l))).toBe(true);
    const ready = await createHttpApp(ctx).request("/ready");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "degrade", base: { ok: true }, envois: { ok: false, etat: "suspendu", raison: expect.stringMatching(/550/) } });
    expect((await alerts()).map((a) => [a.channel, a.recipient])).toEqual([["CHAT", "console:console-refus-relais:alertes"]]);
    expect((await alerts())[0]!.bodyText).toMatch(/suspendu/);

    // 2. the relay now refuses the content (554 after DATA): same command again
    relay.mode = "data554";
    const second = await jobRun();
    expect(second.out).toContain("relances 0");
    expect(second.code).toBe(1);
    expect(second.err).toMatch(/Envois suspendus/);
    expect(relay.refusals.filter((r) => r.at === "DATA").length).toBeGreaterThan(0);
    expect(relay.refusals.filter((r) => r.at === "DATA").length).toBeLessThanOrEqual(5);
    expect(relay.accepted).toHaveLength(0);
    expect(await flagged()).toBe(0);
    expect((await reminders()).ECHEC).toBeUndefined();
    expect((await reminders()).ENVOYE).toBeUndefined();
    expect((await t.db.mailCircuit.findUniqueOrThrow({ where: { id: "smtp" } })).open).toBe(true);
    // still one alert for this outage, never duplicated
    expect(await alerts()).toHaveLength(1);

    // 3. the relay is fixed: the same command sends what was held back, once
    relay.mode = "accept";
    const third = await jobRun();
    expect(third.code, third.err).toBe(0);
    expect(third.out).toContain("relances 0");
    expect(third.out).toMatch(new RegExp(`Reprise : ${MEMBERS} message\\(s\\)`));
    expect(third.out).toContain(`Envois : ${MEMBERS} envoyé(s)`);
    expect(await reminders()).toEqual({ ENVOYE: MEMBERS });
    const got = relay.byRecipient();
    for (const m of w.members) {
      expect(got.get(m.email)?.raw, m.email).toBe(1);
      expect(got.get(m.email)?.ids.size, m.email).toBe(1);
    }
    expect(relay.accepted).toHaveLength(MEMBERS);
    expect(await flagged()).toBe(0);
    expect((await t.db.mailCircuit.findUniqueOrThrow({ where: { id: "smtp" } })).open).toBe(false);
    expect(lines.some((l) => /envois repris/i.test(l))).toBe(true);
    const readyAgain = await createHttpApp(ctx).request("/ready");
    expect(readyAgain.status).toBe(200);
    expect(await readyAgain.json()).toMatchObject({ envois: { ok: true, etat: "actifs" } });
  }, 300_000); // ~20 s on a quiet machine

  it("le relais refuse TOUS les destinataires (550 relais interdit) : une panne d'envoi, pas 60 adresses invalides", async () => {
    const w2 = await seedRemindersWorld(t.db, "relais-interdit", 60);
    relay.mode = "rcpt550all";
    const before = relay.refusals.length;
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["job", "run", "dues-reminders", "--at", REMINDER_DAY, "--cpts", w2.slug], { out: (s) => out.push(s), err: (s) => err.push(s), context: async () => ctx });
    expect(code).toBe(1);
    expect(err.join("\n")).toMatch(/Envois suspendus/);
    expect(relay.refusals.length - before).toBeGreaterThanOrEqual(10);
    expect(await t.db.member.count({ where: { cptsId: w2.cptsId, emailInvalid: true } })).toBe(0);
    expect(await t.db.outboxMessage.count({ where: { cptsId: w2.cptsId, kind: "relance", state: { in: ["EN_ATTENTE", "ECHEC_TEMPORAIRE"] } } })).toBe(60);
    expect(await t.db.outboxMessage.count({ where: { cptsId: w2.cptsId, kind: "echec_envoi" } })).toBe(0);
    // fixed: re-run sends them all
    relay.mode = "accept";
    const again = await main(["job", "run", "dues-reminders", "--at", REMINDER_DAY, "--cpts", w2.slug], { out: (s) => out.push(s), err: (s) => err.push(s), context: async () => ctx });
    expect(again).toBe(0);
    expect(await t.db.outboxMessage.count({ where: { cptsId: w2.cptsId, kind: "relance", state: "ENVOYE" } })).toBe(60);
  }, 60_000);

  it("un seul destinataire refusé au RCPT TO (5.1.1) : seule son adresse est marquée, avec la date et la raison", async () => {
    const w3 = await seedRemindersWorld(t.db, "boite-inconnue", 30);
    relay.unknown.add(w3.members[4]!.email);
    const code = await main(["job", "run", "dues-reminders", "--at", REMINDER_DAY, "--cpts", w3.slug], { out: () => {}, err: () => {}, context: async () => ctx });
    expect(code).toBe(0);
    const marked = await t.db.member.findMany({ where: { cptsId: w3.cptsId, emailInvalid: true } });
    expect(marked.map((m) => m.email)).toEqual([w3.members[4]!.email]);
    expect(marked[0]!.emailInvalidAt).toBeInstanceOf(Date);
    expect(marked[0]!.emailInvalidReason).toMatch(/550.*5\.1\.1/);
    expect((await t.db.mailCircuit.findUniqueOrThrow({ where: { id: "smtp" } })).open).toBe(false);
  }, 60_000);
});
