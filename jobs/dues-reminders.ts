// Daily: each CPTS's reminder policy (rules) applied to members not up to date; one ledger row per
// member, dues year and step. A missed day is caught up (the latest due step goes out); a payment stops the next.
import { z } from "zod";
import { defineJob } from "../src/scheduler/job.ts";
import { JOB_META } from "./meta.ts";
import { countReminders, enqueueReminders } from "../src/app/services/dues-reminders.ts";
import { cptsIdsWithReminderPolicy } from "../src/db/repos/dues-repo.ts";
import type { Engine } from "../src/db/client.ts";

/**
 * CPTS decided at once, each in its own transaction. PostgreSQL: two, so that coordo prepares one CPTS while the
 * server writes the other's rows (national run, decisions alone: 17.9 → 14.5 s, and 879-1,018 → 1,000-1,117
 * mails/s end to end; issue 18). SQLite: one, its single connection serializes transactions anyway.
 */
export const decisionLanes = (engine: Engine): number => (engine === "postgres" ? 2 : 1);

export const duesRemindersJob = defineJob({
  ...JOB_META["dues-reminders"],
  payload: z.object({}).default({}),
  async handler({ ctx, at, dryRun, cptsId }) {
    const all = (await cptsIdsWithReminderPolicy(ctx.db)).filter((c) => !cptsId || c.id === cptsId);
    const done: { enqueued: number; skipped: number; errors: string[] }[] = [];
    let next = 0;
    /** The failure of the earliest CPTS (slug order), the one a single lane would have stopped on. */
    let failure: { at: number; error: unknown } | undefined;
    const fail = (at: number, error: unknown) => {
      if (!failure || at < failure.at) failure = { at, error };
    };
    const lane = async () => {
      // a failure stops every lane after its current CPTS (committed or rolled back whole), as one lane would
      while (!failure && next < all.length) {
        const i = next++;
        const c = all[i]!;
        try {
          if (dryRun) {
            const p = await countReminders(ctx, c.id, at);
            done[i] = { enqueued: p.count, skipped: p.skipped, errors: [] };
          } else {
            const r = await enqueueReminders(ctx, c.id, at, { trigger: "job", actor: "job:dues-reminders" });
            done[i] = { enqueued: r.enqueued, skipped: r.skipped, errors: r.errors.map((e) => `${c.slug} ${e.memberId} : ${e.message}`) };
          }
        } catch (e) {
          fail(i, e);
          return;
        }
      }
    };
    // every lane has ended before the run's outcome is written: nothing is decided after it
    await Promise.all(Array.from({ length: decisionLanes(ctx.engine) }, lane));
    if (failure) throw failure.error;
    let enqueued = 0, skipped = 0;
    const errors: string[] = [];
    for (const r of done) (enqueued += r.enqueued), (skipped += r.skipped), errors.push(...r.errors);
    return { cpts: all.length, relances: enqueued, "ignorés": skipped, ...(errors.length ? { erreurs: errors } : {}) };
  },
});
