// One coordo scheduler process of the race test: connects, prints PRET, waits for "GO" on stdin, then tries to run each of the
// slots given on argv with the production Scheduler (claim in JobRun, then the handler), several at a
// time, and prints how many it ran and how many the other process had already taken.
import { createInterface } from "node:readline";
import { z } from "zod";
import { loadConfig } from "../../src/config.ts";
import { createDb, engineOf } from "../../src/db/client.ts";
import { silentLogger } from "../../src/log.ts";
import { systemClock } from "../../src/app/context.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { defineJob } from "../../src/scheduler/job.ts";

const config = loadConfig(process.env);
const db = createDb(config.DATABASE_URL);
const ctx = { config, db, engine: engineOf(config.DATABASE_URL), log: silentLogger, clock: systemClock };
const me = process.argv[2]!;
const slots = JSON.parse(process.argv[3]!) as string[];

// The job's visible effect: one audit row per execution, naming the slot and the process.
const raceJob = defineJob({
  id: "course-creneaux",
  description: "tâche de test de concurrence",
  cron: "* * * * *",
  catchUp: "latest",
  payload: z.object({}).default({}),
  async handler({ ctx: jobCtx }) {
    await jobCtx.db.auditLog.create({ data: { actor: `job:${me}`, action: "course.execution", target: jobCtx.clock.now().toISOString() } });
    return { execute: 1 };
  },
});

const scheduler = new Scheduler(ctx, [raceJob]);
await db.$queryRawUnsafe("SELECT 1");
process.stdout.write("PRET\n");
await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once("line", () => resolve()));
let ran = 0;
let taken = 0;
let failed = 0;
let next = 0;
await Promise.all(
  Array.from({ length: 4 }, async () => {
    while (next < slots.length) {
      const slot = new Date(slots[next++]!);
      const outcome = await scheduler.runSlot(raceJob, slot);
      if (outcome.status === "termine") ran++;
      else if (outcome.status === "deja_pris") taken++;
      else failed++;
    }
  }),
);
await db.$disconnect();
process.stdout.write(`${JSON.stringify({ me, ran, taken, failed })}\n`);
