// The dues-reminders job decides two CPTS at once on PostgreSQL (jobs/dues-reminders.ts, issue 18), one on SQLite.
// What must not change: every CPTS's reminders written once and whole, the summary's counts, and a failure that
// stops the run with nothing decided after it and nothing half-written. On PostgreSQL a third connection watches
// pg_stat_activity to see the two decision transactions open at the same time.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { createDb, type Db } from "../../src/db/client.ts";
import { contextAt } from "./jobs-context.ts";
import { seedRemindersWorld, REMINDER_DAY, type RemindersWorld } from "./reminders-world.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { jobs, findJob } from "../../jobs/index.ts";
import { decisionLanes } from "../../jobs/dues-reminders.ts";

const CPTS = 8;
const MEMBERS = 120;
let t: TestDb;
let watcher: Db | undefined;
const worlds: RemindersWorld[] = [];

beforeAll(async () => {
  t = await createTestDb();
  for (let i = 0; i < CPTS; i++) worlds.push(await seedRemindersWorld(t.db, `voie-${i}`, MEMBERS));
  if (t.engine === "postgres") watcher = createDb(t.url);
}, 120_000);
afterAll(async () => {
  await watcher?.$disconnect();
  await t?.cleanup();
});

/** [ledger rows, reminder mails] of each CPTS of `list`. */
const counts = async (list: RemindersWorld[] = worlds) =>
  Promise.all(list.map(async (w) => [await t.db.reminderLedger.count({ where: { cptsId: w.cptsId } }), await t.db.outboxMessage.count({ where: { cptsId: w.cptsId, kind: "relance" } })]));

/** Most decision transactions seen open at once while `run` goes on (PostgreSQL's view of its sessions). */
async function widestOverlap<T>(run: () => Promise<T>): Promise<{ result: T; overlap: number }> {
  let overlap = 0;
  let running = true;
  const watch = (async () => {
    while (running && watcher) {
      // coordo's own sessions only (not autovacuum's), inside a transaction and not waiting for the client
      const [row] = await watcher.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
          AND xact_start IS NOT NULL AND state <> 'idle'`;
      overlap = Math.max(overlap, Number(row!.n));
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  try {
    return { result: await run(), overlap };
  } finally {
    running = false;
    await watch;
  }
}

describe(`relances : plusieurs CPTS décidées à la fois (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("chaque CPTS reçoit ses relances une fois, entières ; le résumé compte tout", async () => {
    const ctx = contextAt(t, REMINDER_DAY);
    const { result, overlap } = await widestOverlap(() => new Scheduler(ctx, jobs).runManual(findJob("dues-reminders")!, { at: REMINDER_DAY }));
    expect(result.status).toBe("termine");
    expect(result.counts).toMatchObject({ cpts: CPTS, relances: CPTS * MEMBERS });
    expect(await counts()).toEqual(worlds.map(() => [MEMBERS, MEMBERS]));
    if (t.engine === "postgres") {
      expect(overlap).toBeGreaterThanOrEqual(2); // two CPTS's transactions were open at the same instant
      expect(decisionLanes("postgres")).toBe(2);
    } else {
      expect(decisionLanes("sqlite")).toBe(1);
    }
    // the same day again: everything is already decided
    const again = await new Scheduler(ctx, jobs).runManual(findJob("dues-reminders")!, { at: REMINDER_DAY });
    expect(again.counts).toMatchObject({ cpts: CPTS, relances: 0 });
    expect(await counts()).toEqual(worlds.map(() => [MEMBERS, MEMBERS]));
  }, 120_000);

  it("une CPTS en panne arrête l'exécution : rien d'écrit pour elle ni après elle, rien décidé après la fin annoncée", async () => {
    // a real fault of the database: every ledger insert of the first CPTS (in slug order) of eight not yet reminded is refused
    const fresh: RemindersWorld[] = [];
    for (let i = 0; i < CPTS; i++) fresh.push(await seedRemindersWorld(t.db, `panne-${i}`, MEMBERS));
    const target = fresh[0]!;
    if (t.engine === "postgres") {
      await t.db.$executeRawUnsafe(`CREATE FUNCTION refuse_ledger() RETURNS trigger AS $$ BEGIN
        IF NEW."cptsId" = '${target.cptsId}' THEN RAISE EXCEPTION 'registre refusé (panne simulée)'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
    }
    try {
      if (t.engine === "postgres") {
        await t.db.$executeRawUnsafe(`CREATE TRIGGER refuse_ledger BEFORE INSERT ON "ReminderLedger" FOR EACH ROW EXECUTE FUNCTION refuse_ledger()`);
      } else {
        await t.db.$executeRawUnsafe(`CREATE TRIGGER refuse_ledger BEFORE INSERT ON "ReminderLedger"
          WHEN NEW."cptsId" = '${target.cptsId}' BEGIN SELECT RAISE(ABORT, 'registre refusé (panne simulée)'); END`);
      }
      const outcome = await new Scheduler(contextAt(t, REMINDER_DAY), jobs).runManual(findJob("dues-reminders")!, { at: REMINDER_DAY });
      expect(outcome.status).toBe("echec");
      expect(outcome.error).toContain("registre refusé");
      const after = await counts(fresh);
      // the broken CPTS: nothing; every other: all of its reminders or none (one transaction each)
      expect(after[0]).toEqual([0, 0]);
      for (const r of after) expect([[0, 0], [MEMBERS, MEMBERS]]).toContainEqual(r);
      const decidedAfter = after.slice(1).filter((r) => r[0] === MEMBERS).length;
      // one lane stops at once; with two, the other finishes the CPTS it holds (and at most one taken meanwhile)
      if (t.engine === "postgres") expect(decidedAfter).toBeLessThanOrEqual(2);
      else expect(decidedAfter).toBe(0);
      // no lane goes on once the run has ended
      await new Promise((r) => setTimeout(r, 300));
      expect(await counts(fresh)).toEqual(after);
    } finally {
      await t.db.$executeRawUnsafe(`DROP TRIGGER IF EXISTS refuse_ledger${t.engine === "postgres" ? ` ON "ReminderLedger"` : ""}`);
      if (t.engine === "postgres") await t.db.$executeRawUnsafe(`DROP FUNCTION IF EXISTS refuse_ledger()`);
    }
  }, 120_000);

  it("les messages non rendus sont listés dans l'ordre des CPTS, quelle que soit la voie qui finit d'abord", async () => {
    // a payment link that is not a URL: the reminder template refuses it for every member of that CPTS
    const big = await seedRemindersWorld(t.db, "ordre-1", 4000);
    await seedRemindersWorld(t.db, "ordre-2", 2);
    const small = await seedRemindersWorld(t.db, "ordre-3", 3);
    for (const w of [big, small]) await t.db.cpts.update({ where: { id: w.cptsId }, data: { paymentLink: "pas un lien" } });
    const outcome = await new Scheduler(contextAt(t, REMINDER_DAY), jobs).runManual(findJob("dues-reminders")!, { at: REMINDER_DAY });
    expect(outcome.status).toBe("termine");
    const errors = outcome.counts!.erreurs as string[];
    expect(errors).toHaveLength(4003);
    expect(errors.map((e) => e.split(" ")[0])).toEqual([...Array(4000).fill("ordre-1"), ...Array(3).fill("ordre-3")]);
    expect(errors.map((e) => e.split(" ")[1])).toEqual([...big.members, ...small.members].map((m) => m.id));
  }, 120_000);
});
