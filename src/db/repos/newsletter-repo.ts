// Newsletters, their audiences, and per-type mail preferences (unsubscribe).
import type { Db, Tx } from "../client.ts";
import type { NewsletterAudience, NewsletterState } from "../generated/postgres/enums.ts";

export async function audienceMembers(db: Db | Tx, cptsId: string, audience: NewsletterAudience, professions: string[]) {
  const base = { email: { not: null } };
  const where =
    audience === "ADHERENTS"
      ? { cptsId, status: "ACTIF" as const, roles: { some: { role: { in: ["ADHERENT" as const, "CA" as const, "BUREAU" as const, "COORDONNATEUR" as const] } } } }
      : audience === "PROFESSIONS"
        ? { cptsId, status: { in: ["ACTIF" as const, "NON_ADHERENT" as const] }, profession: { in: professions } }
        : audience === "TERRITOIRE"
          ? { cptsId, status: { in: ["ACTIF" as const, "NON_ADHERENT" as const] } }
          : { status: "ACTIF" as const, OR: [{ cptsId }, { cpts: { parentId: cptsId } }] };
  return db.member.findMany({ where: { ...where, ...base }, orderBy: { id: "asc" } });
}

/** The newsletter `id` of this CPTS only (another CPTS's id reads as not found). */
export function getNewsletter(db: Db | Tx, cptsId: string, id: string) {
  return db.newsletter.findFirst({ where: { id, cptsId }, include: { cpts: { select: { id: true, name: true } } } });
}

export function createNewsletterRow(db: Db, data: { cptsId: string; subject: string; body: string; audience: NewsletterAudience; professions: string; createdBy: string | null }) {
  return db.newsletter.create({ data });
}

export async function setSchedule(db: Db, cptsId: string, id: string, at: Date | null): Promise<number> {
  const r = await db.newsletter.updateMany({
    where: { id, cptsId, state: { in: ["BROUILLON", "PROGRAMMEE"] } },
    data: at ? { state: "PROGRAMMEE", scheduledAt: at } : { state: "BROUILLON", scheduledAt: null },
  });
  return r.count;
}

/** Takes the newsletter for sending (only one caller wins: conditional update). */
export async function takeForSending(tx: Tx, cptsId: string, id: string): Promise<boolean> {
  const r = await tx.newsletter.updateMany({ where: { id, cptsId, state: { in: ["BROUILLON", "PROGRAMMEE"] } }, data: { state: "EN_COURS" } });
  return r.count === 1;
}

export async function markNewsletterSent(tx: Tx, cptsId: string, id: string, at: Date, recipientCount: number) {
  await tx.newsletter.updateMany({ where: { id, cptsId }, data: { state: "ENVOYEE", sentAt: at, recipientCount } });
}

export function dueScheduled(db: Db, now: Date) {
  return db.newsletter.findMany({ where: { state: "PROGRAMMEE", scheduledAt: { lte: now } }, orderBy: { scheduledAt: "asc" }, select: { id: true, cptsId: true } });
}

/** The CPTS's newsletters, newest first; `page` gives one page of them (the admin's history). */
export function listNewsletters(db: Db, cptsId: string, page?: { skip: number; take: number }) {
  return db.newsletter.findMany({ where: { cptsId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], ...(page ?? {}) });
}

export async function lastSentAt(db: Db, cptsId: string): Promise<Date | null> {
  const n = await db.newsletter.findFirst({ where: { cptsId, state: "ENVOYEE" }, orderBy: { sentAt: "desc" }, select: { sentAt: true } });
  return n?.sentAt ?? null;
}

export function cptsForNewsletters(db: Db) {
  return db.cpts.findMany({ select: { id: true, slug: true, name: true, newsletterCadence: true, createdAt: true }, orderBy: { slug: "asc" } });
}

export function memberByUnsubscribeToken(db: Db, token: string) {
  return db.member.findUnique({ where: { unsubscribeToken: token }, include: { cpts: { select: { name: true } } } });
}

export async function setPreference(db: Db, memberId: string, field: "prefNewsletter" | "prefDuesReminders" | "prefAlerts", value: boolean) {
  await db.member.update({ where: { id: memberId }, data: { [field]: value } });
}

export type { NewsletterAudience, NewsletterState };
