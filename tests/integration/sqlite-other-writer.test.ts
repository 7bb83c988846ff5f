// SQLite shared with another process that commits all the time: `coordo start` sending a backlog while an operator
// runs `coordo job run dues-reminders`. A DEFERRED transaction reads first; once another connection has committed
// after that first read, SQLite refuses AT ONCE to let it write (SQLITE_BUSY_SNAPSHOT, « database is locked »: the
// busy timeout does not apply). The run failed on its first CPTS (found measuring issue 18 with the decisions and
// the sending in two processes). coordo's transactions take the write lock first, waiting for the other process.
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import Database from "better-sqlite3";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient as SqliteClient } from "../../src/db/generated/sqlite/client.ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { serializedSqlite, sqliteBusyFr, sqlitePath, type Db } from "../../src/db/client.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { contextAt } from "./jobs-context.ts";
import { enqueueReminders, previewReminders } from "../../src/app/services/dues-reminders.ts";
import { inTransaction } from "../../src/app/services/outbox.ts";

const TODAY = "2026-03-20";
const onPostgres = Boolean(process.env.TEST_PG_ADMIN_URL);

// The other process: one commit every ≈ 0.2 ms (a row each), as long as the test runs; it stops by itself after
// two minutes, or as soon as its parent is gone (a killed test worker leaves no writer behind).
const WRITER = `
const Database = require(process.argv[1]);
const db = new Database(process.argv[2], { timeout: 10000 });
const insert = db.prepare('INSERT INTO "writer_probe" ("n") VALUES (?)');
const pause = new Int32Array(new SharedArrayBuffer(4));
const parent = process.ppid;
const end = Date.now() + 120000;
process.stdout.write("ready\\n");
for (let n = 1; ; n++) {
  insert.run(n);
  Atomics.wait(pause, 0, 0, 0.2);
  if (n % 500 === 0 && (Date.now() > end || process.ppid !== parent)) break;
}
`;

let t: TestDb;
let writer: ChildProcess | undefined;
let cptsId: string;

async function probeRows(): Promise<number> {
  const [r] = await t.db.$queryRawUnsafe<{ n: bigint | number }[]>('SELECT count(*) AS "n" FROM "writer_probe"');
  return Number(r!.n);
}

describe.skipIf(onPostgres)("SQLite : un autre processus écrit sans cesse pendant que coordo décide (coordo job run à côté de coordo start)", () => {
  beforeAll(async () => {
    t = await createTestDb();
    cptsId = (await loadDemo(t.db, TODAY)).cptsId;
    await t.db.$executeRawUnsafe('CREATE TABLE "writer_probe" ("n" INTEGER NOT NULL)');
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    writer = spawn(process.execPath, ["-e", WRITER, driver, sqlitePath(t.url)], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      writer!.stdout!.once("data", () => resolve());
      writer!.once("exit", (code) => reject(new Error(`l'autre processus s'est arrêté (code ${code})`)));
    });
    // it is committing
    for (let i = 0; i < 200 && (await probeRows()) < 20; i++) await new Promise((r) => setTimeout(r, 10));
  });

  afterAll(async () => {
    if (writer && writer.exitCode === null) {
      const gone = new Promise((r) => writer!.once("exit", r));
      writer.kill("SIGKILL");
      await gone;
    }
    await t?.cleanup();
  });

  it("les relances d'une CPTS sont décidées et mises en file (plus de « database is locked »), l'autre processus continue", async () => {
    const ctx = contextAt(t, TODAY);
    const due = (await previewReminders(ctx, cptsId, TODAY)).count;
    expect(due).toBeGreaterThan(20);
    const before = await probeRows();
    const r = await enqueueReminders(ctx, cptsId, TODAY, { trigger: "job", actor: "job:dues-reminders" });
    expect(r.errors).toEqual([]);
    expect(r.enqueued).toBe(due);
    expect(await t.db.reminderLedger.count({ where: { cptsId, year: 2026 } })).toBe(due);
    expect(await t.db.outboxMessage.count({ where: { cptsId, kind: "relance" } })).toBe(due);
    // the other process waited for coordo's transaction, then went on writing
    for (let i = 0; i < 200 && (await probeRows()) <= before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await probeRows()).toBeGreaterThan(before);
  });

  it("une transaction qui lit puis écrit réussit à chaque fois (20 de suite)", async () => {
    for (let i = 0; i < 20; i++) {
      await inTransaction(t.db, async (tx) => {
        const c = await tx.cpts.findUniqueOrThrow({ where: { id: cptsId }, select: { name: true } });
        // a few milliseconds between the read and the write: the other process commits meanwhile
        await new Promise((r) => setTimeout(r, 3));
        await tx.auditLog.create({ data: { cptsId, actor: "test", action: "test.lecture-puis-ecriture", details: JSON.stringify({ i, name: c.name }) } });
      });
    }
    expect(await t.db.auditLog.count({ where: { cptsId, action: "test.lecture-puis-ecriture" } })).toBe(20);
  });

  it("un verrou gardé au-delà de l'attente : la transaction échoue sans rien écrire, la connexion sert encore", async () => {
    // coordo's adapter as in production, with a 1 s wait instead of 10 s
    const db = new SqliteClient({ adapter: serializedSqlite(new PrismaBetterSQLite3({ url: `file:${sqlitePath(t.url)}`, timeout: 1_000 } as { url: string })) }) as unknown as Db;
    const locker = new Database(sqlitePath(t.url));
    try {
      const write = (tag: string) => inTransaction(db, (tx) => tx.auditLog.create({ data: { cptsId, actor: "test", action: `test.verrou.${tag}` } }));
      locker.exec("BEGIN IMMEDIATE");
      let error: unknown;
      try {
        await write("refusee");
      } catch (e) {
        error = e;
      } finally {
        locker.exec("COMMIT");
      }
      expect(String((error as Error)?.message ?? error)).toMatch(/busy|locked/i);
      // what a job's failure says (scheduler): French, what to do, and nothing lost
      expect(sqliteBusyFr(error)).toMatch(/^la base SQLite est restée occupée par un autre processus plus de 10 secondes .* relancez la commande/);
      expect(sqliteBusyFr(error)).not.toMatch(/database|locked/);
      expect(sqliteBusyFr(new Error("CPTS inconnue : x"))).toBeUndefined();
      // a plain query (no transaction) refused the same way: Prisma's « Operation has timed out », same sentence
      locker.exec("BEGIN IMMEDIATE");
      let plain: unknown;
      try {
        await db.auditLog.create({ data: { cptsId, actor: "test", action: "test.verrou.simple" } });
      } catch (e) {
        plain = e;
      } finally {
        locker.exec("COMMIT");
      }
      expect(plain).toBeDefined();
      expect(sqliteBusyFr(plain)).toMatch(/^la base SQLite est restée occupée par un autre processus/);
      await write("acceptee");
      expect(await t.db.auditLog.count({ where: { cptsId, action: { startsWith: "test.verrou." } } })).toBe(1);
      expect(await t.db.auditLog.count({ where: { cptsId, action: "test.verrou.acceptee" } })).toBe(1);
    } finally {
      locker.close();
      await db.$disconnect();
    }
  });
});
