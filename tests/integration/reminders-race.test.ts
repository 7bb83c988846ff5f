// Two deciders racing for the same reminders (two replicas, or the job and a coordinator's /relance-cotisations
// confirmation): one ledger row and one outbox row per member, whoever wins. On PostgreSQL the two run on
// separate connections at the same time (the loser's bulk INSERT hits the unique index and its transaction is
// retried, finding the work done); on SQLite one connection serializes them.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { createDb, type Db } from "../../src/db/client.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { contextAt } from "./jobs-context.ts";
import { previewReminders, enqueueReminders } from "../../src/app/services/dues-reminders.ts";

const TODAY = "2026-03-20";
let t: TestDb;
let other: Db;
let cptsId: string;

beforeAll(async () => {
  t = await createTestDb();
  cptsId = (await loadDemo(t.db, TODAY)).cptsId;
  other = t.engine === "postgres" ? createDb(t.url) : t.db;
});
afterAll(async () => {
  if (other && other !== t.db) await other.$disconnect();
  await t?.cleanup();
});

describe(`relances décidées deux fois en même temps (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("une seule ligne de registre et un seul message par adhérent, quel que soit le gagnant", async () => {
    const a = contextAt(t, TODAY);
    const b = { ...contextAt(t, TODAY), db: other };
    const due = (await previewReminders(a, cptsId, TODAY)).count;
    expect(due).toBeGreaterThan(20);
    const [r1, r2] = await Promise.all([
      enqueueReminders(a, cptsId, TODAY, { trigger: "job", actor: "réplique A" }),
      enqueueReminders(b, cptsId, TODAY, { trigger: "chat", actor: "réplique B" }),
    ]);
    expect(r1.enqueued + r2.enqueued).toBe(due);
    expect(await t.db.reminderLedger.count({ where: { cptsId, year: 2026 } })).toBe(due);
    expect(await t.db.outboxMessage.count({ where: { cptsId, kind: "relance" } })).toBe(due);
    const keys = await t.db.outboxMessage.findMany({ where: { cptsId, kind: "relance" }, select: { memberId: true } });
    expect(new Set(keys.map((k) => k.memberId)).size).toBe(due);
  });
});
