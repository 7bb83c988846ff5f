import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { isUniqueViolation } from "../../src/db/client.ts";
import { insertNewRows, OutboxRepository } from "../../src/db/repos/outbox-repo.ts";
import { insertRows, newRowId } from "../../src/db/raw-insert.ts";
import { writeAudit } from "../../src/db/repos/admin-repo.ts";
import { sqliteDateTime, sqliteDirectHandle, withTransactionConnection, type SqliteConnection } from "../../src/db/sqlite-direct.ts";
import { pgDirect, pgTransactionClient, runBoundTransaction } from "../../src/db/pg-direct.ts";
import { enqueueMessages, inTransaction, collectEnqueued } from "../../src/app/services/outbox.ts";
import Database from "better-sqlite3";
import pg from "pg";
import { Prisma } from "../../src/db/generated/postgres/client.ts";
import { jsonColumn, plainRows } from "../../src/db/direct-read.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { loadRulesInputs } from "../../src/db/repos/cpts-rules-repo.ts";
import { MemberRepository } from "../../src/db/repos/member-repo.ts";
import { sqlitePath, type Db, type Tx } from "../../src/db/client.ts";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.cleanup();
});

const engine = process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite";
const at = new Date("2026-03-04T05:06:07.089Z");

describe(`lignes écrites en SQL brut (${engine})`, () => {
  it("une ligne d'outbox insérée en lot se relit exactement comme celle créée par Prisma (date, énumération, en-têtes présents ou absents)", async () => {
    const cpts = await t.db.cpts.create({ data: { slug: "brut", name: "CPTS Brut", population: 10_000 } });
    const base = { cptsId: cpts.id, kind: "relance", recipient: "a@exemple-sante.fr", subject: "Objet", bodyText: "Texte", nextAttemptAt: at };
    await t.db.outboxMessage.create({ data: { ...base, idempotencyKey: "prisma:1", channel: "MAIL", headers: { "List-Unsubscribe": "<https://x/desabonnement>" } } });
    await t.db.outboxMessage.create({ data: { ...base, idempotencyKey: "prisma:2", channel: "CHAT" } });
    const inserted = await t.db.$transaction((tx) =>
      insertNewRows(tx, [
        { ...base, idempotencyKey: "brut:1", channel: "MAIL", headers: { "List-Unsubscribe": "<https://x/desabonnement>" } },
        { ...base, idempotencyKey: "brut:2", channel: "CHAT", headers: null },
        { ...base, idempotencyKey: "prisma:1", channel: "MAIL" }, // already there: skipped
      ]),
    );
    expect(inserted).toBe(2);
    const rows = new Map((await t.db.outboxMessage.findMany({ where: { cptsId: cpts.id } })).map((r) => [r.idempotencyKey, r]));
    const comparable = (key: string) => {
      const { id, idempotencyKey, createdAt, ...rest } = rows.get(key)!;
      expect(id).toMatch(/^c[0-9a-z]{24}$/);
      expect(createdAt).toBeInstanceOf(Date);
      return rest;
    };
    expect(comparable("brut:1")).toEqual(comparable("prisma:1"));
    expect(comparable("brut:2")).toEqual(comparable("prisma:2"));
    expect(rows.get("brut:1")!.headers).toEqual({ "List-Unsubscribe": "<https://x/desabonnement>" });
    expect(rows.get("brut:2")!.headers).toBeNull();
    // a raw row is due and claimable like any other
    const claimed = await new OutboxRepository(t.db).claim({ lockToken: "brut", now: new Date(at.getTime() + 1000), leaseMs: 60_000, limit: 10 });
    expect(claimed.map((c) => c.idempotencyKey).sort()).toEqual(["brut:1", "brut:2", "prisma:1", "prisma:2"]);
  });

  it("markSentMany : date et identifiant du serveur (ou rien) par ligne, seulement les lignes encore tenues par ce verrou", async () => {
    const repo = new OutboxRepository(t.db);
    const rows = new Map((await t.db.outboxMessage.findMany({ where: { lockedBy: "brut" } })).map((r) => [r.idempotencyKey, r]));
    const sentAt = new Date("2026-03-05T01:02:03.004Z");
    const id = (k: string) => rows.get(k)!.id;
    // on PostgreSQL the marks go through the adapter's pg pool (pg-direct.ts), known once Prisma has connected
    if (engine === "PostgreSQL") expect(pgDirect(t.db)).toBeDefined();
    expect(await repo.markSentMany([{ id: id("prisma:2"), providerId: "<x@y>" }], "autre-verrou", sentAt)).toBe(0);
    expect(await repo.markSentMany([{ id: id("brut:1"), providerId: "<a@exemple>" }, { id: id("brut:2"), providerId: null }, { id: id("prisma:1"), providerId: null }], "brut", sentAt)).toBe(3);
    // a second mark of the same rows changes nothing (no longer EN_COURS)
    expect(await repo.markSentMany([{ id: id("brut:1"), providerId: "<autre@exemple>" }], "brut", sentAt)).toBe(0);
    const after = new Map((await t.db.outboxMessage.findMany({ where: { idempotencyKey: { in: [...rows.keys()] } } })).map((r) => [r.idempotencyKey, r]));
    expect(after.get("brut:1")).toMatchObject({ state: "ENVOYE", sentAt, providerId: "<a@exemple>", lockedBy: null, lockedUntil: null, lastError: null });
    expect(after.get("brut:2")).toMatchObject({ state: "ENVOYE", sentAt, providerId: null, lockedBy: null });
    expect(after.get("prisma:2")).toMatchObject({ state: "EN_COURS", sentAt: null, lockedBy: "brut" });
    // same row as the query builder's markSent writes
    expect(await repo.markSent(id("prisma:2"), "brut", sentAt, null)).toBe(true);
    const { id: _a, idempotencyKey: _b, createdAt: _c, ...viaPrisma } = (await t.db.outboxMessage.findUniqueOrThrow({ where: { id: id("prisma:2") } }))!;
    const { id: _d, idempotencyKey: _e, createdAt: _f, ...viaRaw } = after.get("brut:2")!;
    expect(viaRaw).toEqual(viaPrisma);
  });

  it("deux prises en même temps se partagent les lignes dues, sans doublon", async () => {
    const cpts = await t.db.cpts.create({ data: { slug: "prises", name: "CPTS Prises", population: 10_000 } });
    const keys = Array.from({ length: 20 }, (_, i) => `prise:${i}`);
    await t.db.outboxMessage.createMany({ data: keys.map((k, i) => ({ cptsId: cpts.id, idempotencyKey: k, channel: "MAIL" as const, kind: "relance", recipient: `p${i}@exemple-sante.fr`, bodyText: "x", nextAttemptAt: at })) });
    const now = new Date(at.getTime() + 1000);
    const [a, b] = await Promise.all(["A", "B"].map((lockToken) => new OutboxRepository(t.db, { keys }).claim({ lockToken, now, leaseMs: 60_000, limit: 10 })));
    expect(a!.length + b!.length).toBe(20);
    expect(new Set([...a!, ...b!].map((m) => m.idempotencyKey))).toEqual(new Set(keys));
    expect([...a!, ...b!].every((m) => !m.maybeSent)).toBe(true);
  });

  it.skipIf(engine !== "PostgreSQL")("PostgreSQL, une seule requête : les lignes qu'une autre prise tient verrouillées sont sautées sans attendre, puis ne sont plus dues", async () => {
    const cpts = await t.db.cpts.create({ data: { slug: "sautees", name: "CPTS Sautées", population: 10_000 } });
    const keys = Array.from({ length: 6 }, (_, i) => `saut:${i}`);
    await t.db.outboxMessage.createMany({ data: keys.map((k, i) => ({ cptsId: cpts.id, idempotencyKey: k, channel: "MAIL" as const, kind: "relance", recipient: `s${i}@exemple-sante.fr`, bodyText: "x", nextAttemptAt: new Date(at.getTime() + i) })) });
    const now = new Date(at.getTime() + 1000);
    // another sender's claim, in the middle of its transaction: it holds the first three rows
    const other = new pg.Client({ connectionString: t.url });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query(`SELECT "id" FROM "OutboxMessage" WHERE "idempotencyKey" = ANY($1::text[]) FOR UPDATE`, [keys.slice(0, 3)]);
      const mine = await new OutboxRepository(t.db, { keys }).claim({ lockToken: "moi", now, leaseMs: 60_000, limit: 10 });
      expect(mine.map((m) => m.idempotencyKey)).toEqual(keys.slice(3));
      // it takes them for 5 minutes and commits: they are not due any more, for anybody
      await other.query(`UPDATE "OutboxMessage" SET "state" = 'EN_COURS', "lockedBy" = 'autre', "lockedUntil" = $2::timestamp(3) WHERE "idempotencyKey" = ANY($1::text[])`, [keys.slice(0, 3), new Date(now.getTime() + 300_000).toISOString().slice(0, -1)]);
      await other.query("COMMIT");
    } finally {
      await other.end();
    }
    expect(await new OutboxRepository(t.db, { keys }).claim({ lockToken: "encore", now, leaseMs: 60_000, limit: 10 })).toEqual([]);
    const held = await t.db.outboxMessage.findMany({ where: { idempotencyKey: { in: keys } }, orderBy: { idempotencyKey: "asc" } });
    expect(held.map((r) => [r.lockedBy, r.attempts])).toEqual([["autre", 0], ["autre", 0], ["autre", 0], ["moi", 1], ["moi", 1], ["moi", 1]]);
  });

  it.skipIf(engine !== "PostgreSQL")("PostgreSQL : une ligne au bail expiré est reprise « peut-être déjà remise », relue comme Prisma la lit (dates, en-têtes, corps)", async () => {
    const cpts = await t.db.cpts.create({ data: { slug: "bail", name: "CPTS Bail", population: 10_000 } });
    const headers = { "List-Unsubscribe": "<https://x/desabonnement>", "X-Accent": "Crème brûlée" };
    const base = { cptsId: cpts.id, channel: "MAIL" as const, kind: "relance", subject: "Cotisation 2026 — rappel", bodyText: "Bonjour Inès,\nMerci.", bodyHtml: "<p>Bonjour Inès</p>", refType: "relance", refId: "2026:1", nextAttemptAt: at };
    await t.db.outboxMessage.create({ data: { ...base, idempotencyKey: "bail:mort", recipient: "m@exemple-sante.fr", headers, state: "EN_COURS", lockedBy: "mort", lockedUntil: new Date(at.getTime() - 1), attempts: 1 } });
    await t.db.outboxMessage.create({ data: { ...base, idempotencyKey: "bail:neuf", recipient: "n@exemple-sante.fr", nextAttemptAt: new Date(at.getTime() + 500) } });
    await t.db.outboxMessage.create({ data: { ...base, idempotencyKey: "bail:vivant", recipient: "v@exemple-sante.fr", state: "EN_COURS", lockedBy: "vivant", lockedUntil: new Date(at.getTime() + 60_000), attempts: 1 } });
    await t.db.outboxMessage.create({ data: { ...base, idempotencyKey: "bail:plus-tard", recipient: "p@exemple-sante.fr", nextAttemptAt: new Date(at.getTime() + 5000) } });
    const claimed = await new OutboxRepository(t.db, { keys: ["bail:mort", "bail:neuf", "bail:vivant", "bail:plus-tard"] }).claim({ lockToken: "repreneur", now: new Date(at.getTime() + 1000), leaseMs: 60_000, limit: 10 });
    expect(claimed.map((m) => [m.idempotencyKey, m.maybeSent, m.attempts])).toEqual([["bail:mort", true, 2], ["bail:neuf", false, 1]]);
    const rows = await t.db.outboxMessage.findMany({ where: { idempotencyKey: { in: ["bail:mort", "bail:neuf"] } }, orderBy: { nextAttemptAt: "asc" } });
    for (const [i, r] of rows.entries()) {
      expect(claimed[i]).toEqual({
        id: r.id, cptsId: r.cptsId, idempotencyKey: r.idempotencyKey, channel: r.channel, kind: r.kind, recipient: r.recipient, memberId: r.memberId, subject: r.subject,
        bodyText: r.bodyText, bodyHtml: r.bodyHtml, headers: r.headers, refType: r.refType, refId: r.refId, attempts: r.attempts, createdAt: r.createdAt, maybeSent: i === 0,
      });
      expect(r).toMatchObject({ state: "EN_COURS", lockedBy: "repreneur", lockedUntil: new Date(at.getTime() + 61_000) });
    }
    expect(claimed[0]!.headers).toEqual(headers);
  });

  /**
   * Runs `claim` with `inject` run on the connection right after the claim's first statement (its read), under
   * the same lock: what another process could do between the read and the update, at that exact point.
   */
  async function claimWithInjection<T>(claim: () => Promise<T>, inject: (c: SqliteConnection) => void): Promise<T> {
    const handle = sqliteDirectHandle(t.db)!;
    const run = handle.run!;
    let statements = 0;
    handle.run = (f) =>
      run((c) => {
        const r = f(c);
        if (++statements === 1) inject(c);
        return r;
      });
    try {
      return await claim();
    } finally {
      handle.run = run;
    }
  }

  it.skipIf(engine !== "SQLite")("des candidats tous pris par un autre processus entre la lecture et la prise : la prise relit et prend les suivants au lieu de revenir vide", async () => {
    const cpts = await t.db.cpts.findFirstOrThrow({ where: { slug: "prises" } });
    const keys = Array.from({ length: 6 }, (_, i) => `suivant:${i}`);
    await t.db.outboxMessage.createMany({ data: keys.map((k, i) => ({ cptsId: cpts.id, idempotencyKey: k, channel: "MAIL" as const, kind: "relance", recipient: `s${i}@exemple-sante.fr`, bodyText: "x", nextAttemptAt: new Date(at.getTime() + i) })) });
    const now = new Date(at.getTime() + 1000);
    // another process takes the 3 candidates the claim has just read
    const claimed = await claimWithInjection(
      () => new OutboxRepository(t.db, { keys }).claim({ lockToken: "D", now, leaseMs: 60_000, limit: 3 }),
      (c) => c.prepare(`UPDATE "OutboxMessage" SET "state" = 'EN_COURS', "lockedBy" = 'autre', "lockedUntil" = ? WHERE "idempotencyKey" IN ('suivant:0', 'suivant:1', 'suivant:2')`).run(sqliteDateTime(new Date(now.getTime() + 60_000))),
    );
    expect(claimed.map((m) => m.idempotencyKey)).toEqual(["suivant:3", "suivant:4", "suivant:5"]);
  });

  it.skipIf(engine !== "SQLite")("une ligne prise puis abandonnée par un autre processus entre la lecture et la prise est reprise « peut-être déjà remise »", async () => {
    const cpts = await t.db.cpts.findFirstOrThrow({ where: { slug: "prises" } });
    await t.db.outboxMessage.create({ data: { cptsId: cpts.id, idempotencyKey: "abandon:1", channel: "MAIL", kind: "relance", recipient: "q@exemple-sante.fr", bodyText: "x", nextAttemptAt: at } });
    const now = new Date(at.getTime() + 1000);
    // another process took it, got its 250 and died: held under a lapsed lease
    const claimed = await claimWithInjection(
      () => new OutboxRepository(t.db, { keys: ["abandon:1"] }).claim({ lockToken: "C", now, leaseMs: 60_000, limit: 10 }),
      (c) => c.prepare(`UPDATE "OutboxMessage" SET "state" = 'EN_COURS', "lockedBy" = 'mort', "lockedUntil" = ?, "attempts" = 1 WHERE "idempotencyKey" = 'abandon:1'`).run(sqliteDateTime(new Date(at.getTime() - 1000))),
    );
    expect(claimed).toHaveLength(1);
    expect(claimed[0]).toMatchObject({ idempotencyKey: "abandon:1", maybeSent: true, attempts: 2 });
  });

  it("une entrée du journal écrite en SQL brut (writeAudit) se relit comme celle créée par Prisma (détails JSON, date, sans cible)", async () => {
    const cpts = await t.db.cpts.findFirstOrThrow({ where: { slug: "brut" } });
    const details = { at: "2026-03-04", year: 2026, enqueued: 3, trigger: "job", nested: { ok: true, list: [1, "deux"] } };
    await t.db.auditLog.create({ data: { cptsId: cpts.id, actor: "job:dues-reminders", action: "test.prisma", details, at } });
    const before = Date.now();
    await inTransaction(t.db, (tx: Tx) => writeAudit(tx, { cptsId: cpts.id, actor: "job:dues-reminders", action: "test.brut", details }));
    await writeAudit(t.db, { cptsId: null, actor: "cli", action: "test.brut-sans-details", target: "cible" });
    const rows = new Map((await t.db.auditLog.findMany({ where: { action: { startsWith: "test." } } })).map((r) => [r.action, r]));
    const { id: idA, at: atA, action: _a, ...viaPrisma } = rows.get("test.prisma")!;
    const { id: idB, at: atB, action: _b, ...viaRaw } = rows.get("test.brut")!;
    expect(viaRaw).toEqual(viaPrisma);
    expect(viaRaw.details).toEqual(details);
    expect(idB).toMatch(/^c[0-9a-z]{24}$/);
    expect(atB.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(atB.getTime()).toBeLessThanOrEqual(Date.now() + 5);
    expect(rows.get("test.brut-sans-details")).toMatchObject({ cptsId: null, actor: "cli", target: "cible", details: null });
  });

  it("le registre des relances en lot : mêmes valeurs qu'avec Prisma, et un doublon est reconnu comme violation d'unicité", async () => {
    const cpts = await t.db.cpts.findFirstOrThrow({ where: { slug: "brut" } });
    const member = await t.db.member.create({ data: { cptsId: cpts.id, joinedOn: "2026-01-01", email: "b@exemple-sante.fr" } });
    await t.db.reminderLedger.create({ data: { cptsId: cpts.id, memberId: member.id, year: 2026, step: 1, trigger: "job", createdAt: at } });
    const columns = ["id", "cptsId", "memberId", "year", "step", "trigger", "cancelled", "createdAt"];
    expect(await insertRows(t.db, "ReminderLedger", columns, [[newRowId(), cpts.id, member.id, 2026, 2, "job", false, at]])).toBe(1);
    const [a, b] = await t.db.reminderLedger.findMany({ where: { memberId: member.id }, orderBy: { step: "asc" } });
    expect({ ...b!, id: a!.id, step: 1 }).toEqual(a);
    const dup = await insertRows(t.db, "ReminderLedger", columns, [[newRowId(), cpts.id, member.id, 2026, 2, "job", false, at]]).catch((e: unknown) => e);
    expect(isUniqueViolation(dup)).toBe(true);
  });

  it("les identifiants en lot sont uniques et croissants dans un processus", () => {
    const ids = Array.from({ length: 5000 }, () => newRowId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it("dans inTransaction (écrit sur la connexion de la transaction, SQLite comme PostgreSQL) : mêmes lignes que Prisma, annulées avec la transaction, doublon reconnu", async () => {
    const cpts = await t.db.cpts.findFirstOrThrow({ where: { slug: "brut" } });
    const draft = (key: string, channel: "MAIL" | "CHAT" = "MAIL") => ({
      cptsId: cpts.id, idempotencyKey: key, channel, kind: "relance", recipient: channel === "MAIL" ? "a@exemple-sante.fr" : "slack:T1:C1",
      subject: "Objet", bodyText: "Texte", notBefore: at, ...(channel === "MAIL" ? { headers: { "List-Unsubscribe": "<https://x/desabonnement>" } } : {}),
    });
    // written and committed: read back by Prisma exactly like the rows Prisma created in the first test
    const { keys } = await collectEnqueued(() =>
      inTransaction(t.db, (tx) => {
        // PostgreSQL: the transaction's own pg connection is known to its body (pg-direct.ts), not Prisma's raw query
        if (engine === "PostgreSQL") expect(pgTransactionClient(tx)).toBeDefined();
        return enqueueMessages(tx, [draft("tx:1"), draft("tx:2", "CHAT"), draft("prisma:1")]);
      }),
    );
    expect(keys.sort()).toEqual(["tx:1", "tx:2"]);
    const rows = new Map((await t.db.outboxMessage.findMany({ where: { cptsId: cpts.id } })).map((r) => [r.idempotencyKey, r]));
    const comparable = (key: string) => {
      const { id: _i, idempotencyKey: _k, createdAt, state: _s, attempts: _a, lockedBy: _l, lockedUntil: _u, sentAt: _t, providerId: _p, ...rest } = rows.get(key)!;
      expect(createdAt).toBeInstanceOf(Date);
      return rest;
    };
    expect(rows.get("tx:1")).toMatchObject({ state: "EN_ATTENTE", attempts: 0, nextAttemptAt: at, lockedBy: null });
    expect(comparable("tx:1")).toEqual({ ...comparable("prisma:1"), refType: null, refId: null });
    expect(comparable("tx:2")).toEqual({ ...comparable("prisma:2"), recipient: "slack:T1:C1" });
    // the decision fails after its inserts: nothing of it stays
    const failed = await inTransaction(t.db, async (tx) => {
      await enqueueMessages(tx, [draft("tx:annule")]);
      throw new Error("décision refusée");
    }).catch((e: Error) => e.message);
    expect(failed).toBe("décision refusée");
    expect(await t.db.outboxMessage.count({ where: { idempotencyKey: "tx:annule" } })).toBe(0);
    // a key inserted twice in one transaction is a unique violation (what inTransaction retries on)
    const dup = await t.db.$transaction((tx) => insertNewRows(tx, [{ ...draft("tx:3"), nextAttemptAt: at }]).then(() => insertRows(tx, "OutboxMessage", ["id", "cptsId", "idempotencyKey", "channel", "kind", "recipient", "bodyText"], [[newRowId(), cpts.id, "tx:3", "MAIL", "relance", "a@exemple-sante.fr", "x"]]))).catch((e: unknown) => e);
    expect(isUniqueViolation(dup)).toBe(true);
    const dupTx = await inTransaction(t.db, (tx) => insertRows(tx, "OutboxMessage", ["id", "cptsId", "idempotencyKey", "channel", "kind", "recipient", "bodyText"], [[newRowId(), cpts.id, "tx:1", "MAIL", "relance", "a@exemple-sante.fr", "x"]]), 1).catch((e: unknown) => e);
    expect(isUniqueViolation(dupTx)).toBe(true);
    expect(await t.db.outboxMessage.count({ where: { idempotencyKey: "tx:1" } })).toBe(1);
  });

  it("deux transactions en même temps : chacune écrit sur sa propre connexion, celle qui échoue ne laisse rien, l'autre tout", async () => {
    const cpts = await t.db.cpts.findFirstOrThrow({ where: { slug: "brut" } });
    const drafts = (prefix: string) =>
      Array.from({ length: 150 }, (_, i) => ({ cptsId: cpts.id, idempotencyKey: `${prefix}:${i}`, channel: "MAIL" as const, kind: "relance", recipient: `p${i}@exemple-sante.fr`, subject: "Objet", bodyText: "Texte « 10 € »", notBefore: at }));
    let inBoth = 0;
    let bothIn!: () => void;
    const together = new Promise<void>((r) => (bothIn = r));
    const body = (prefix: string, fail: boolean) => async (tx: Tx) => {
      await enqueueMessages(tx, drafts(prefix));
      // both have written before either ends (PostgreSQL: two open transactions; SQLite: one after the other)
      if (engine === "PostgreSQL" && ++inBoth === 2) bothIn();
      if (engine === "PostgreSQL") await together;
      if (fail) throw new Error("refusée");
    };
    const [kept, dropped] = await Promise.allSettled([inTransaction(t.db, body("garde", false)), inTransaction(t.db, body("jette", true))]);
    expect(kept.status).toBe("fulfilled");
    expect(dropped.status).toBe("rejected");
    expect(await t.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: "garde:" } } })).toBe(150);
    expect(await t.db.outboxMessage.count({ where: { idempotencyKey: { startsWith: "jette:" } } })).toBe(0);
    const one = await t.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: "garde:7" } });
    expect(one).toMatchObject({ nextAttemptAt: at, bodyText: "Texte « 10 € »", recipient: "p7@exemple-sante.fr", state: "EN_ATTENTE" });
  });

  it("une transaction hors délai pendant ses insertions en lot ne laisse aucune ligne (rien n'est écrit après sa fin, ni validé à part)", async () => {
    const cpts = await t.db.cpts.create({ data: { slug: "delai", name: "CPTS Délai", population: 10_000 } });
    const rows = Array.from({ length: 5000 }, (_, i) => [newRowId(), cpts.id, "job:test", "test.delai", `ligne ${i}`, null, new Date()]);
    const ended = await runBoundTransaction((bind) =>
      t.db.$transaction(
        bind(
          withTransactionConnection(t.db, async (tx: Tx) => {
            // 50 statements of 100 rows on PostgreSQL: the 100 ms run out in the middle of them
            await insertRows(tx, "AuditLog", ["id", "cptsId", "actor", "action", "target", "details", "at"], rows);
            await new Promise((r) => setTimeout(r, 300));
          }),
        ),
        { timeout: 100, maxWait: 5_000 },
      ),
    ).then(
      () => "validée",
      () => "refusée",
    );
    expect(ended).toBe("refusée");
    await new Promise((r) => setTimeout(r, 300)); // what was still queued on the connection has run by now
    expect(await t.db.auditLog.count({ where: { action: "test.delai" } })).toBe(0);
  });

  it("une fois sa transaction terminée, un client de transaction n'écrit plus rien (ni sur la connexion, ni ailleurs)", async () => {
    const cpts = await t.db.cpts.findFirstOrThrow({ where: { slug: "brut" } });
    let kept: Tx | undefined;
    await inTransaction(t.db, async (tx) => {
      kept = tx;
      await enqueueMessages(tx, [{ cptsId: cpts.id, idempotencyKey: "apres:1", channel: "MAIL", kind: "relance", recipient: "a@exemple-sante.fr", subject: "Objet", bodyText: "Texte" }]);
    });
    const late = await enqueueMessages(kept!, [{ cptsId: cpts.id, idempotencyKey: "apres:2", channel: "MAIL", kind: "relance", recipient: "a@exemple-sante.fr", subject: "Objet", bodyText: "Texte" }]).then(
      () => "écrit",
      () => "refusé",
    );
    expect(late).toBe("refusé");
    expect(await t.db.outboxMessage.count({ where: { idempotencyKey: { in: ["apres:1", "apres:2"] } } })).toBe(1);
  });

  it.skipIf(engine !== "SQLite")("une prise sans rien à envoyer ne prend pas le verrou d'écriture (un autre processus écrit longuement)", async () => {
    await t.db.outboxMessage.updateMany({ where: { state: { in: ["EN_ATTENTE", "ECHEC_TEMPORAIRE", "EN_COURS"] } }, data: { state: "ANNULE" } });
    const other = new Database(sqlitePath(t.url), { timeout: 50 });
    try {
      other.prepare("BEGIN IMMEDIATE").run(); // another process's long write transaction
      const claimed = await new OutboxRepository(t.db).claim({ lockToken: "vide", now: new Date(), leaseMs: 60_000, limit: 10 });
      expect(claimed).toEqual([]);
    } finally {
      other.prepare("ROLLBACK").run();
      other.close();
    }
  });
});

