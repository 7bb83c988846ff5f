// The claim of `coordo start`'s sender (no keys, the whole queue): every due row and only those (waiting and due,
// to retry and due, held under a lapsed lease), oldest first (same instant: as written on SQLite, in the index's
// order on PostgreSQL), `limit` at a time, the lapsed ones flagged « maybe sent », and the channel filter kept. On
// SQLite it is one index-ordered read per way of being due (issue 18: the single query with an OR sorted the whole
// queue for each batch, 126 ms with a national backlog); its plan is checked too, so that the regression cannot
// come back unseen.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { enqueueMessages, type OutboxDraft } from "../../src/app/services/outbox.ts";
import { CLAIM_ALL_SQL, OutboxRepository } from "../../src/db/repos/outbox-repo.ts";
import { sqliteDirect } from "../../src/db/sqlite-direct.ts";

const onPostgres = Boolean(process.env.TEST_PG_ADMIN_URL);
let t: TestDb;
let cptsId: string;
const NOW = new Date("2026-05-04T10:00:00.000Z");
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

beforeAll(async () => {
  t = await createTestDb();
  cptsId = (await t.db.cpts.create({ data: { slug: "file-ordre", name: "CPTS Ordre", population: 10_000 } })).id;
});
afterAll(async () => {
  await t?.cleanup();
});

describe(`prise des messages dus par le service, toute la file (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("tous les messages dus et eux seuls, du plus ancien au plus récent, par lots, les baux expirés signalés", async () => {
    // 48 rows: due times from 40 min before NOW, three rows sharing each instant (order then by id)
    const drafts: OutboxDraft[] = Array.from({ length: 48 }, (_, i) => ({
      cptsId,
      idempotencyKey: `ordre:${i}`,
      channel: i % 4 === 3 ? ("CHAT" as const) : ("MAIL" as const),
      kind: "test",
      recipient: i % 4 === 3 ? "slack:T1:C1" : `m${i}@ordre.fr`,
      subject: "Test",
      bodyText: `message ${i}`,
      notBefore: at(-2400 + Math.floor(((i * 7) % 48) / 3) * 60),
    }));
    await t.db.$transaction((tx) => enqueueMessages(tx, drafts));
    const rows = await t.db.outboxMessage.findMany({ where: { cptsId }, select: { id: true, idempotencyKey: true, nextAttemptAt: true } });
    const byKey = new Map(rows.map((r) => [r.idempotencyKey, r]));
    const key = (i: number) => byKey.get(`ordre:${i}`)!.id;
    const set = (is: number[], data: Parameters<typeof t.db.outboxMessage.updateMany>[0]["data"]) =>
      t.db.outboxMessage.updateMany({ where: { id: { in: is.map(key) } }, data });
    await set([0, 1, 2, 3, 4], { state: "ECHEC_TEMPORAIRE", attempts: 1 });
    await set([5, 6, 7, 8], { state: "EN_COURS", lockedBy: "ancien", lockedUntil: at(-60), attempts: 1 }); // lease lapsed
    await set([9, 10, 11], { state: "EN_COURS", lockedBy: "vivant", lockedUntil: at(300), attempts: 1 }); // still held
    await set([12, 13, 14], { state: "ENVOYE", sentAt: at(-30) });
    await set([15, 16, 17], { nextAttemptAt: at(600) }); // not yet
    await set([18], { state: "ECHEC" });
    const notDue = new Set([9, 10, 11, 12, 13, 14, 15, 16, 17, 18].map(key));
    const fresh = await t.db.outboxMessage.findMany({ where: { cptsId }, select: { id: true, nextAttemptAt: true, channel: true } });
    const expected = fresh
      .filter((r) => !notDue.has(r.id))
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || (a.id < b.id ? -1 : 1));
    expect(expected.length).toBe(38);

    const repo = new OutboxRepository(t.db, {});
    // the chat rows alone first (the chat notifiers' claim), then the rest
    const chat: string[] = [];
    const chatMaybeSent: string[] = [];
    for (let n = 0, got; n < 20 && (got = await repo.claim({ lockToken: `chat-${n}`, now: NOW, leaseMs: 60_000, limit: 4, channels: ["CHAT"] })).length; n++) {
      chat.push(...got.map((m) => m.id));
      chatMaybeSent.push(...got.filter((m) => m.maybeSent).map((m) => m.id));
    }
    // SQLite: by due time then as written (here, by id); PostgreSQL: by due time, rows due at the same instant in
    // the index's order (sorting them by id read a whole batch written at one instant for each claim)
    const inOrder = (got: string[], want: typeof expected) => {
      if (!onPostgres) return expect(got).toEqual(want.map((r) => r.id));
      const time = new Map(want.map((r) => [r.id, r.nextAttemptAt.getTime()]));
      expect([...got].sort()).toEqual(want.map((r) => r.id).sort());
      expect(got.map((id) => time.get(id)!)).toEqual(want.map((r) => r.nextAttemptAt.getTime()));
    };
    inOrder(chat, expected.filter((r) => r.channel === "CHAT"));
    expect(chatMaybeSent).toEqual([key(7)]); // the one chat row among the lapsed leases
    // batches of 2: each way of being due (4 to retry, 3 lapsed among the mails) is cut by the batch size
    const claimed: { id: string; maybeSent: boolean }[] = [];
    for (let n = 0, got; n < 40 && (got = await repo.claim({ lockToken: `lot-${n}`, now: NOW, leaseMs: 60_000, limit: 2 })).length; n++) {
      expect(got.length).toBeLessThanOrEqual(2);
      claimed.push(...got.map((m) => ({ id: m.id, maybeSent: m.maybeSent })));
    }
    inOrder(claimed.map((c) => c.id), expected.filter((r) => r.channel === "MAIL"));
    expect(claimed.filter((c) => c.maybeSent).map((c) => c.id).sort()).toEqual([5, 6, 8].map(key).sort());
    // the held, sent, failed and future rows were never taken
    const after = await t.db.outboxMessage.findMany({ where: { id: { in: [...notDue] } }, select: { state: true, lockedBy: true } });
    expect(after.map((r) => r.lockedBy ?? r.state).sort()).toEqual(["ECHEC", "EN_ATTENTE", "EN_ATTENTE", "EN_ATTENTE", "ENVOYE", "ENVOYE", "ENVOYE", "vivant", "vivant", "vivant"].sort());
  });

  it.skipIf(Boolean(process.env.TEST_PG_ADMIN_URL))("SQLite : chaque façon d'être dû est lue dans l'ordre de l'index, sans trier toute la file", async () => {
    const run = sqliteDirect(t.db)!;
    const plan = await run((c) => (c.prepare(`EXPLAIN QUERY PLAN ${CLAIM_ALL_SQL}`).all({ now: "2026-05-04T10:00:00.000+00:00", channels: null, limit: 200 }) as { detail: string }[]).map((r) => r.detail));
    expect(plan.join("\n")).not.toMatch(/MULTI-INDEX OR/);
    expect(plan.filter((d) => /SEARCH OutboxMessage USING INDEX OutboxMessage_state_nextAttemptAt_idx/.test(d)).length).toBe(3);
    // rows due at the same instant are not sorted again (by rowid, the index's last column): a batch enqueued in
    // one transaction shares one instant, and sorting its rows by id read them all for each claim
    expect(plan.join("\n")).not.toMatch(/LAST TERM OF ORDER BY/);
  });
});
