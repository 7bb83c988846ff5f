// The "taches" component: once everything else is up (ready hook), catches up missed slots and schedules
// every job (unless JOBS_ENABLED=0). Catch-up never reaches before the installation (first migration
// applied): a fresh installation has nothing to catch up.
import type { Component } from "../app/components.ts";
import type { AppContext } from "../app/context.ts";
import { addReadyCheck } from "../http/server.ts";
import { jobs } from "../../jobs/index.ts";
import { Scheduler } from "./scheduler.ts";
import { pokeSender } from "../mail/component.ts";

/** When this database was installed: the first migration's application time (null if unknown). */
export async function installedAt(ctx: AppContext): Promise<Date | null> {
  try {
    const rows = await ctx.db.$queryRawUnsafe<{ t: string | Date | null }[]>("SELECT MIN(applied_at) AS t FROM coordo_migrations");
    const t = rows[0]?.t;
    const d = t instanceof Date ? t : typeof t === "string" ? new Date(t) : null;
    return d && !Number.isNaN(d.getTime()) ? d : null;
  } catch {
    return null;
  }
}

export const schedulerComponent: Component = {
  name: "taches",
  async start(ctx, http) {
    if (!ctx.config.JOBS_ENABLED) {
      ctx.log.info("tâches planifiées désactivées (JOBS_ENABLED=0)");
      return;
    }
    const scheduler = new Scheduler(ctx, jobs);
    scheduler.onAfterRun = pokeSender;
    let catching: Promise<unknown> = Promise.resolve();
    let started = false;
    addReadyCheck(http, "taches", async () => ({ ok: true, planifiees: started }));
    return {
      async ready() {
        scheduler.start();
        started = true;
        const now = ctx.clock.now();
        const notBefore = await installedAt(ctx);
        // catch-up runs in the background: start is not delayed by a long backlog
        catching = scheduler
          .catchUp(now, ctx.config.JOBS_CATCHUP_DAYS, notBefore ?? undefined)
          .then((ran) => ran.length && ctx.log.info("créneaux manqués rattrapés", { ran: ran.map((r) => `${r.job} ${r.slot} ${r.status}`) }))
          .catch((e) => ctx.log.error("rattrapage des tâches en échec", { error: e }));
        // a short catch-up is over before the banner (it is printed last)
        await Promise.race([catching, new Promise((r) => setTimeout(r, 3_000).unref())]);
      },
      async stop() {
        scheduler.stopRequested = true;
        await scheduler.stop();
        await catching;
      },
    };
  },
};
