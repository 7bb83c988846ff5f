// JobRun: a slot is claimed by inserting (jobId, slot); the unique key lets exactly one replica win.
import type { Db } from "../client.ts";
import { isUniqueViolation } from "../client.ts";

export class JobRunRepository {
  constructor(private readonly db: Db) {}

  /** Returns the run id, or null when another process already claimed this slot. */
  async claim(jobId: string, slot: string, opts: { dryRun: boolean; host: string }): Promise<string | null> {
    try {
      const r = await this.db.jobRun.create({ data: { jobId, slot, dryRun: opts.dryRun, host: opts.host } });
      return r.id;
    } catch (e) {
      if (isUniqueViolation(e)) return null;
      throw e;
    }
  }

  async finish(id: string, result: { ok: boolean; counts?: object; error?: string; at: Date }): Promise<void> {
    await this.db.jobRun.update({
      where: { id },
      data: { state: result.ok ? "TERMINE" : "ECHEC", finishedAt: result.at, counts: result.counts ?? undefined, error: result.error?.slice(0, 4000) ?? null },
    });
  }

  async slotsSince(jobId: string, since: Date): Promise<Map<string, { id: string; state: string; startedAt: Date }>> {
    const rows = await this.db.jobRun.findMany({ where: { jobId, startedAt: { gte: new Date(since.getTime() - 86_400_000) } }, select: { id: true, slot: true, state: true, startedAt: true } });
    return new Map(rows.map((r) => [r.slot, { id: r.id, state: r.state, startedAt: r.startedAt }]));
  }

  /** Takes over a run left EN_COURS by a process that died (conditional update: one taker). */
  async reclaimStale(id: string, startedBefore: Date, host: string, now: Date): Promise<boolean> {
    const r = await this.db.jobRun.updateMany({ where: { id, state: "EN_COURS", startedAt: { lt: startedBefore } }, data: { startedAt: now, host } });
    return r.count === 1;
  }

  async countForSlot(jobId: string, slot: string): Promise<number> {
    return this.db.jobRun.count({ where: { jobId, slot } });
  }

  recent(jobId: string | undefined, take: number) {
    return this.db.jobRun.findMany({ where: jobId ? { jobId } : {}, orderBy: { startedAt: "desc" }, take });
  }
}
