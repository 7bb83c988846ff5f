// What an earlier run of a job left unsent — killed (SIGKILL, power cut) or held back while the relay refused
// our sending — is sent by the next `coordo job run` of the same job (issue 11): the job's decisions are
// idempotent (a re-run enqueues nothing new), so without this the re-run would print « relances 0 » and leave
// the rows to `coordo start`.
import type { Db } from "../db/client.ts";

/** The outbox rows each job produces (kind + refType), which its re-run takes over. */
export const RESUMABLE: Record<string, { kind: string; refType: string }[]> = {
  "dues-reminders": [{ kind: "relance", refType: "relance" }],
  "aci-deadline-alerts": [{ kind: "alerte", refType: "deadline" }],
  "newsletter-sends": [{ kind: "newsletter", refType: "newsletter" }],
};

/** Idempotency keys of the job's rows still waiting: queued, due for a retry, or held by a lease (maybe dead). */
export async function leftByEarlierRuns(db: Db, jobId: string, opts: { cptsId?: string; now: Date }): Promise<string[]> {
  const kinds = RESUMABLE[jobId];
  if (!kinds) return [];
  const rows = await db.outboxMessage.findMany({
    where: {
      ...(opts.cptsId ? { cptsId: opts.cptsId } : {}),
      OR: kinds.map((k) => ({ kind: k.kind, refType: k.refType })),
      AND: [{ OR: [{ state: { in: ["EN_ATTENTE", "EN_COURS"] } }, { state: "ECHEC_TEMPORAIRE", nextAttemptAt: { lte: opts.now } }] }],
    },
    select: { idempotencyKey: true },
    orderBy: { id: "asc" },
  });
  return rows.map((r) => r.idempotencyKey);
}
