// What the registry (jobs/index.ts), `coordo job list` and the scheduler's timetable need of each job, without
// loading its code (services, templates and their schemas): each definition file spreads its own entry.
import type { JobDefinition } from "../src/scheduler/job.ts";

export type JobMeta = Pick<JobDefinition, "id" | "description" | "cron" | "catchUp">;

export const JOB_META = {
  "dues-reminders": { id: "dues-reminders", description: "relances de cotisation selon la politique de chaque CPTS", cron: "0 9 * * *", catchUp: "all" },
  "newsletter-sends": { id: "newsletter-sends", description: "envoi des lettres d'information programmées et rappel de la périodicité", cron: "*/10 * * * *", catchUp: "latest" },
  // "latest": one run as of today: each deadline alerted once, with today's countdown
  "aci-deadline-alerts": { id: "aci-deadline-alerts", description: "alertes des échéances ACI et associatives (90, 30, 7 jours, le jour J, puis en retard)", cron: "0 8 * * *", catchUp: "latest" },
  "crisis-plan-refresh": { id: "crisis-plan-refresh", description: "demandes de relecture du plan de crise avant sa mise à jour annuelle", cron: "30 8 * * *", catchUp: "all" },
  "vote-purge": { id: "vote-purge", description: "clôture des votes d'AG arrivés à échéance et purge des bulletins après le délai", cron: "*/5 * * * *", catchUp: "latest" },
  housekeeping: {
    id: "housekeeping",
    description: "ménage des lignes techniques (dédoublonnage du chat, actions expirées, sessions, tentatives de connexion) et corps des mails envoyés après leur durée de conservation",
    cron: "30 3 * * *",
    catchUp: "latest",
  },
  "crisis-reminders": { id: "crisis-reminders", description: "rappel de l'appel du plan de crise à ceux qui n'ont pas répondu, après le délai choisi", cron: "*/5 * * * *", catchUp: "latest" },
  "database-backup": { id: "database-backup", description: "sauvegarde quotidienne de la base SQLite (BACKUP_DIR, BACKUP_KEEP gardées)", cron: "45 2 * * *", catchUp: "latest" },
} as const satisfies Record<string, JobMeta>;
