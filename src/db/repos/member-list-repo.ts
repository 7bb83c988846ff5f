// The members list and the dues summary computed in the database: filtered, searched, sorted,
// counted and paginated there, so a page reads 50 members whatever the size of the CPTS.
//
// The dues status of the year (rules/dues.ts memberDuesBalance) is a SQL expression over a grouped
// sum of the year's valid payments (refunded ones excluded), the category's rate and the member's
// roles. It is computed at read time rather than kept in a column: it changes with the date alone
// (1 January, a refund dated ahead), and payments are written by five paths (admin, chat, HelloAsso,
// CSV import, erasure) that a denormalised column would all have to keep right. The page's rows
// are then judged again by the pure rule, which stays the one definition shown to people; the
// integration tests check that both agree.
import type { Db } from "../client.ts";
import { Prisma } from "../generated/postgres/client.ts";

export type DuesStatusKey = "a_jour" | "partiel" | "en_retard" | "jamais_paye" | "exonere";
/** The list's dues filter: one status, or « non payé » (late or never paid). */
export type DuesFilter = DuesStatusKey | "non_paye";
export type MemberSort = "nom" | "profession" | "cotisation" | "date";

export interface MemberListQuery {
  cptsId: string;
  /** The day the status is judged at (Europe/Paris, YYYY-MM-DD); its year is the dues year. */
  today: string;
  q?: string;
  /** Profession keys whose label matches `q` (the search also finds « infirm »). */
  qProfessions?: string[];
  profession?: string;
  commune?: string;
  role?: "ADHERENT" | "CA" | "BUREAU" | "COORDONNATEUR" | "PARTENAIRE";
  dues?: DuesFilter;
  sort: MemberSort;
  desc: boolean;
  skip: number;
  take: number;
}

const DUES_ROLES = Prisma.sql`('ADHERENT', 'CA', 'BUREAU')`;

/** LIKE pattern for a text typed by a person: % and _ are literal. */
export const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * FROM clause giving, for each member `m`, the rate `d` of its category and the year's valid
 * payments `p` (sum `s`, count `n`), plus the SQL expressions of its status and its balance.
 */
function duesParts(cptsId: string, today: string) {
  const year = Number(today.slice(0, 4));
  const from = Prisma.sql`"Member" m
    LEFT JOIN "DuesRate" d ON d."cptsId" = m."cptsId" AND d."year" = ${year} AND d."category" = m."category"
    LEFT JOIN (
      SELECT "memberId", SUM("amountCents") AS s, COUNT(*) AS n FROM "DuesPayment"
      WHERE "cptsId" = ${cptsId} AND "year" = ${year} AND "paidOn" <= ${today} AND ("refundedOn" IS NULL OR "refundedOn" > ${today}) AND "amountCents" > 0
      GROUP BY "memberId"
    ) p ON p."memberId" = m."id"`;
  const status = Prisma.sql`(CASE
    WHEN m."duesExempt" OR d."amountCents" = 0 OR NOT EXISTS (SELECT 1 FROM "MemberRole" r WHERE r."memberId" = m."id" AND r."role" IN ${DUES_ROLES}) THEN 'exonere'
    WHEN p.n > 0 AND (d."amountCents" IS NULL OR p.s >= d."amountCents") THEN 'a_jour'
    WHEN p.n > 0 THEN 'partiel'
    WHEN EXISTS (SELECT 1 FROM "DuesPayment" e WHERE e."memberId" = m."id" AND e."year" < ${year} AND e."paidOn" <= ${today}
      AND (e."refundedOn" IS NULL OR e."refundedOn" > ${today}) AND e."amountCents" > 0) THEN 'en_retard'
    ELSE 'jamais_paye' END)`;
  return { from, status };
}

const STATUS_ORDER = Prisma.sql`CASE st WHEN 'jamais_paye' THEN 0 WHEN 'en_retard' THEN 1 WHEN 'partiel' THEN 2 WHEN 'a_jour' THEN 3 ELSE 4 END`;

export class MemberListRepository {
  constructor(private readonly db: Db) {}

