// Daily: deadlines from the rules; alerts at each lead time to the coordinator and bureau (mail) and in the
// CPTS's alert channel, repeated while late (escalated to the CA), until marked done.
import { z } from "zod";
import { defineJob } from "../src/scheduler/job.ts";
import { sendDeadlineAlerts } from "../src/app/services/deadlines.ts";
import { allCptsIds } from "../src/db/repos/deadline-repo.ts";

export const aciDeadlineAlertsJob = defineJob({
  id: "aci-deadline-alerts",
  description: "alertes des échéances ACI et associatives (90, 30, 7 jours, le jour J, puis en retard)",
  cron: "0 8 * * *",
  catchUp: "latest", // one run as of today: each deadline alerted once, with today's countdown
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