describe(`lectures simples hors Prisma (${engine})`, () => {
  it("plainRows rend les mêmes lignes que $queryRaw (texte, entier, booléen, énumération, Json, valeurs nulles), dans une transaction comme hors transaction", async () => {
    const cpts = await t.db.cpts.create({ data: { slug: "lecture", name: "CPTS Lecture « é »", population: 10_000, settings: { majoration: true, delais: [1, 2] } } });
    await t.db.member.create({ data: { cptsId: cpts.id, firstName: "Inès", lastName: null, email: "ines@exemple-sante.fr", category: "PROFESSIONNEL", duesExempt: true, joinedOn: "2026-01-02" } });
    await t.db.member.create({ data: { cptsId: cpts.id, firstName: "Paul", lastName: "Martin", email: null, category: "STRUCTURE" } });
    const q = Prisma.sql`SELECT c."name", c."settings", c."population", m."firstName", m."lastName", m."category", m."duesExempt", m."joinedOn",
        (m."email" IS NOT NULL) AS "hasEmail"
      FROM "Cpts" c JOIN "Member" m ON m."cptsId" = c."id" WHERE c."id" = ${cpts.id} AND m."status" = ${"ACTIF"} ORDER BY m."firstName"`;
    const viaPrisma = await t.db.$queryRaw<Record<string, unknown>[]>(q);
    const norm = (rows: Record<string, unknown>[]) => rows.map((r) => ({ ...r, settings: jsonColumn(r.settings), duesExempt: Boolean(r.duesExempt), hasEmail: Boolean(r.hasEmail) }));
    expect(viaPrisma).toHaveLength(2);
    expect(norm(await plainRows<Record<string, unknown>>(t.db, q))).toEqual(norm(viaPrisma));
    expect(norm(await inTransaction(t.db, (tx: Tx) => plainRows<Record<string, unknown>>(tx, q)))).toEqual(norm(viaPrisma));
    // inside the transaction, on its own connection: its uncommitted write is seen (the pool would not see it)
    const seen = await inTransaction(t.db, async (tx: Tx) => {
      await tx.member.create({ data: { cptsId: cpts.id, firstName: "Zoé", email: "zoe@exemple-sante.fr" } });
      if (engine === "PostgreSQL") expect(pgTransactionClient(tx)).toBeDefined();
      return (await plainRows<{ firstName: string }>(tx, q)).map((r) => r.firstName);
    });
    expect(seen).toEqual(["Inès", "Paul", "Zoé"]);
    expect(norm(viaPrisma)[0]).toMatchObject({ firstName: "Inès", lastName: null, category: "PROFESSIONNEL", duesExempt: true, joinedOn: "2026-01-02", hasEmail: true, settings: { majoration: true, delais: [1, 2] } });
  });
});

