// Daily: each CPTS's reminder policy (rules) applied to members not up to date; one ledger row per
// member, dues year and step. A missed day is caught up (the latest due step goes out); a payment stops the next.
import { z } from "zod";
import { defineJob } from "../src/scheduler/job.ts";
import { JOB_META } from "./meta.ts";
import { countReminders, enqueueReminders } from "../src/app/services/dues-reminders.ts";
import { cptsIdsWithReminderPolicy } from "../src/db/repos/dues-repo.ts";

export const duesRemindersJob = defineJob({
  ...JOB_META["dues-reminders"],
  payload: z.object({}).default({}),
  async handler({ ctx, at, dryRun, cptsId }) {
    let cpts = 0, enqueued = 0, skipped = 0;
    const errors: string[] = [];
    for (const c of await cptsIdsWithReminderPolicy(ctx.db)) {
      if (cptsId && c.id !== cptsId) continue;
      cpts++;
      if (dryRun) {
        const p = await countReminders(ctx, c.id, at);
        enqueued += p.count;
        skipped += p.skipped;
        continue;
      }
      const r = await enqueueReminders(ctx, c.id, at, { trigger: "job", actor: "job:dues-reminders" });
      enqueued += r.enqueued;
      skipped += r.skipped;
      errors.push(...r.errors.map((e) => `${c.slug} ${e.memberId} : ${e.message}`));
    }
    return { cpts, relances: enqueued, "ignorés": skipped, ...(errors.length ? { erreurs: errors } : {}) };
  },
});
