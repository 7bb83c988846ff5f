// node-cron in Europe/Paris. Each tick claims its slot in the database before running (a restart or a
// second replica never runs a slot twice); slots missed while down are caught up at start (bounded by
// JOBS_CATCHUP_DAYS); every run is recorded in JobRun with its counts or error.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import cron, { type ScheduledTask } from "node-cron";
import { fixedClock, type AppContext } from "../app/context.ts";
import { parisToday } from "../rules/dates.ts";
import { JobRunRepository } from "../db/repos/job-run-repo.ts";
import { SCHEDULER_TIMEZONE, type JobCounts, type JobDefinition } from "./job.ts";
import { zodIssuesFr } from "../app/errors.ts";
import { sqliteBusyFr } from "../db/client.ts";

export interface RunOutcome {
  status: "termine" | "echec" | "deja_pris";
  runId?: string;
  counts?: JobCounts;
  error?: string;
}

const MINUTE = 60_000;
/** A run still EN_COURS after this long is considered abandoned by a dead process. */
export const STALE_RUN_MS = 30 * MINUTE;

/** Slots (instants, whole minutes) of `cron` in Europe/Paris within [from, to). */
export function slotsBetween(cronExpr: string, from: Date, to: Date): Date[] {
  const task = cron.createTask(cronExpr, () => {}, { timezone: SCHEDULER_TIMEZONE });
  try {
    const out: Date[] = [];
    for (let t = Math.ceil(from.getTime() / MINUTE) * MINUTE; t < to.getTime(); t += MINUTE) {
      const d = new Date(t);
      if (task.match(d)) out.push(d);
    }
    return out;
  } finally {
    void task.destroy();
  }
}

