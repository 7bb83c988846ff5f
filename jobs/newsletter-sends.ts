// Every 10 minutes: sends the scheduled newsletters that are due; nudges the coordinator when the
// CPTS's periodic newsletter (monthly, quarterly, half-yearly) is overdue.
import { z } from "zod";
import { defineJob } from "../src/scheduler/job.ts";
import { JOB_META } from "./meta.ts";
import { runNewsletterSends } from "../src/app/services/newsletters.ts";

export const newsletterSendsJob = defineJob({
  ...JOB_META["newsletter-sends"],
  payload: z.object({}).default({}),
  async handler({ ctx, dryRun, cptsId }) {
    const r = await runNewsletterSends(ctx, { dryRun, cptsId });
    return { lettres: r.sent, destinataires: r.recipients, rappels: r.nudges, ...(r.errors.length ? { erreurs: r.errors } : {}) };
  },
});