  /** The ids of one page of members (in order) and how many match in all. */
  async page(f: MemberListQuery): Promise<{ total: number; ids: string[] }> {
    const { from, status } = duesParts(f.cptsId, f.today);
    const conds: Prisma.Sql[] = [Prisma.sql`m."cptsId" = ${f.cptsId}`, Prisma.sql`m."status" <> 'EFFACE'`];
    if (f.profession) conds.push(Prisma.sql`m."profession" = ${f.profession}`);
    if (f.commune) conds.push(Prisma.sql`m."communeInsee" = ${f.commune}`);
    if (f.role) conds.push(Prisma.sql`EXISTS (SELECT 1 FROM "MemberRole" ro WHERE ro."memberId" = m."id" AND ro."role" = ${Prisma.raw(`'${f.role}'`)})`);
    const q = f.q?.trim();
    if (q) {
      const like = likePattern(q);
      const alts = [
        Prisma.sql`LOWER(m."lastName") LIKE ${like} ESCAPE '\\'`, Prisma.sql`LOWER(m."firstName") LIKE ${like} ESCAPE '\\'`,
        Prisma.sql`LOWER(m."email") LIKE ${like} ESCAPE '\\'`, Prisma.sql`LOWER(m."organization") LIKE ${like} ESCAPE '\\'`,
        Prisma.sql`m."communeInsee" IN (SELECT c."inseeCode" FROM "Commune" c WHERE c."cptsId" = ${f.cptsId} AND (LOWER(c."name") LIKE ${like} ESCAPE '\\' OR c."inseeCode" = ${q} OR c."postalCode" = ${q}))`,
      ];
      if (f.qProfessions?.length) alts.push(Prisma.sql`m."profession" IN (${Prisma.join(f.qProfessions)})`);
      conds.push(Prisma.sql`(${Prisma.join(alts, " OR ")})`);
    }
    const where = Prisma.join(conds, " AND ");
    const dir = Prisma.raw(f.desc ? "DESC" : "ASC");
    const byName = Prisma.sql`m."lastName" ${dir}, m."organization" ${dir}, m."firstName" ${dir}, m."id" ${dir}`;
    const needStatus = f.dues !== undefined || f.sort === "cotisation";
    if (!needStatus) {
      const order =
        f.sort === "profession" ? Prisma.sql`m."profession" ${dir}, ${byName}`
        : f.sort === "date" ? Prisma.sql`m."joinedOn" ${dir}, m."createdAt" ${dir}, m."id" ${dir}`
        : byName;
      const [count, rows] = await Promise.all([
        this.db.$queryRaw<{ n: bigint | number }[]>`SELECT COUNT(*) AS n FROM "Member" m WHERE ${where}`,
        this.db.$queryRaw<{ id: string }[]>`SELECT m."id" FROM "Member" m WHERE ${where} ORDER BY ${order} LIMIT ${f.take} OFFSET ${f.skip}`,
      ]);
      return { total: Number(count[0]?.n ?? 0), ids: rows.map((r) => r.id) };
    }
    const duesCond =
      f.dues === "non_paye" ? Prisma.sql`st IN ('en_retard', 'jamais_paye')` : f.dues ? Prisma.sql`st = ${Prisma.raw(`'${f.dues}'`)}` : Prisma.sql`1 = 1`;
    const inner = Prisma.sql`SELECT m."id" AS id, m."lastName" AS ln, m."organization" AS org, m."firstName" AS fn, ${status} AS st FROM ${from} WHERE ${where}`;
    const order =
      f.sort === "cotisation" ? Prisma.sql`${STATUS_ORDER} ${dir}, ln, org, fn, id` : Prisma.sql`ln ${dir}, org ${dir}, fn ${dir}, id ${dir}`;
    if (f.sort === "profession" || f.sort === "date") {
      // rare combination (dues filter + another sort): the sort column comes along
      const extra = f.sort === "profession" ? Prisma.sql`m."profession"` : Prisma.sql`m."joinedOn"`;
      const inner2 = Prisma.sql`SELECT m."id" AS id, m."lastName" AS ln, m."organization" AS org, m."firstName" AS fn, ${extra} AS k, ${status} AS st FROM ${from} WHERE ${where}`;
      const rows = await this.db.$queryRaw<{ id: string; n: bigint | number }[]>`SELECT id, COUNT(*) OVER () AS n FROM (${inner2}) x WHERE ${duesCond} ORDER BY k ${dir}, ln ${dir}, org ${dir}, fn ${dir}, id ${dir} LIMIT ${f.take} OFFSET ${f.skip}`;
      if (rows.length) return { total: Number(rows[0]!.n), ids: rows.map((r) => r.id) };
      const count = await this.db.$queryRaw<{ n: bigint | number }[]>`SELECT COUNT(*) AS n FROM (${inner2}) x WHERE ${duesCond}`;
      return { total: Number(count[0]?.n ?? 0), ids: [] };
    }
    // the status of every member is the costly part: computed once for the page and its count (window)
    const rows = await this.db.$queryRaw<{ id: string; n: bigint | number }[]>`SELECT id, COUNT(*) OVER () AS n FROM (${inner}) x WHERE ${duesCond} ORDER BY ${order} LIMIT ${f.take} OFFSET ${f.skip}`;
    if (rows.length) return { total: Number(rows[0]!.n), ids: rows.map((r) => r.id) };
    const count = await this.db.$queryRaw<{ n: bigint | number }[]>`SELECT COUNT(*) AS n FROM (${inner}) x WHERE ${duesCond}`;
    return { total: Number(count[0]?.n ?? 0), ids: [] };
  }

