// Daily at 3:30: deletes the technical rows that only serve for a while (chat dedupe keys after 7 days,
// chat actions 30 days after expiry or use, expired admin sessions, login attempts after a day, the uploaded files
// of member imports no longer needed), and reduces the
// bodies of mails sent more than MAIL_BODY_RETENTION_DAYS ago to what the audit needs.
import { z } from "zod";
import { defineJob } from "../src/scheduler/job.ts";
import { JOB_META } from "./meta.ts";
import { purgeTechnicalRows } from "../src/db/repos/housekeeping-repo.ts";
import { reduceOldMailBodies } from "../src/db/repos/mail-retention-repo.ts";

export const housekeepingJob = defineJob({
  ...JOB_META["housekeeping"],
  payload: z.object({}).default({}),
  async handler({ ctx, dryRun }) {
    return {
      ...(await purgeTechnicalRows(ctx.db, ctx.clock.now(), { dryRun })),
      corps_mails_reduits: await reduceOldMailBodies(ctx.db, ctx.clock.now(), ctx.config.MAIL_BODY_RETENTION_DAYS, { dryRun }),
    };
  },
});
