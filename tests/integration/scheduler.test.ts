import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { z } from "zod";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { createDb, type Db } from "../../src/db/client.ts";
import { contextAt } from "./jobs-context.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { defineJob } from "../../src/scheduler/job.ts";
import { jobs, findJob } from "../../jobs/index.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { previewReminders } from "../../src/app/services/dues-reminders.ts";

let t: TestDb;
let second: Db;

beforeAll(async () => {
  t = await createTestDb();
  second = createDb(t.url);
});
afterAll(async () => {
  await second?.$disconnect();
  await t?.cleanup();
});

function countingJob(id: string, calls: string[], delayMs = 50) {
  return defineJob({
    id,
    description: "tâche de test",
    cron: "0 9 * * *",
    catchUp: "all",
    payload: z.object({}).default({}),
    async handler({ at }) {
      calls.push(at);
      await new Promise((r) => setTimeout(r, delayMs));
      return { appels: calls.length };
    },
  });
}

describe(`planificateur (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("deux instances qui se disputent le même créneau : une seule exécution", async () => {
    const calls: string[] = [];
    const job = countingJob("course", calls);
    const a = new Scheduler(contextAt(t, "2026-05-04"), [job]);
    const b = new Scheduler({ ...contextAt(t, "2026-05-04"), db: second }, [job]);
    const slot = new Date("2026-05-04T07:00:00.000Z");
    const outcomes = await Promise.all([a.runSlot(job, slot), b.runSlot(job, slot), a.runSlot(job, slot), b.runSlot(job, slot)]);
    expect(outcomes.filter((o) => o.status === "termine")).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === "deja_pris")).toHaveLength(3);
    expect(calls).toEqual(["2026-05-04"]);
    const runs = await t.db.jobRun.findMany({ where: { jobId: "course" } });
    expect(runs).toHaveLength(1);
    expect(runs[0]!.state).toBe("TERMINE");
    expect(runs[0]!.counts).toEqual({ appels: 1 });
  });

  it("rattrape au démarrage les créneaux manqués (borné), puis plus rien", async () => {
    const calls: string[] = [];
    const job = countingJob("rattrapage", calls, 0);
    const s = new Scheduler(contextAt(t, "2026-05-10"), [job]);
    await s.runSlot(job, new Date("2026-05-07T07:00:00.000Z")); // ran on the 7th, then the process was down
    calls.length = 0;
    const now = new Date("2026-05-10T08:30:00.000Z");
    const ran = await s.catchUp(now, 3);
    expect(calls).toEqual(["2026-05-08", "2026-05-09", "2026-05-10"]);
    expect(ran.every((r) => r.status === "termine")).toBe(true);
    expect(await s.catchUp(now, 3)).toEqual([]);
    // a second replica starting at the same time catches up nothing either
    expect(await new Scheduler({ ...contextAt(t, "2026-05-10"), db: second }, [job]).catchUp(now, 3)).toEqual([]);
  });

  it("reprend un créneau laissé en cours par un processus mort, pas celui d'un processus vivant", async () => {
    const calls: string[] = [];
    const job = countingJob("abandon", calls, 0);
    const now = new Date("2026-05-10T08:30:00.000Z");
    await t.db.jobRun.create({ data: { jobId: "abandon", slot: "2026-05-09T07:00:00.000Z", startedAt: new Date("2026-05-09T07:00:01.000Z"), host: "mort:1" } });
    await t.db.jobRun.create({ data: { jobId: "abandon", slot: "2026-05-10T07:00:00.000Z", startedAt: new Date(), host: "vivant:2" } });
    await t.db.jobRun.create({ data: { jobId: "abandon", slot: "2026-05-08T07:00:00.000Z", state: "TERMINE", host: "x" } });
    const s = new Scheduler(contextAt(t, "2026-05-10"), [job]);
    const ran = await s.catchUp(now, 3);
    expect(calls).toEqual(["2026-05-09"]);
    expect(ran).toEqual([{ job: "abandon", slot: "2026-05-09T07:00:00.000Z", status: "termine" }]);
    expect(await s.catchUp(now, 3)).toEqual([]);
    expect((await t.db.jobRun.findFirstOrThrow({ where: { jobId: "abandon", slot: "2026-05-09T07:00:00.000Z" } })).state).toBe("TERMINE");
  });

  it("journalise l'échec d'une tâche avec son erreur", async () => {
    const failing = defineJob({ id: "en-echec", description: "échoue", cron: "0 9 * * *", catchUp: "all", payload: z.object({}).default({}), handler: async () => { throw new Error("base injoignable"); } });
    const out = await new Scheduler(contextAt(t, "2026-05-04"), [failing]).runSlot(failing, new Date("2026-05-04T07:00:00.000Z"));
    expect(out.status).toBe("echec");
    const run = await t.db.jobRun.findFirstOrThrow({ where: { jobId: "en-echec" } });
    expect([run.state, run.error]).toEqual(["ECHEC", "base injoignable"]);
    expect(run.finishedAt).not.toBeNull();
  });

  it("un jour de relance manqué est rattrapé : la relance due part une fois, sans rafale des étapes passées", async () => {
    const demo = await loadDemo(t.db, "2026-02-10");
    const ctx = contextAt(t, "2026-02-17");
    const s = new Scheduler(ctx, [findJob("dues-reminders")!]);
    // down from the 14th to the 17th: step 2 (1 Jan + 45 days = 15 Feb) fell while the process was down
    const expected = await previewReminders(ctx, demo.cptsId, "2026-02-15");
    expect(expected.count).toBeGreaterThan(0);
    await s.catchUp(new Date("2026-02-17T09:30:00+01:00"), 3);
    const ledger = await t.db.reminderLedger.findMany({ where: { cptsId: demo.cptsId, year: 2026 } });
    expect(ledger).toHaveLength(expected.count);
    expect(ledger.every((l) => l.step === 2)).toBe(true);
    expect(await t.db.outboxMessage.count({ where: { cptsId: demo.cptsId, kind: "relance" } })).toBe(expected.count);
    const runs = await t.db.jobRun.findMany({ where: { jobId: "dues-reminders" }, orderBy: { slot: "asc" } });
    expect(runs.map((r) => (r.counts as { relances: number }).relances)).toEqual([expected.count, 0, 0]);
  });

  it("une exécution manuelle à une date rejoue la règle sans doubler ce qui est parti", async () => {
    const s = new Scheduler(contextAt(t, "2026-02-17"), jobs);
    const job = findJob("dues-reminders")!;
    const dry = await s.runManual(job, { at: "2026-02-17", dryRun: true });
    expect(dry.counts).toMatchObject({ relances: 0 });
    const alerts = await s.runManual(findJob("aci-deadline-alerts")!, { at: "2026-02-17" });
    expect(alerts.status).toBe("termine");
    const again = await s.runManual(findJob("aci-deadline-alerts")!, { at: "2026-02-17" });
    expect(again.counts).toMatchObject({ alertes: 0 });
  });
});
