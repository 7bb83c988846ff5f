// Daily: deadlines from the rules; alerts at each lead time to the coordinator and bureau (mail) and in the
// CPTS's alert channel, repeated while late (escalated to the CA), until marked done.
import { z } from "zod";
import { defineJob } from "../src/scheduler/job.ts";
import { JOB_META } from "./meta.ts";
import { sendDeadlineAlerts } from "../src/app/services/deadlines.ts";
import { allCptsIds } from "../src/db/repos/deadline-repo.ts";

export const aciDeadlineAlertsJob = defineJob({
  ...JOB_META["aci-deadline-alerts"],
  payload: z.object({}).default({}),
  async handler({ ctx, at, dryRun, cptsId }) {
    let alerts = 0, mails = 0, chat = 0;
    const errors: string[] = [];
    for (const c of await allCptsIds(ctx.db)) {
      if (cptsId && c.id !== cptsId) continue;
      const r = await sendDeadlineAlerts(ctx, c.id, at, { dryRun });
      alerts += r.alerts;
      mails += r.mails;
      chat += r.chat;
      errors.push(...r.errors.map((e) => `${c.slug} ${e}`));
    }
    return { alertes: alerts, mails, messages_chat: chat, ...(errors.length ? { erreurs: errors } : {}) };
  },
});
