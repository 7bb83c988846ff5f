// Daily at 2:45: a backup of the SQLite database into BACKUP_DIR (coordo-AAAA-MM-JJ.db), the BACKUP_KEEP
// most recent kept. PostgreSQL is left to pg_dump / the host's backups (see README, Sauvegardes).
import { join } from "node:path";
import { existsSync } from "node:fs";
import { z } from "zod";
import { defineJob } from "../src/scheduler/job.ts";
import { JOB_META } from "./meta.ts";
import { backupDatabase, backupFileName, pruneDailyBackups } from "../src/app/backup.ts";

export const databaseBackupJob = defineJob({
  ...JOB_META["database-backup"],
  payload: z.object({}).default({}),
  async handler({ ctx, dryRun }) {
    const { DATABASE_URL: url, BACKUP_DIR: dir, BACKUP_KEEP: keep } = ctx.config;
    if (ctx.engine !== "sqlite" || keep === 0) return { sauvegardes: 0, supprimees: 0 };
    const file = join(dir, backupFileName(url, ctx.clock.now(), true));
    if (dryRun) return { sauvegardes: existsSync(file) ? 0 : 1, supprimees: 0 };
    // a second run the same day (manual, catch-up) keeps the first copy of the day
    const written = existsSync(file) ? 0 : (await backupDatabase(url, file), 1);
    return { sauvegardes: written, supprimees: pruneDailyBackups(dir, keep).length };
  },
});
