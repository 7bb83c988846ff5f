// Daily: when the yearly crisis-plan refresh approaches, asks each section owner to review; reminds until
// the new version is recorded (whose date then feeds the funding rules as the plan-update year).
import { z } from "zod";
import { defineJob } from "../src/scheduler/job.ts";
import { JOB_META } from "./meta.ts";
import { sendCrisisReviewRequests } from "../src/app/services/crisis-plan.ts";
import { allCptsIds } from "../src/db/repos/deadline-repo.ts";

export const crisisPlanRefreshJob = defineJob({
  ...JOB_META["crisis-plan-refresh"],
  payload: z.object({}).default({}),
  async handler({ ctx, at, dryRun, cptsId }) {
    let requested = 0, skipped = 0;
    const errors: string[] = [];
    for (const c of await allCptsIds(ctx.db)) {
      if (cptsId && c.id !== cptsId) continue;
      const r = await sendCrisisReviewRequests(ctx, c.id, at, { dryRun });
      requested += r.requested;
      skipped += r.skipped;
      errors.push(...r.errors.map((e) => `${c.slug} ${e}`));
    }
    return { demandes: requested, "ignorés": skipped, ...(errors.length ? { erreurs: errors } : {}) };
  },
});
