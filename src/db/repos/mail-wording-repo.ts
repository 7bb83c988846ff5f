// A CPTS's wordings of its mails: every save is a new version (author, date); the highest version of
// a key is in force, a version with no text is a return to coordo's default.
import type { Db, Tx } from "../client.ts";
import { Prisma } from "../generated/postgres/client.ts";
import { directRows } from "../direct-read.ts";
import type { MailWordingText } from "../../mail/wording.ts";
import { writeAudit } from "./admin-repo.ts";

export interface MailWordingVersion {
  version: number;
  subject: string | null;
  body: string | null;
  author: string;
  createdAt: Date;
}

/** The wording in force for `key` in this CPTS, or null (coordo's default). */
export async function wordingFor(db: Db | Tx, cptsId: string, key: string): Promise<MailWordingText | null> {
  const w = await db.mailWording.findFirst({ where: { cptsId, key }, orderBy: { version: "desc" }, select: { subject: true, body: true } });
  return w && w.subject !== null && w.body !== null ? { subject: w.subject, body: w.body } : null;
}

/**
 * The wordings in force of this CPTS, by key (keys on coordo's default are absent). Read by every CPTS's
 * reminder decision: a statement prepared once on SQLite (direct-read.ts).
 */
export async function wordingsOf(db: Db | Tx, cptsId: string): Promise<Map<string, MailWordingText>> {
  const rows = await directRows<{ key: string; subject: string | null; body: string | null }>(
    db,
    Prisma.sql`SELECT "key", "subject", "body" FROM "MailWording" WHERE "cptsId" = ${cptsId} ORDER BY "key" ASC, "version" DESC`,
  );
  const out = new Map<string, MailWordingText>();
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.key)) continue;
    seen.add(r.key);
    if (r.subject !== null && r.body !== null) out.set(r.key, { subject: r.subject, body: r.body });
  }
  return out;
}

export class MailWordingRepository {
  constructor(readonly db: Db) {}

  history(cptsId: string, key: string): Promise<MailWordingVersion[]> {
    return this.db.mailWording.findMany({ where: { cptsId, key }, orderBy: { version: "desc" }, select: { version: true, subject: true, body: true, author: true, createdAt: true } });
  }

  version(cptsId: string, key: string, version: number): Promise<MailWordingVersion | null> {
    return this.db.mailWording.findFirst({ where: { cptsId, key, version }, select: { version: true, subject: true, body: true, author: true, createdAt: true } });
  }

  /** Records a new version (null: back to the default) and its line in the journal (object: the mail's French name); returns its number. */
  async save(cptsId: string, key: string, label: string, text: MailWordingText | null, author: string, action: "modele.enregistre" | "modele.reinitialise" | "modele.restaure", restoredFrom?: number): Promise<number> {
    return this.db.$transaction(async (tx) => {
      const last = await tx.mailWording.findFirst({ where: { cptsId, key }, orderBy: { version: "desc" }, select: { version: true } });
      const version = (last?.version ?? 0) + 1;
      await tx.mailWording.create({ data: { cptsId, key, version, subject: text?.subject ?? null, body: text?.body ?? null, author } });
      await writeAudit(tx, { cptsId, actor: author, action, target: label, details: { key, version, ...(restoredFrom ? { restoredFrom } : {}) } });
      return version;
    });
  }
}
