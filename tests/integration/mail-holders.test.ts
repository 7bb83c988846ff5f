// Crash resume (issue 11 §2): a lease names its holder; a dead holder's rows are taken over at once (same host and
// its pid gone, or its heartbeat too old), a live one's never. And temporary failures are retried for 48 h
// (exponential backoff capped at 1 h) before becoming final.
import { spawnSync } from "node:child_process";
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { MailWorkerRepository } from "../../src/db/repos/mail-circuit-repo.ts";
import { holderIdentity } from "../../src/mail/circuit.ts";
import { OutboxSender, type OutboxStore } from "../../src/mail/sender.ts";
import type { ClaimedMessage } from "../../src/db/repos/outbox-repo.ts";
import type { MailTransport } from "../../src/mail/transport.ts";
import { silentLogger } from "../../src/log.ts";

let t: TestDb;
let cptsId: string;
beforeAll(async () => {
  t = await createTestDb();
  cptsId = (await t.db.cpts.create({ data: { slug: "baux", name: "CPTS des Baux", population: 10_000 } })).id;
});
afterAll(async () => t?.cleanup());

const held = (key: string, lockedBy: string) =>
  t.db.outboxMessage.create({
    data: { cptsId, idempotencyKey: key, channel: "MAIL", kind: "relance", recipient: `${key}@exemple-sante.fr`, subject: "s", bodyText: "b", state: "EN_COURS", attempts: 1, lockedBy, lockedUntil: new Date(Date.now() + 5 * 60_000) },
  });

describe(`baux nommés et reprise immédiate (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("le bail d'un processus mort de cette machine, ou muet depuis trop longtemps, est repris aussitôt ; celui d'un vivant jamais", async () => {
    const me = holderIdentity();
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!; // a process that has exited
    const deadHolder = `${me.host}/${dead}/${me.bootId}/deadbeef`;
    const liveHolder = `${me.host}/${process.ppid}/${me.bootId}/cafecafe`; // the test runner: alive
    const otherBoot = `${me.host}/${process.pid}/autreboot/0000`; // this pid, but before a reboot
    const farStale = "autre-hote/4242/b00t/1111";
    const farFresh = "autre-hote/4343/b00t/2222";
    await held("mort", `${deadHolder}:u1`);
    await held("vivant", `${liveHolder}:u2`);
    await held("redemarre", `${otherBoot}:u3`);
    await held("muet", `${farStale}:u4`);
    await held("bavard", `${farFresh}:u5`);
    await held("ancien-format", `1234-abcd:u6`);
    const registry = new MailWorkerRepository(t.db);
    await registry.register({ id: farStale, host: "autre-hote", pid: 4242, bootId: "b00t" }, new Date(Date.now() - 5 * 60_000));
    await registry.register({ id: farFresh, host: "autre-hote", pid: 4343, bootId: "b00t" }, new Date());
    const freed = await registry.takeOverDead(me, new Date(), 60_000);
    expect(freed).toBe(3);
    const rows = await t.db.outboxMessage.findMany({ where: { cptsId }, select: { idempotencyKey: true, lockedUntil: true } });
    const lapsed = rows.filter((r) => r.lockedUntil! < new Date()).map((r) => r.idempotencyKey).sort();
    expect(lapsed).toEqual(["mort", "muet", "redemarre"]);
    expect(await t.db.mailWorker.findUnique({ where: { id: farStale } })).toBeNull();
    expect(await t.db.mailWorker.findUnique({ where: { id: farFresh } })).not.toBeNull();
  });
});

describe("réessais pendant 48 h (moteur d'envoi, horloge simulée)", () => {
  it("une erreur temporaire est réessayée avec une attente doublée plafonnée à 1 h, et ne devient définitive qu'après 48 h", async () => {
    let clock = Date.UTC(2026, 2, 2, 8, 0, 0);
    const created = new Date(clock);
    const row: ClaimedMessage & { state: string; next: number; lockedBy: string | null } = {
      id: "m1", cptsId: "c", idempotencyKey: "k1", channel: "MAIL", kind: "relance", recipient: "r@x.fr", memberId: null, subject: "s", bodyText: "b", bodyHtml: null, headers: null,
      attempts: 0, createdAt: created, maybeSent: false, state: "EN_ATTENTE", next: clock, lockedBy: null,
    };
    const finish = async (tok: string, patch: object) => (row.lockedBy === tok ? (Object.assign(row, patch, { lockedBy: null }), true) : false);
    const store: OutboxStore = {
      async claim({ lockToken, now }) {
        if (!["EN_ATTENTE", "ECHEC_TEMPORAIRE"].includes(row.state) || row.next > now.getTime()) return [];
        Object.assign(row, { state: "EN_COURS", lockedBy: lockToken, attempts: row.attempts + 1 });
        return [{ ...row }];
      },
      async renew() {},
      markSent: (_id, tok) => finish(tok, { state: "ENVOYE" }),
      markCaptured: (_id, tok) => finish(tok, { state: "CAPTURE" }),
      markRetry: (_id, tok, next) => finish(tok, { state: "ECHEC_TEMPORAIRE", next: next.getTime() }),
      markFailed: (_id, tok) => finish(tok, { state: "ECHEC" }),
      async release() {},
      async flagMemberEmailInvalid() { return null; },
      async coordinatorEmails() { return []; },
      async cptsName() { return "CPTS"; },
      async insert() { return 0; },
    };
    const transport: MailTransport = { async send() { throw Object.assign(new Error("451 4.3.0 relais surchargé"), { responseCode: 451, command: "DATA" }); }, close() {} };
    const sender = new OutboxSender(store, transport, () => undefined, silentLogger, { mailFrom: "a@cpts.fr", concurrency: 1, ratePerSecond: 0 }, () => new Date(clock));
    const delays: number[] = [];
    while (row.state !== "ECHEC" && row.attempts < 500) {
      await sender.drainOnce();
      if (row.state === "ECHEC_TEMPORAIRE") delays.push(row.next - clock);
      clock = Math.max(clock, row.next);
    }
    expect(row.state).toBe("ECHEC");
    expect(clock - created.getTime()).toBeGreaterThanOrEqual(48 * 3600_000);
    expect(clock - created.getTime()).toBeLessThan(50 * 3600_000);
    expect(delays.slice(0, 4)).toEqual([60_000, 120_000, 240_000, 480_000]);
    expect(Math.max(...delays)).toBe(3600_000);
    expect(row.attempts).toBeGreaterThan(40);
  });
});
