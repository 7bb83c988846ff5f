// Addresses flagged « adresse invalide » by mistake (a relay that refused our sending before issue 11 flagged
// whole runs): clearing the flag re-queues the mails that failed because of it, with the current address.
import type { Db } from "../../db/client.ts";
import { writeAudit } from "../../db/repos/dues-repo.ts";

/** Mails that failed at most this long before the flag are taken for failed "because of it". */
const REQUEUE_WINDOW_MS = 30 * 24 * 3600_000;

export interface FlaggedMember {
  id: string;
  name: string;
  email: string | null;
  at: Date | null;
  reason: string | null;
}

export async function flaggedMembers(db: Db, cptsId: string): Promise<FlaggedMember[]> {
  const rows = await db.member.findMany({
    where: { cptsId, emailInvalid: true },
    select: { id: true, firstName: true, lastName: true, organization: true, email: true, emailInvalidAt: true, emailInvalidReason: true },
    orderBy: [{ emailInvalidAt: "desc" }, { id: "asc" }],
  });
  return rows.map((m) => ({
    id: m.id, name: [m.firstName, m.lastName].filter(Boolean).join(" ") || m.organization || m.email || m.id, email: m.email, at: m.emailInvalidAt, reason: m.emailInvalidReason,
  }));
}

/**
 * Clears the flag of these members (all flagged members of the CPTS when `memberIds` is "tous") and puts back
 * in the queue their mails that failed (ECHEC) since shortly before the flag. Returns what was done.
 */
export async function clearEmailFlags(db: Db, cptsId: string, memberIds: string[] | "tous", actor: string, now = new Date()): Promise<{ cleared: number; requeued: number }> {
  return db.$transaction(async (tx) => {
    const members = await tx.member.findMany({
      where: { cptsId, emailInvalid: true, ...(memberIds === "tous" ? {} : { id: { in: memberIds } }) },
      select: { id: true, email: true, emailInvalidAt: true, emailInvalidReason: true },
    });
    let requeued = 0;
    for (const m of members) {
      await tx.member.update({ where: { id: m.id }, data: { emailInvalid: false, emailInvalidAt: null, emailInvalidReason: null } });
      const since = new Date((m.emailInvalidAt ?? now).getTime() - REQUEUE_WINDOW_MS);
      const r = await tx.outboxMessage.updateMany({
        where: { cptsId, memberId: m.id, channel: "MAIL", state: "ECHEC", kind: { not: "echec_envoi" }, createdAt: { gte: since } },
        data: { state: "EN_ATTENTE", attempts: 0, nextAttemptAt: now, lastError: "remis en file : adresse rétablie", ...(m.email ? { recipient: m.email } : {}) },
      });
      requeued += r.count;
      await writeAudit(tx, { cptsId, actor, action: "adherent.adresse_retablie", target: m.id, details: { email: m.email, reason: m.emailInvalidReason, requeued: r.count } });
    }
    return { cleared: members.length, requeued };
  });
}
