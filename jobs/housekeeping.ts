// Daily at 3:30: deletes the technical rows that only serve for a while (chat dedupe keys after 7 days,
// chat actions 30 days after expiry or use, expired admin sessions, login attempts after a day).
import { z } from "zod";
import { defineJob } from "../src/scheduler/job.ts";
import { purgeTechnicalRows } from "../src/db/repos/housekeeping-repo.ts";

export const housekeepingJob = defineJob({
  id: "housekeeping",
  description: "ménage des lignes techniques (dédoublonnage du chat, actions expirées, sessions, tentatives de connexion)",
  cron: "30 3 * * *",
  catchUp: "latest",
  payload: z.object({}).default({}),
  async handler({ ctx, dryRun }) {
    return { ...(await purgeTechnicalRows(ctx.db, ctx.clock.now(), { dryRun })) };
  },
});
