// Technical rows that only serve for a while: chat delivery dedupe keys, used or expired chat actions
// (confirmation buttons, attendance sheets), expired admin sessions, old login attempts. Business data
// (members, payments, outbox, ledgers, audit log) is never touched here.
import type { Db } from "../client.ts";

export const RETENTION = {
  /** Slack and Discord retry a delivery within minutes; a week of dedupe keys is plenty. */
  chatInteractionsDays: 7,
  /** A chat action is kept 30 days after its expiry (or use), for support questions. */
  chatActionsDays: 30,
  /** Login rate limits look back 15 minutes; a day of attempts is kept for investigation. */
  loginAttemptsDays: 1,
} as const;

export interface HousekeepingCounts {
  interactions_chat: number;
  actions_chat: number;
  sessions_admin: number;
  tentatives_connexion: number;
}

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

export async function purgeTechnicalRows(db: Db, now: Date, opts: { dryRun?: boolean } = {}): Promise<HousekeepingCounts> {
  const where = {
    interactions: { createdAt: { lt: daysBefore(now, RETENTION.chatInteractionsDays) } },
    actions: { OR: [{ expiresAt: { lt: daysBefore(now, RETENTION.chatActionsDays) } }, { usedAt: { lt: daysBefore(now, RETENTION.chatActionsDays) } }] },
    sessions: { expiresAt: { lt: now } },
    attempts: { at: { lt: daysBefore(now, RETENTION.loginAttemptsDays) } },
  };
  if (opts.dryRun) {
    const [a, b, c, d] = await Promise.all([
      db.chatInteraction.count({ where: where.interactions }),
      db.chatAction.count({ where: where.actions }),
      db.adminSession.count({ where: where.sessions }),
      db.loginAttempt.count({ where: where.attempts }),
    ]);
    return { interactions_chat: a, actions_chat: b, sessions_admin: c, tentatives_connexion: d };
  }
  const a = await db.chatInteraction.deleteMany({ where: where.interactions });
  const b = await db.chatAction.deleteMany({ where: where.actions });
  const c = await db.adminSession.deleteMany({ where: where.sessions });
  const d = await db.loginAttempt.deleteMany({ where: where.attempts });
  return { interactions_chat: a.count, actions_chat: b.count, sessions_admin: c.count, tentatives_connexion: d.count };
}
