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
}

export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}

export const SCHEDULER_TIMEZONE = "Europe/Paris";