  /**
   * Active members by profession key (structures together) and dues status of the year, with the
   * balance they leave to pay: what the dashboard shows, in one grouped read.
   */
  async duesByProfession(cptsId: string, today: string): Promise<{ key: string; status: DuesStatusKey; count: number; balanceCents: number }[]> {
    const { from, status } = duesParts(cptsId, today);
    const rows = await this.db.$queryRaw<{ k: string; st: DuesStatusKey; n: bigint | number; bal: bigint | number | null }[]>`
      SELECT k, st, COUNT(*) AS n, SUM(CASE st WHEN 'partiel' THEN due - paid WHEN 'en_retard' THEN COALESCE(due, 0) WHEN 'jamais_paye' THEN COALESCE(due, 0) ELSE 0 END) AS bal
      FROM (
        SELECT CASE WHEN m."category" = 'STRUCTURE' THEN 'structure' ELSE COALESCE(m."profession", 'autre') END AS k,
          ${status} AS st, d."amountCents" AS due, COALESCE(p.s, 0) AS paid
        FROM ${from}
        WHERE m."cptsId" = ${cptsId} AND m."status" = 'ACTIF'
      ) x
      GROUP BY k, st`;
    return rows.map((r) => ({ key: r.k, status: r.st, count: Number(r.n), balanceCents: Number(r.bal ?? 0) }));
  }
}

export interface OutboxListQuery {
  cptsId: string;
  state?: string;
  kind?: string;
  q?: string;
  desc: boolean;
  skip: number;
  take: number;
}

/**
 * One page of the CPTS's outbox, newest first by default. The search reads the subject, and the
 * recipient only of the CPTS's own members (or of no member): an inter-CPTS never finds a member
 * CPTS's addresses by guessing them.
 */
export async function outboxPage(db: Db, f: OutboxListQuery): Promise<{ total: number; ids: string[] }> {
  const conds: Prisma.Sql[] = [Prisma.sql`o."cptsId" = ${f.cptsId}`];
  if (f.state) conds.push(Prisma.sql`o."state" = ${Prisma.raw(`'${f.state.replace(/[^A-Z_]/g, "")}'`)}`);
  if (f.kind) conds.push(Prisma.sql`o."kind" = ${f.kind}`);
  const q = f.q?.trim();
  if (q) {
    const like = likePattern(q);
    conds.push(Prisma.sql`(LOWER(o."subject") LIKE ${like} ESCAPE '\\' OR (LOWER(o."recipient") LIKE ${like} ESCAPE '\\'
      AND (o."memberId" IS NULL OR EXISTS (SELECT 1 FROM "Member" m WHERE m."id" = o."memberId" AND m."cptsId" = ${f.cptsId}))))`);
  }
  const where = Prisma.join(conds, " AND ");
  const dir = Prisma.raw(f.desc ? "DESC" : "ASC");
  const [count, rows] = await Promise.all([
    db.$queryRaw<{ n: bigint | number }[]>`SELECT COUNT(*) AS n FROM "OutboxMessage" o WHERE ${where}`,
    db.$queryRaw<{ id: string }[]>`SELECT o."id" FROM "OutboxMessage" o WHERE ${where} ORDER BY o."createdAt" ${dir}, o."id" ${dir} LIMIT ${f.take} OFFSET ${f.skip}`,
  ]);
  return { total: Number(count[0]?.n ?? 0), ids: rows.map((r) => r.id) };
}
