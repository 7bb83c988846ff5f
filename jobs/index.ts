// The registry of scheduled jobs (explicit: one import per definition file).
import { lazyJob, type JobDefinition } from "../src/scheduler/job.ts";
import { JOB_META } from "./meta.ts";

// Each job's code is loaded at its first run (a dynamic import, one chunk of dist/ each): `coordo job run
// dues-reminders` does not load the votes, crisis or newsletter services, nor their templates and schemas.
export const jobs: JobDefinition[] = [
  lazyJob(JOB_META["dues-reminders"], async () => (await import("./dues-reminders.ts")).duesRemindersJob),
  lazyJob(JOB_META["newsletter-sends"], async () => (await import("./newsletter-sends.ts")).newsletterSendsJob),
  lazyJob(JOB_META["aci-deadline-alerts"], async () => (await import("./aci-deadline-alerts.ts")).aciDeadlineAlertsJob),
  lazyJob(JOB_META["crisis-plan-refresh"], async () => (await import("./crisis-plan-refresh.ts")).crisisPlanRefreshJob),
  lazyJob(JOB_META["vote-purge"], async () => (await import("./vote-purge.ts")).votePurgeJob),
  lazyJob(JOB_META.housekeeping, async () => (await import("./housekeeping.ts")).housekeepingJob),
  lazyJob(JOB_META["crisis-reminders"], async () => (await import("./crisis-reminders.ts")).crisisRemindersJob),
  lazyJob(JOB_META["database-backup"], async () => (await import("./database-backup.ts")).databaseBackupJob),
];

export function findJob(id: string): JobDefinition | undefined {
  return jobs.find((j) => j.id === id);
}