export class Scheduler {
  private readonly runs: JobRunRepository;
  private readonly tasks: ScheduledTask[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly host = `${hostname()}:${process.pid}`;
  /** Called after a run enqueued messages (the sender is woken up). */
  onAfterRun: (() => void) | undefined;

  constructor(
    private readonly ctx: AppContext,
    private readonly jobs: readonly JobDefinition[],
  ) {
    this.runs = new JobRunRepository(ctx.db);
  }

  /** Runs the scheduled slot `slot` of `job` unless another process claimed it first. */
  /** `asOf`: the instant the run sees as now (default: the slot itself). */
  async runSlot(job: JobDefinition, slot: Date, asOf: Date = slot): Promise<RunOutcome> {
    const runId = await this.runs.claim(job.id, slot.toISOString(), { dryRun: false, host: this.host });
    if (!runId) return { status: "deja_pris" };
    return this.execute(job, runId, { ctx: { ...this.ctx, clock: fixedClock(asOf) }, at: parisToday(asOf), dryRun: false, payload: undefined });
  }

  /** A run asked by a person (CLI, chat, admin): its own slot "manual:<uuid>", logged like the others. */
  async runManual(job: JobDefinition, opts: { at?: string; dryRun?: boolean; cptsId?: string; payload?: unknown } = {}): Promise<RunOutcome> {
    const dryRun = opts.dryRun ?? false;
    const runId = (await this.runs.claim(job.id, `manual:${randomUUID()}`, { dryRun, host: this.host }))!;
    const ctx = opts.at ? { ...this.ctx, clock: fixedClock(opts.at) } : this.ctx;
    return this.execute(job, runId, { ctx, at: opts.at ?? ctx.clock.today(), dryRun, cptsId: opts.cptsId, payload: opts.payload });
  }

  private async execute(job: JobDefinition, runId: string, input: { ctx: AppContext; at: string; dryRun: boolean; cptsId?: string; payload: unknown }): Promise<RunOutcome> {
    const log = this.ctx.log;
    const started = Date.now();
    log.info("tâche démarrée", { job: job.id, runId, at: input.at, dryRun: input.dryRun });
    let outcome: RunOutcome;
    try {
      const def = job.load ? await job.load() : job;
      const payload = def.payload.safeParse(input.payload);
      if (!payload.success) throw new Error(`paramètres invalides : ${zodIssuesFr(payload.error.issues)}`);
      const counts = await def.handler({ ...input, payload: payload.data });
      const errors = Array.isArray(counts.erreurs) ? counts.erreurs.join("\n") : undefined;
      await this.runs.finish(runId, { ok: true, counts, error: errors, at: new Date() });
      outcome = { status: "termine", runId, counts, error: errors };
      if (errors) log.error("tâche terminée avec des messages non rendus", { job: job.id, runId, errors: counts.erreurs });
      log.info("tâche terminée", { job: job.id, runId, ms: Date.now() - started, ...counts });
    } catch (e) {
      const error = sqliteBusyFr(e) ?? (e as Error).message ?? String(e);
      await this.runs.finish(runId, { ok: false, error, at: new Date() }).catch((fe) => log.error("journal de tâche non écrit", { runId, error: fe }));
      log.error("tâche en échec", { job: job.id, runId, error: e });
      outcome = { status: "echec", runId, error };
    }
    if (!input.dryRun) this.onAfterRun?.();
    return outcome;
  }

  /** Set by the component when `coordo start` stops: a catch-up in progress runs no further slot. */
  stopRequested = false;

  /**
   * Runs the slots missed during the last `days` days, never before `notBefore` (the installation):
   * all of them, or for a "latest" job only the latest, run as of `now` (one run, today's view: a
   * deadline alert caught up says today's countdown, once).
   */
  async catchUp(now: Date, days: number, notBefore?: Date): Promise<{ job: string; slot: string; status: RunOutcome["status"] }[]> {
    const done: { job: string; slot: string; status: RunOutcome["status"] }[] = [];
    if (days <= 0) return done;
    let from = new Date(now.getTime() - days * 86_400_000);
    if (notBefore && notBefore > from) from = notBefore;
    for (const job of this.jobs) {
      if (this.stopRequested) break;
      const taken = await this.runs.slotsSince(job.id, from);
      const all = slotsBetween(job.cron, from, now);
      let missed = all.filter((s) => !taken.has(s.toISOString()));
      if (job.catchUp === "latest") {
        const latest = all.at(-1);
        missed = latest && !taken.has(latest.toISOString()) ? [latest] : [];
      }
      for (const slot of missed) {
        if (this.stopRequested) break;
        done.push({ job: job.id, slot: slot.toISOString(), status: (await this.runSlot(job, slot, job.catchUp === "latest" ? now : slot)).status });
      }
      // a run whose process died mid-way stays EN_COURS: after STALE_RUN_MS one replica takes it over
      // (handlers are idempotent: what the dead run already wrote is not written twice)
      for (const [slot, run] of taken) {
        if (run.state !== "EN_COURS" || slot.startsWith("manual:")) continue;
        if (!(await this.runs.reclaimStale(run.id, new Date(now.getTime() - STALE_RUN_MS), this.host, new Date()))) continue;
        const at = new Date(slot);
        const outcome = await this.execute(job, run.id, { ctx: { ...this.ctx, clock: fixedClock(at) }, at: parisToday(at), dryRun: false, payload: undefined });
        done.push({ job: job.id, slot, status: outcome.status });
      }
    }
    return done;
  }

  start(): void {
    for (const job of this.jobs) {
      const task = cron.schedule(
        job.cron,
        (c) => {
          const slot = new Date(Math.floor(c.date.getTime() / MINUTE) * MINUTE);
          const p = this.runSlot(job, slot).catch((e) => this.ctx.log.error("créneau non exécuté", { job: job.id, error: e }));
          this.inFlight.add(p);
          void p.finally(() => this.inFlight.delete(p));
        },
        { timezone: SCHEDULER_TIMEZONE, name: job.id, noOverlap: true },
      );
      this.tasks.push(task);
    }
  }

  async stop(): Promise<void> {
    for (const t of this.tasks) await t.destroy();
    this.tasks.length = 0;
    await Promise.all([...this.inFlight]);
  }
}
