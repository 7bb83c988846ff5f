// Technical rows that only serve for a while: chat delivery dedupe keys, used or expired chat actions
// (confirmation buttons, attendance sheets), expired admin sessions, old login attempts; and the uploaded
// files of member imports once they are no longer needed (personal data). Business data (members,
// payments, outbox, ledgers, audit log) is never touched here.
import type { Db } from "../client.ts";

export const RETENTION = {
  /** Slack and Discord retry a delivery within minutes; a week of dedupe keys is plenty. */
  chatInteractionsDays: 7,
  /** A chat action is kept 30 days after its expiry (or use), for support questions. */
  chatActionsDays: 30,
  /** Login rate limits look back 15 minutes; a day of attempts is kept for investigation. */
  loginAttemptsDays: 1,
  /** An import's uploaded file: a preview never confirmed, or an import stalled and never resumed, keeps it this long. */
  importFileDays: 7,
} as const;

export interface HousekeepingCounts {
  interactions_chat: number;
  actions_chat: number;
  sessions_admin: number;
  tentatives_connexion: number;
  fichiers_import: number;
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
    const [a, b, c, d, e] = await Promise.all([
      db.chatInteraction.count({ where: where.interactions }),
      db.chatAction.count({ where: where.actions }),
      db.adminSession.count({ where: where.sessions }),
      db.loginAttempt.count({ where: where.attempts }),
      db.memberImportFile.count({ where: { import: { OR: [...staleImports(now), { state: { in: ["ECHEC", "TERMINE"] } }] } } }),
    ]);
    return { interactions_chat: a, actions_chat: b, sessions_admin: c, tentatives_connexion: d, fichiers_import: e };
  }
  const a = await db.chatInteraction.deleteMany({ where: where.interactions });
  const b = await db.chatAction.deleteMany({ where: where.actions });
  const c = await db.adminSession.deleteMany({ where: where.sessions });
  const d = await db.loginAttempt.deleteMany({ where: where.attempts });
  const e = await expireImportFiles(db, now);
  return { interactions_chat: a.count, actions_chat: b.count, sessions_admin: c.count, tentatives_connexion: d.count, fichiers_import: e };
}

/** Imports whose file has waited too long: a preview never confirmed, an import stalled and never resumed. */
function staleImports(now: Date) {
  const limit = daysBefore(now, RETENTION.importFileDays);
  return [
    { state: { in: ["ANALYSE" as const, "APERCU" as const] }, createdAt: { lt: limit } },
    { state: "EN_COURS" as const, OR: [{ heartbeatAt: null }, { heartbeatAt: { lt: limit } }] },
  ];
}

/**
 * Marks the stale imports (of one CPTS, or all) failed, saying why, then deletes the files of every failed or
 * finished import; returns how many files were deleted. The state changes first: a confirmation at the same
 * moment either wins (the import runs with its file) or finds the import failed — never running without its file.
 */
export async function expireImportFiles(db: Db, now: Date, cptsId?: string): Promise<number> {
  const scope = cptsId ? { cptsId } : {};
  const [unconfirmed, stalled] = staleImports(now);
  return db.$transaction(
    async (tx) => {
      await tx.memberImport.updateMany({ where: { ...scope, ...unconfirmed }, data: { state: "ECHEC", error: "Aperçu jamais confirmé : le fichier a été effacé au bout de 7 jours. Importez-le à nouveau." } });
      await tx.memberImport.updateMany({ where: { ...scope, ...stalled }, data: { state: "ECHEC", error: "Import interrompu et jamais repris : le fichier a été effacé au bout de 7 jours. Importez-le à nouveau ; les lignes déjà écrites ne sont pas comptées deux fois." } });
      const gone = await tx.memberImportFile.deleteMany({ where: { import: { ...scope, state: { in: ["ECHEC", "TERMINE"] } } } });
      return gone.count;
    },
    { maxWait: 20_000, timeout: 60_000 },
  );
}
