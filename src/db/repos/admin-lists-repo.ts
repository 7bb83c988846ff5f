// Reads of the admin's smaller lists that must stay cheap when one CPTS holds 100,000 members:
// the crisis-plan owner search (at most a few suggestions, never every member), and the paginated
// meetings, newsletters and crisis activations with their counts aggregated by the database.
import type { Db } from "../client.ts";
import { Prisma } from "../generated/postgres/client.ts";
import { foldedLikePattern } from "./member-list-repo.ts";
import { foldSearch } from "../../rules/search-fold.ts";

/** Suggestions shown under the owner field: enough to pick, never the whole CPTS. */
export const OWNER_SUGGESTIONS = 20;

export interface MemberChoice {
  id: string;
  firstName: string | null;
  lastName: string | null;
  organization: string | null;
  email: string | null;
}

/**
 * Active members of the CPTS whose name, organisation or e-mail contains `q` (case and accents
 * ignored: « helene » finds « Hélène »), by name, at most `take`. An empty search finds no one.
 */
export async function searchActiveMembers(db: Db, cptsId: string, q: string, take = OWNER_SUGGESTIONS): Promise<MemberChoice[]> {
  const text = q.trim().slice(0, 100);
  if (!text) return [];
  const words = text.split(/[\s|]+/).filter(Boolean);
  if (words.length === 0) return [];
  if (words.length === 1) {
    // A word alone lies within one field, so it matches the trigger-kept Member.searchText (the
    // fields accent-folded and lower-cased, as foldSearch folds the word): the LIKE reads the covering
    // index (cptsId, status, searchText, …, id) instead of every row, and only the matches are read
    // and sorted (at 100,000 members: ≈ 60 ms of CPU for « mart », was ≈ 400 ms).
    return db.$queryRaw<MemberChoice[]>`
      SELECT m."id", m."firstName", m."lastName", m."organization", m."email" FROM "Member" m
      WHERE m."id" IN (SELECT s."id" FROM "Member" s WHERE s."cptsId" = ${cptsId} AND s."status" = 'ACTIF' AND s."searchText" LIKE ${foldedLikePattern(words[0]!)} ESCAPE '\\')
      ORDER BY m."lastName", m."firstName", m."id" LIMIT ${take}`;
  }
  // Several words: the members whose searchText holds every word (from the index, at most
  // MULTI_WORD_CANDIDATES by name); those whose « prénom nom prénom|organisation|e-mail » holds the
  // text as typed (either order of a full name), accents ignored, come alone when there are any:
  // « Jean Martin » is Jean Martin, not also Jeanne Martinez.
  const all = Prisma.join(words.map((w) => Prisma.sql`s."searchText" LIKE ${foldedLikePattern(w)} ESCAPE '\\'`), " AND ");
  const rows = await db.$queryRaw<MemberChoice[]>`
    SELECT m."id", m."firstName", m."lastName", m."organization", m."email" FROM "Member" m
    WHERE m."id" IN (SELECT s."id" FROM "Member" s WHERE s."cptsId" = ${cptsId} AND s."status" = 'ACTIF' AND ${all})
    ORDER BY m."lastName", m."firstName", m."id" LIMIT ${MULTI_WORD_CANDIDATES}`;
  const phrase = foldSearch(text);
  const exact = rows.filter((m) => foldSearch(`${m.firstName ?? ""} ${m.lastName ?? ""} ${m.firstName ?? ""}|${m.organization ?? ""}|${m.email ?? ""}`).includes(phrase));
  return (exact.length ? exact : rows).slice(0, take);
}

/** How many members holding every word of a several-word search are read to find the exact phrase among them. */
const MULTI_WORD_CANDIDATES = 500;

/** An active member of the CPTS by id (a suggestion picked), or null. */
export async function activeMemberById(db: Db, cptsId: string, id: string): Promise<MemberChoice | null> {
  return db.member.findFirst({ where: { id, cptsId, status: "ACTIF" }, select: { id: true, firstName: true, lastName: true, organization: true, email: true } });
}

/** An active member of the CPTS by e-mail (unique in a CPTS), or null. */
export async function activeMemberByEmail(db: Db, cptsId: string, email: string): Promise<MemberChoice | null> {
  return db.member.findFirst({ where: { cptsId, email: email.trim().toLowerCase(), status: "ACTIF" }, select: { id: true, firstName: true, lastName: true, organization: true, email: true } });
}

// ── meetings of a year, a page at a time ──

export async function countMeetings(db: Db, cptsId: string, year: number): Promise<number> {
  return db.meeting.count({ where: { cptsId, heldOn: { gte: `${year}-01-01`, lte: `${year}-12-31` } } });
}

/** One page of the year's meetings, newest first, with their attendance count and indemnity total (summed by the database). */
export async function meetingsPage(db: Db, cptsId: string, year: number, skip: number, take: number) {
  const rows = await db.meeting.findMany({
    where: { cptsId, heldOn: { gte: `${year}-01-01`, lte: `${year}-12-31` } },
    orderBy: [{ heldOn: "desc" }, { createdAt: "desc" }, { id: "desc" }],
    skip,
    take,
    select: { id: true, title: true, mission: true, heldOn: true, closedAt: true, _count: { select: { attendances: true } } },
  });
  const sums = rows.length ? await db.indemnity.groupBy({ by: ["meetingId"], where: { meetingId: { in: rows.map((r) => r.id) } }, _sum: { amountCents: true } }) : [];
  const total = new Map(sums.map((s) => [s.meetingId, s._sum.amountCents ?? 0]));
  return rows.map((r) => ({ ...r, indemnityCents: total.get(r.id) ?? 0 }));
}

/** The year's indemnity total of the CPTS (one SUM, not every line). */
export async function yearIndemnityCents(db: Db, cptsId: string, year: number): Promise<number> {
  const r = await db.indemnity.aggregate({ where: { cptsId, year }, _sum: { amountCents: true } });
  return r._sum.amountCents ?? 0;
}

// ── crisis activations, a page at a time, with their answers counted by the database ──

export async function countActivations(db: Db, cptsId: string): Promise<number> {
  return db.crisisActivation.count({ where: { cptsId } });
}

export async function activationsPage(db: Db, cptsId: string, skip: number, take: number) {
  const rows = await db.crisisActivation.findMany({ where: { cptsId }, orderBy: [{ activatedOn: "desc" }, { createdAt: "desc" }, { id: "desc" }], skip, take });
  const ids = rows.map((r) => r.id);
  const counts = ids.length
    ? await db.$queryRaw<{ id: string; available: bigint | number | boolean; n: bigint | number }[]>`
        SELECT a."activationId" AS "id", a."available" AS "available", COUNT(*) AS "n" FROM "CrisisRollCall" a
        WHERE a."activationId" IN (${Prisma.join(ids)}) GROUP BY a."activationId", a."available"`
    : [];
  const of = (id: string, available: boolean) => Number(counts.find((c) => c.id === id && Boolean(Number(c.available)) === available)?.n ?? 0);
  return rows.map((r) => ({ ...r, available: of(r.id, true), unavailable: of(r.id, false) }));
}
