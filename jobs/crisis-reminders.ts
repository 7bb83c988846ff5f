// Every 5 minutes: the reminder of an open crisis activation to those who have not answered the
// roll-call, once its delay (chosen at activation, `rappel=`) has elapsed. Sent once: the
// activation is marked in the same transaction as the messages.
import { z } from "zod";
import { defineJob } from "../src/scheduler/job.ts";
import { JOB_META } from "./meta.ts";
import { sendDueCrisisReminders } from "../src/app/services/crisis-activation.ts";

export const crisisRemindersJob = defineJob({
  ...JOB_META["crisis-reminders"],
  payload: z.object({}).default({}),
  async handler({ ctx, dryRun, cptsId }) {
    const r = await sendDueCrisisReminders(ctx, ctx.clock.now(), { dryRun, cptsId });
    return { activations: r.activations, rappels: r.mails };
  },
});
