// The registry of scheduled jobs (explicit: one import per definition file).
import type { JobDefinition } from "../src/scheduler/job.ts";
import { duesRemindersJob } from "./dues-reminders.ts";
import { newsletterSendsJob } from "./newsletter-sends.ts";
import { aciDeadlineAlertsJob } from "./aci-deadline-alerts.ts";
import { crisisPlanRefreshJob } from "./crisis-plan-refresh.ts";
import { votePurgeJob } from "./vote-purge.ts";
import { housekeepingJob } from "./housekeeping.ts";
import { crisisRemindersJob } from "./crisis-reminders.ts";
import { databaseBackupJob } from "./database-backup.ts";

export const jobs: JobDefinition[] = [duesRemindersJob, newsletterSendsJob, aciDeadlineAlertsJob, crisisPlanRefreshJob, votePurgeJob, housekeepingJob, crisisRemindersJob, databaseBackupJob];

export function findJob(id: string): JobDefinition | undefined {
  return jobs.find((j) => j.id === id);
}
