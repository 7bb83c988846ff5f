// The members list and the dues summary computed in the database: filtered, searched, sorted,
// counted and paginated there, so a page reads 50 members whatever the size of the CPTS.
//
// The dues status of the year (rules/dues.ts memberDuesBalance) is a SQL expression over columns
// that database triggers keep in the transaction of every write (migration member_dues_summary):
// Member.duesYear / duesFirstYear / duesPaidCents (latest and earliest membership years with a valid
// payment, what was paid for the latest), MemberDuesYear (per year, read only for a member who paid
// ahead for a later year), Member.duesRole (holds a role that owes dues). The status itself is still
// judged at read time for the year asked: 1 January needs no job (the new year has no payment yet,
// so everyone who paid last year is « en retard » until they pay). Payments and refunds are dated
// on or before the day they are recorded (checkPaymentDate; a refund is dated the day it is
// recorded), so « valid at today » is « not refunded ». The page's rows are then judged again by the
// pure rule, which stays the one definition shown to people; the integration tests check that both agree.
import type { Db } from "../client.ts";
import { Prisma } from "../generated/postgres/client.ts";
import { foldSearch } from "../../rules/search-fold.ts";

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

/** LIKE pattern for a text typed by a person: % and _ are literal. */
export const likePattern = (q: string) => `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
/** LIKE pattern for Member.searchText: the text typed accent-folded as the stored text is (rules/search-fold.ts). */
export const foldedLikePattern = (q: string) => likePattern(foldSearch(q));

const CATEGORY_KEY = /^[A-Z_]+$/;

/**
 * SQL expressions, for a member `m` of `cptsId`, of the amount due for its category in the year of
 * `today` (`due`, NULL when the CPTS set none), of what it paid for that year (`paid`, NULL when
 * nothing) and of its status (`status`). Reads the CPTS's rates first (a few rows), so that the
 * expressions only read the member's own row: the whole CPTS is judged from one index.
 * `ignoreRole`: judge every member by its payments, whatever its roles (the vote's electorate).
 */
export async function duesParts(db: Db, cptsId: string, today: string, opts: { ignoreRole?: boolean } = {}) {
  const year = Number(today.slice(0, 4));
  const rates = await db.duesRate.findMany({ where: { cptsId, year }, select: { category: true, amountCents: true } });
  const known = rates.filter((r) => CATEGORY_KEY.test(r.category) && Number.isSafeInteger(r.amountCents));
  const due = known.length
    ? Prisma.raw(`(CASE m."category" ${known.map((r) => `WHEN '${r.category}' THEN ${r.amountCents}`).join(" ")} ELSE NULL END)`)
    : Prisma.raw("CAST(NULL AS INTEGER)");
  const paid = Prisma.sql`(CASE WHEN m."duesYear" = ${year} THEN m."duesPaidCents"
    WHEN m."duesYear" > ${year} THEN (SELECT y."paidCents" FROM "MemberDuesYear" y WHERE y."memberId" = m."id" AND y."year" = ${year} AND y."paidCount" > 0) END)`;
  const status = Prisma.sql`(CASE
    WHEN m."duesExempt"${opts.ignoreRole ? Prisma.empty : Prisma.sql` OR NOT m."duesRole"`} OR ${due} = 0 THEN 'exonere'
    WHEN ${paid} IS NOT NULL AND (${due} IS NULL OR ${paid} >= ${due}) THEN 'a_jour'
    WHEN ${paid} IS NOT NULL THEN 'partiel'
    WHEN m."duesFirstYear" < ${year} THEN 'en_retard'
    ELSE 'jamais_paye' END)`;
  return { due, paid, status };
}

const statusOrder = (st: Prisma.Sql) => Prisma.sql`(CASE ${st} WHEN 'jamais_paye' THEN 0 WHEN 'en_retard' THEN 1 WHEN 'partiel' THEN 2 WHEN 'a_jour' THEN 3 ELSE 4 END)`;

export class MemberListRepository {
  constructor(private readonly db: Db) {}

  /** The ids of one page of members (in order) and how many match in all. */
  async page(f: MemberListQuery): Promise<{ total: number; ids: string[] }> {
    const conds: Prisma.Sql[] = [Prisma.sql`m."cptsId" = ${f.cptsId}`, Prisma.sql`m."status" <> 'EFFACE'`];
    if (f.profession) conds.push(Prisma.sql`m."profession" = ${f.profession}`);
    if (f.commune) conds.push(Prisma.sql`m."communeInsee" = ${f.commune}`);
    if (f.role) conds.push(Prisma.sql`EXISTS (SELECT 1 FROM "MemberRole" ro WHERE ro."memberId" = m."id" AND ro."role" = ${Prisma.raw(`'${f.role}'`)})`);
    const q = f.q?.trim();
    if (q) {
      // searchText: last name, first name, e-mail and organisation, accent-folded and lower-cased by
      // the database (trigger), the text typed folded the same way (rules/search-fold.ts); each word
      // in some field (« hélène dupont »)
      const words = q.split(/\s+/).filter(Boolean);
      const alts = [Prisma.sql`(${Prisma.join(words.map((w) => Prisma.sql`m."searchText" LIKE ${foldedLikePattern(w)} ESCAPE '\\'`), " AND ")})`];
      // the CPTS's communes (a few hundred at most) matched here, accents ignored the same way
      const folded = foldSearch(q);
      const communes = (await this.db.commune.findMany({ where: { cptsId: f.cptsId }, select: { inseeCode: true, name: true, postalCode: true } }))
        .filter((c) => foldSearch(c.name).includes(folded) || c.inseeCode === q || c.postalCode === q)
        .map((c) => c.inseeCode);
      if (communes.length > 500) {
        // a search as wide as « a » over a very large territory: the database matches the names (accents as typed)
        alts.push(Prisma.sql`m."communeInsee" IN (SELECT c."inseeCode" FROM "Commune" c WHERE c."cptsId" = ${f.cptsId} AND (LOWER(c."name") LIKE ${likePattern(q)} ESCAPE '\\' OR c."inseeCode" = ${q} OR c."postalCode" = ${q}))`);
      } else if (communes.length) alts.push(Prisma.sql`m."communeInsee" IN (${Prisma.join(communes)})`);
      if (f.qProfessions?.length) alts.push(Prisma.sql`m."profession" IN (${Prisma.join(f.qProfessions)})`);
      conds.push(Prisma.sql`(${Prisma.join(alts, " OR ")})`);
    }
    if (f.dues !== undefined || f.sort === "cotisation") {
      const { status } = await duesParts(this.db, f.cptsId, f.today);
      if (f.dues === "non_paye") conds.push(Prisma.sql`${status} IN ('en_retard', 'jamais_paye')`);
      else if (f.dues) conds.push(Prisma.sql`${status} = ${Prisma.raw(`'${f.dues}'`)}`);
      if (f.sort === "cotisation") {
        const where = Prisma.join(conds, " AND ");
        const dir = Prisma.raw(f.desc ? "DESC" : "ASC");
        const order = Prisma.sql`${statusOrder(status)} ${dir}, m."lastName", m."organization", m."firstName", m."id"`;
        return this.pageOf(where, order, f);
      }
    }
    const where = Prisma.join(conds, " AND ");
    const dir = Prisma.raw(f.desc ? "DESC" : "ASC");
    const byName = Prisma.sql`m."lastName" ${dir}, m."organization" ${dir}, m."firstName" ${dir}, m."id" ${dir}`;
    const order =
      f.sort === "profession" ? Prisma.sql`m."profession" ${dir}, ${byName}`
      : f.sort === "date" ? Prisma.sql`m."joinedOn" ${dir}, m."createdAt" ${dir}, m."id" ${dir}`
      : byName;
    return this.pageOf(where, order, f);
  }

  private async pageOf(where: Prisma.Sql, order: Prisma.Sql, f: { skip: number; take: number }): Promise<{ total: number; ids: string[] }> {
    const [count, rows] = await Promise.all([
      this.db.$queryRaw<{ n: bigint | number }[]>`SELECT COUNT(*) AS n FROM "Member" m WHERE ${where}`,
      this.db.$queryRaw<{ id: string }[]>`SELECT m."id" FROM "Member" m WHERE ${where} ORDER BY ${order} LIMIT ${f.take} OFFSET ${f.skip}`,
    ]);
    return { total: Number(count[0]?.n ?? 0), ids: rows.map((r) => r.id) };
  }

  /**
   * Active members by profession key (structures together) and dues status of the year, with the
   * balance they leave to pay: what the dashboard shows, in one grouped read.
   */
  async duesByProfession(cptsId: string, today: string): Promise<{ key: string; status: DuesStatusKey; count: number; balanceCents: number }[]> {
    const { due, paid, status } = await duesParts(this.db, cptsId, today);
    const year = Number(today.slice(0, 4));
    // The members are first counted per distinct value of the columns the status reads, in the order
    // of the covering index (cptsId, status, category, duesExempt, duesRole, duesYear, duesFirstYear,
    // duesPaidCents, profession, …): no sort, and the status is then judged once per group instead
    // of once per member. A member paid for a later year is kept alone (its id looks up the year
    // asked). At 100,000 members: ≈ 70 ms of CPU, was ≈ 220 ms.
    const rows = await this.db.$queryRaw<{ k: string; st: DuesStatusKey; n: bigint | number; bal: bigint | number | null }[]>`
      SELECT k, st, SUM(c) AS n, SUM(c * (CASE st WHEN 'partiel' THEN due - paid WHEN 'en_retard' THEN COALESCE(due, 0) WHEN 'jamais_paye' THEN COALESCE(due, 0) ELSE 0 END)) AS bal
      FROM (
        SELECT CASE WHEN m."category" = 'STRUCTURE' THEN 'structure' ELSE COALESCE(m."profession", 'autre') END AS k,
          m.c AS c, ${status} AS st, ${due} AS due, COALESCE(${paid}, 0) AS paid
        FROM (
          SELECT g."category", g."duesExempt", g."duesRole", g."duesYear", g."duesFirstYear", g."duesPaidCents", g."profession", CAST(NULL AS TEXT) AS "id", COUNT(*) AS c
          FROM "Member" g
          WHERE g."cptsId" = ${cptsId} AND g."status" = 'ACTIF' AND (g."duesYear" IS NULL OR g."duesYear" <= ${year})
          GROUP BY g."category", g."duesExempt", g."duesRole", g."duesYear", g."duesFirstYear", g."duesPaidCents", g."profession"
          UNION ALL
          SELECT g."category", g."duesExempt", g."duesRole", g."duesYear", g."duesFirstYear", g."duesPaidCents", g."profession", g."id", 1
          FROM "Member" g
          WHERE g."cptsId" = ${cptsId} AND g."status" = 'ACTIF' AND g."duesYear" > ${year}
        ) m
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
  /** The count when the caller already knows it (from the counts per state): the COUNT(*) is skipped. */
  knownTotal?: number;
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
    f.knownTotal !== undefined ? [{ n: f.knownTotal }] : db.$queryRaw<{ n: bigint | number }[]>`SELECT COUNT(*) AS n FROM "OutboxMessage" o WHERE ${where}`,
    db.$queryRaw<{ id: string }[]>`SELECT o."id" FROM "OutboxMessage" o WHERE ${where} ORDER BY o."createdAt" ${dir}, o."id" ${dir} LIMIT ${f.take} OFFSET ${f.skip}`,
  ]);
  return { total: Number(count[0]?.n ?? 0), ids: rows.map((r) => r.id) };
}
