// A scheduled job is a definition: id, French description, cron (Europe/Paris), zod payload, handler.
import type { z } from "zod";
import type { AppContext } from "../app/context.ts";

export type JobCounts = Record<string, number | string | string[]>;

export interface JobInput<P> {
  /** Context whose clock is the slot's instant (or the --at date). */
  ctx: AppContext;
  /** The calendar day (Europe/Paris) the run stands for. */
  at: string;
  dryRun: boolean;
  /** Restrict the run to one CPTS. */
  cptsId?: string;
  payload: P;
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  id: string;
  description: string;
  cron: string;
  /** "all": every missed slot is run at start (date-driven jobs); "latest": only the most recent one. */
  catchUp: "all" | "latest";
  payload: S;
  handler(input: JobInput<z.output<S>>): Promise<JobCounts>;
  /** A registry entry (jobs/index.ts, `lazyJob`): the full definition, loaded at the job's first run. */
  load?(): Promise<JobDefinition>;
}

export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}

/**
 * A registry entry whose code (services, templates, their schemas) is loaded at its first run only: `coordo job
 * list`, the scheduler's timetable and a run of another job never load it. Run it through the Scheduler (or
 * `load()` it first): its `payload` is the loaded definition's.
 */
export function lazyJob(meta: Pick<JobDefinition, "id" | "description" | "cron" | "catchUp">, load: () => Promise<JobDefinition>): JobDefinition {
  let loaded: Promise<JobDefinition> | undefined;
  const get = () => (loaded ??= load());
  return {
    ...meta,
    get payload(): JobDefinition["payload"] {
      throw new Error(`tâche ${meta.id} : définition pas encore chargée (load())`);
    },
    handler: async (input) => (await get()).handler(input),
    load: get,
  };
}

export const SCHEDULER_TIMEZONE = "Europe/Paris";
