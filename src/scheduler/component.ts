// The "taches" component: catches up missed slots, then schedules every job (unless JOBS_ENABLED=0).
import type { Component } from "../app/components.ts";
import { jobs } from "../../jobs/index.ts";
import { Scheduler } from "./scheduler.ts";
import { pokeSender } from "../mail/component.ts";

export const schedulerComponent: Component = {
  name: "taches",
  async start(ctx) {
    if (!ctx.config.JOBS_ENABLED) {
      ctx.log.info("tâches planifiées désactivées (JOBS_ENABLED=0)");
      return;
    }
    const scheduler = new Scheduler(ctx, jobs);
    scheduler.onAfterRun = pokeSender;
    scheduler.start();
    // catch-up runs in the background: start is not delayed by a long backlog
    const catching = scheduler
      .catchUp(ctx.clock.now(), ctx.config.JOBS_CATCHUP_DAYS)
      .then((ran) => ran.length && ctx.log.info("créneaux manqués rattrapés", { ran }))
      .catch((e) => ctx.log.error("rattrapage des tâches en échec", { error: e }));
    return {
      async stop() {
        await catching;
        await scheduler.stop();
      },
    };
  },
};