describe(`données des règles lues hors Prisma (${engine})`, () => {
  it("loadRulesInputs (contrat, avenants, missions, indicateurs, réglages) : le même résultat que par $queryRaw", async () => {
    const demo = await loadDemo(t.db, "2026-03-20");
    // dated facts of every kind, read by loadDatedFacts (accents, nulls, amounts)
    await t.db.cptsFact.create({ data: { cptsId: demo.cptsId, kind: "AIDE_FIR", occurredOn: "2026-02-01", amountCents: 3_900_000, detail: "Aide « démarrage »" } });
    await t.db.governanceChange.create({ data: { cptsId: demo.cptsId, changedOn: "2026-01-15", description: "Nouvelle présidente élue" } });
    await t.db.cpamReceipt.create({ data: { cptsId: demo.cptsId, receivedOn: "2026-03-01", amountCents: 1_234_500, lines: "", note: null } });
    const direct = await loadRulesInputs(t.db, demo.cptsId);
    // a transaction opened by Prisma alone: no pg connection bound to it, the reads go through $queryRaw
    const viaPrisma = await t.db.$transaction((tx) => loadRulesInputs(tx as unknown as Db, demo.cptsId));
    expect(direct).not.toBeNull();
    // every kind of column is there: missions (dates, booleans), indicators (floats), done deadlines
    expect(direct!.funding!.missions!.length).toBeGreaterThan(0);
    expect(Object.keys(direct!.funding!.indicatorAchievement!).length).toBeGreaterThan(0);
    expect(direct!.funding!.memberCount).toBeGreaterThan(0);
    expect(direct!.facts.facts.map((f) => f.detail)).toContain("Aide « démarrage »");
    expect(direct!.facts.receipts).toHaveLength(1);
    expect(direct).toEqual(viaPrisma);
  });
});

describe(`adhérent lu hors Prisma (${engine})`, () => {
  it("MemberRepository (fiche, rôles, tarif, paiements) : le même résultat que par $queryRaw", async () => {
    const demo = await loadDemo(t.db, "2026-03-20");
    const withRoles = await t.db.member.findFirstOrThrow({ where: { cptsId: demo.cptsId, roles: { some: {} } }, select: { id: true } });
    const paying = await t.db.duesPayment.findFirstOrThrow({ where: { cptsId: demo.cptsId }, select: { memberId: true } });
    const read = (db: Db) => Promise.all([withRoles.id, paying.memberId].map(async (id) => {
      const repo = new MemberRepository(db);
      return [await repo.findById(demo.cptsId, id), await repo.findWithRate(demo.cptsId, id, 2026), await repo.payments(demo.cptsId, id)];
    }));
    const direct = await read(t.db);
    expect((direct[0]![0] as { roles: unknown[] }).roles.length).toBeGreaterThan(0);
    expect((direct[1]![2] as unknown[]).length).toBeGreaterThan(0);
    expect(direct).toEqual(await t.db.$transaction((tx) => read(tx as unknown as Db)));
  });
});
