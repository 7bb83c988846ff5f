// AG votes: the vote, who took part, the ballots, the proxies. Secret ballots are stored so that
// no row links a choice to a voter (see castBallot).
import { randomUUID, randomInt } from "node:crypto";
import type { Db, Tx } from "../client.ts";
import { Prisma } from "../generated/postgres/client.ts";
import { MembershipCategory, PersonKind } from "../generated/postgres/enums.ts";
import { directRows } from "../direct-read.ts";

export type DbOrTx = Db | Tx;

export interface NewVote {
  cptsId: string;
  question: string;
  options: string[];
  secret: boolean;
  opensAt: Date;
  closesAt: Date;
  eligibilityCutoff: string;
  quorumPercent: number;
  maxProxiesPerHolder: number;
  purgeAfterDays: number;
  federation: boolean;
  createdBy: string;
}

export interface VoterRecord {
  id: string;
  firstName: string | null;
  lastName: string | null;
  organization: string | null;
  email: string | null;
  kind: "PHYSIQUE" | "MORALE";
  category: "PROFESSIONNEL" | "STRUCTURE" | "PARTENAIRE";
  duesExempt: boolean;
  joinedOn: string | null;
  profession: string | null;
}

/** Members sharing every dues column the eligibility reads, and how many they are. */
export interface DuesGroup {
  category: "PROFESSIONNEL" | "STRUCTURE" | "PARTENAIRE";
  kind: "PHYSIQUE" | "MORALE";
  duesExempt: boolean;
  duesYear: number | null;
  duesFirstYear: number | null;
  duesPaidCents: number;
  /** For a member paid for a later year: what it paid for the year asked (null: nothing). */
  yearPaid: number | null;
  n: number;
}

/**
 * Members whose payments of the cut-off's year changed after it: their columns today, their payments of that
 * year. Members alike in every one of these (same columns, partner or not, same payments: amounts and dates)
 * come as one, `n` of them: the rule judges them alike.
 */
export interface ChangedVoter extends DuesGroup {
  partner: boolean;
  payments: { year: number; amountCents: number; paidOn: string; refundedOn: string | null }[];
}

type Num = bigint | number;
interface RawGroup { category: DuesGroup["category"]; kind: DuesGroup["kind"]; exempt: Num; duesYear: Num | null; duesFirstYear: Num | null; duesPaidCents: Num; yearPaid: Num | null; n: Num }
const num = (v: Num | null) => (v === null ? null : Number(v));
const toGroup = (r: RawGroup): DuesGroup => ({
  category: r.category, kind: r.kind, duesExempt: Number(r.exempt) === 1, duesYear: num(r.duesYear), duesFirstYear: num(r.duesFirstYear),
  duesPaidCents: Number(r.duesPaidCents), yearPaid: num(r.yearPaid), n: Number(r.n),
});

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export class VoteRepository {
  constructor(private readonly db: DbOrTx) {}

  create(v: NewVote) {
    return this.db.vote.create({ data: { ...v, state: "OUVERT" } });
  }

  byId(cptsId: string, voteId: string) {
    return this.db.vote.findFirst({ where: { id: voteId, cptsId } });
  }

  list(cptsId: string, states: ("OUVERT" | "CLOS" | "PURGE" | "BROUILLON")[], page?: { skip: number; take: number; oldestFirst?: boolean }) {
    const dir = page?.oldestFirst ? "asc" : "desc";
    return this.db.vote.findMany({ where: { cptsId, state: { in: states } }, orderBy: [{ createdAt: dir }, { id: dir }], ...(page ? { skip: page.skip, take: page.take } : {}) });
  }

  count(cptsId: string, states: ("OUVERT" | "CLOS" | "PURGE" | "BROUILLON")[]) {
    return this.db.vote.count({ where: { cptsId, state: { in: states } } });
  }

  /** Active members with what the dues rule needs (roles: to tell partners apart). */
  async votersOf(cptsId: string): Promise<(VoterRecord & { roles: string[]; payments: { paidOn: string; year: number; amountCents: number; refundedOn: string | null }[] })[]> {
    const rows = await this.db.member.findMany({
      where: { cptsId, status: "ACTIF" },
      select: {
        id: true, firstName: true, lastName: true, organization: true, email: true, kind: true, category: true, duesExempt: true, joinedOn: true, profession: true,
        roles: { select: { role: true } },
        payments: { select: { paidOn: true, year: true, amountCents: true, refundedOn: true } },
      },
    });
    return rows.map((r) => ({ ...r, roles: r.roles.map((x) => x.role) }));
  }

  /**
   * What the vote's eligibility reads, for the active members who were members at the cut-off,
   * without loading 100,000 members. `groups`: the members counted per group of the trigger-kept
   * dues columns (member-list-repo: Member.duesYear / duesFirstYear / duesPaidCents; for a member
   * paid for a later year, kept alone, its MemberDuesYear row of the cut-off's year) with category,
   * kind and exemption, read in the order of the covering index (cptsId, status, category, kind,
   * duesExempt, duesYear, duesFirstYear, duesPaidCents, joinedOn, id): no sort, no table read, one pass
   * (the few paid for a later year: one seek per category, kind and exemption). The caller judges each
   * group once with the dues rule.
   * Those columns say what the payments of the cut-off's year said at the cut-off unless one of them
   * was made or refunded after it, and the college also depends on a PARTENAIRE role: the caller takes
   * such members off their group and judges them apart, `partners` (not changed) per group again,
   * `changed` with their payments of the cut-off's year (earlier years only tell « en retard » from
   * « jamais payé », neither eligible), found through the DuesPayment indexes on paidOn and refundedOn;
   * members alike in all the rule reads come as one with their number.
   * On SQLite the reads go straight through better-sqlite3 (direct-read.ts directRows): through Prisma's
   * adapter the same three reads cost ≈ 2 times the CPU.
   */
  async electorateGroups(cptsId: string, cutoff: string): Promise<{ groups: DuesGroup[]; partners: DuesGroup[]; changed: ChangedVoter[] }> {
    const year = Number(cutoff.slice(0, 4));
    const changedAfter = (alias: string) => Prisma.sql`${Prisma.raw(alias)}."cptsId" = ${cptsId} AND ${Prisma.raw(alias)}."year" = ${year} AND (${Prisma.raw(alias)}."paidOn" > ${cutoff} OR ${Prisma.raw(alias)}."refundedOn" > ${cutoff})`;
    // the same members found by two range seeks, one per index (cptsId, year, paidOn | refundedOn, memberId)
    const changedMembers = Prisma.sql`SELECT c."memberId" FROM "DuesPayment" c WHERE c."cptsId" = ${cptsId} AND c."year" = ${year} AND c."paidOn" > ${cutoff}
          UNION SELECT c."memberId" FROM "DuesPayment" c WHERE c."cptsId" = ${cptsId} AND c."year" = ${year} AND c."refundedOn" > ${cutoff}`;
    const partner = Prisma.sql`(CASE WHEN EXISTS (SELECT 1 FROM "MemberRole" r WHERE r."memberId" = m."id" AND r."role" = 'PARTENAIRE') THEN 1 ELSE 0 END)`;
    const yearPaid = Prisma.sql`(CASE WHEN m."duesYear" > ${year} THEN (SELECT y."paidCents" FROM "MemberDuesYear" y WHERE y."memberId" = m."id" AND y."year" = ${year} AND y."paidCount" > 0) END)`;
    const cols = Prisma.sql`m."category", m."kind", (CASE WHEN m."duesExempt" THEN 1 ELSE 0 END) AS "exempt", m."duesYear", m."duesFirstYear", m."duesPaidCents"`;
    const groupBy = Prisma.sql`"category", "kind", "exempt", "duesYear", "duesFirstYear", "duesPaidCents", "yearPaid"`;
    const member = Prisma.sql`m."cptsId" = ${cptsId} AND m."status" = 'ACTIF' AND (m."joinedOn" IS NULL OR m."joinedOn" <= ${cutoff})`;
    // every value of the index's columns before duesYear: the members paid for a later year are found by
    // one seek per (category, kind, exemption) into the covering index, not by a second pass over it
    const anyValue = (values: string[]) => Prisma.raw(values.map((v) => `'${v}'`).join(", "));
    const laterYear = Prisma.sql`m."category" IN (${anyValue(Object.values(MembershipCategory))}) AND m."kind" IN (${anyValue(Object.values(PersonKind))})
          AND m."duesExempt" IN (${false}, ${true}) AND m."duesYear" > ${year}`;
    const [groups, partners, payments] = await Promise.all([
      directRows<RawGroup>(this.db, Prisma.sql`
        SELECT ${cols}, CAST(NULL AS INTEGER) AS "yearPaid", COUNT(*) AS n
        FROM "Member" m
        WHERE ${member} AND (m."duesYear" IS NULL OR m."duesYear" <= ${year})
        GROUP BY m."category", m."kind", m."duesExempt", m."duesYear", m."duesFirstYear", m."duesPaidCents"
        UNION ALL
        SELECT ${cols}, ${yearPaid} AS "yearPaid", 1 AS n
        FROM "Member" m
        WHERE ${member} AND ${laterYear}`),
      directRows<RawGroup>(this.db, Prisma.sql`
        SELECT ${groupBy}, COUNT(*) AS n FROM (
          SELECT ${cols}, ${yearPaid} AS "yearPaid"
          FROM "MemberRole" r
          CROSS JOIN "Member" m -- SQLite: the partners drive, not the CPTS's 100,000 members
          WHERE r."role" = 'PARTENAIRE' AND m."id" = r."memberId" AND ${member}
            AND NOT EXISTS (SELECT 1 FROM "DuesPayment" c WHERE c."memberId" = m."id" AND ${changedAfter("c")})
        ) a
        GROUP BY ${groupBy}`),
      // the changed members with one payment of the cut-off's year (nearly all): counted per group of
      // their columns and that payment (MIN of one value: the value), `id` null; the others: one row per
      // payment of that year, with the member's columns
      directRows<RawGroup & { id: string | null; partner: Num; amountCents: Num; paidOn: string; refundedOn: string | null }>(this.db, Prisma.sql`
        WITH x AS (
          SELECT p."memberId", COUNT(*) AS k, MIN(p."amountCents") AS "amountCents", MIN(p."paidOn") AS "paidOn", MIN(p."refundedOn") AS "refundedOn"
          FROM "DuesPayment" p
          WHERE p."cptsId" = ${cptsId} AND p."year" = ${year} AND p."memberId" IN (${changedMembers})
          GROUP BY p."memberId"
        ), one AS (
          SELECT ${cols}, ${yearPaid} AS "yearPaid", ${partner} AS "partner", x."amountCents", x."paidOn", x."refundedOn"
          FROM x CROSS JOIN "Member" m
          WHERE x."k" = 1 AND m."id" = x."memberId" AND ${member}
        )
        SELECT CAST(NULL AS TEXT) AS "id", ${groupBy}, "partner", "amountCents", "paidOn", "refundedOn", COUNT(*) AS n
        FROM one
        GROUP BY ${groupBy}, "partner", "amountCents", "paidOn", "refundedOn"
        UNION ALL
        SELECT p."memberId" AS "id", ${cols}, ${yearPaid} AS "yearPaid", ${partner} AS "partner", p."amountCents", p."paidOn", p."refundedOn", 1 AS n
        FROM x CROSS JOIN "DuesPayment" p CROSS JOIN "Member" m
        WHERE x."k" > 1 AND p."cptsId" = ${cptsId} AND p."year" = ${year} AND p."memberId" = x."memberId" AND m."id" = x."memberId" AND ${member}`),
    ]);
    const changed: ChangedVoter[] = [];
    const byMember = new Map<string, ChangedVoter>();
    for (const r of payments) {
      const pay = { year, amountCents: Number(r.amountCents), paidOn: r.paidOn, refundedOn: r.refundedOn };
      if (r.id === null) {
        changed.push({ ...toGroup(r), partner: Number(r.partner) === 1, payments: [pay] });
        continue;
      }
      let m = byMember.get(r.id);
      if (!m) byMember.set(r.id, (m = { ...toGroup(r), partner: Number(r.partner) === 1, payments: [] }));
      m.payments.push(pay);
    }
    const alike = new Map<string, ChangedVoter>();
    for (const m of byMember.values()) {
      const pays = m.payments.map((p) => `${p.amountCents}/${p.paidOn}/${p.refundedOn}`).sort();
      const key = [m.category, m.kind, m.duesExempt, m.duesYear, m.duesFirstYear, m.duesPaidCents, m.yearPaid, m.partner, ...pays].join("|");
      const same = alike.get(key);
      if (same) same.n += 1;
      else alike.set(key, m);
    }
    changed.push(...alike.values());
    return { groups: groups.map(toGroup), partners: partners.map(toGroup), changed };
  }

  async participationCounts(voteId: string): Promise<{ college: string; n: number }[]> {
    const rows = await this.db.voteParticipation.groupBy({ by: ["college"], where: { voteId }, _count: { _all: true } });
    return rows.map((r) => ({ college: r.college, n: r._count._all }));
  }

  proxyCount(voteId: string) {
    return this.db.voteProxy.count({ where: { voteId } });
  }

  /** Amount due per membership category for a dues year (a partial payment does not make a voter). */
  async duesRates(cptsId: string, year: number): Promise<Record<string, number>> {
    const rows = await this.db.duesRate.findMany({ where: { cptsId, year }, select: { category: true, amountCents: true } });
    return Object.fromEntries(rows.map((r) => [r.category, r.amountCents]));
  }

  /**
   * Takes the vote's row lock (PostgreSQL: other casts of this vote wait; SQLite: one writer
   * anyway) and says whether the vote is still open at `now`.
   */
  async lockOpen(voteId: string, now: Date): Promise<boolean> {
    const r = await this.db.vote.updateMany({ where: { id: voteId, state: "OUVERT", opensAt: { lte: now }, closesAt: { gt: now } }, data: { state: "OUVERT" } });
    return r.count === 1;
  }

  participation(voteId: string, memberId: string) {
    return this.db.voteParticipation.findUnique({ where: { voteId_memberId: { voteId, memberId } } });
  }

  participations(voteId: string) {
    return this.db.voteParticipation.findMany({ where: { voteId }, select: { memberId: true, college: true, viaProxyOf: true } });
  }

  /**
   * Records that `memberId` took part. For a secret vote the row carries the vote's opening
   * time instead of the real one, so participation times say nothing about ballot order.
   */
  addParticipation(p: { voteId: string; memberId: string; college: string; viaProxyOf: string | null; at: Date }) {
    return this.db.voteParticipation.create({ data: { id: randomUUID(), ...p } });
  }

  /**
   * Secret ballot: the new choice is added, then every ballot of the vote is rewritten with fresh
   * random ids in a random order. Row order (SQLite rowid, PostgreSQL heap order), ids and the
   * absence of any timestamp therefore reveal nothing about which ballot came last, so no ballot
   * can be matched to the participation written in the same transaction.
   * Public ballot: one row carrying voterId.
   */
  async castBallot(voteId: string, choice: string, college: string, voterId: string | null): Promise<void> {
    if (voterId) {
      await this.db.voteBallot.create({ data: { id: randomUUID(), voteId, choice, college, voterId } });
      return;
    }
    const existing = await this.db.voteBallot.findMany({ where: { voteId }, select: { choice: true, college: true } });
    await this.db.voteBallot.deleteMany({ where: { voteId } });
    const all = shuffle([...existing, { choice, college }]);
    await this.db.voteBallot.createMany({ data: all.map((b) => ({ id: randomUUID(), voteId, choice: b.choice, college: b.college, voterId: null })) });
  }

  tally(voteId: string) {
    return this.db.voteBallot.groupBy({ by: ["college", "choice"], where: { voteId }, _count: { _all: true } });
  }

  publicBallots(voteId: string) {
    return this.db.voteBallot.findMany({ where: { voteId, voterId: { not: null } }, select: { voterId: true, choice: true } });
  }

  proxies(voteId: string) {
    return this.db.voteProxy.findMany({ where: { voteId }, select: { giverId: true, holderId: true } });
  }

  addProxy(voteId: string, giverId: string, holderId: string) {
    return this.db.voteProxy.create({ data: { voteId, giverId, holderId } });
  }

  async close(voteId: string, results: object): Promise<boolean> {
    const r = await this.db.vote.updateMany({ where: { id: voteId, state: "OUVERT" }, data: { state: "CLOS", results } });
    return r.count === 1;
  }

  dueToClose(at: Date) {
    return this.db.vote.findMany({ where: { state: "OUVERT", closesAt: { lte: at } } });
  }

  closedVotes() {
    return this.db.vote.findMany({ where: { state: "CLOS" }, select: { id: true, cptsId: true, closesAt: true, purgeAfterDays: true } });
  }

  /** Deletes ballots, participations and proxies; the aggregated results stay on the vote. */
  async purge(voteId: string): Promise<number> {
    const b = await this.db.voteBallot.deleteMany({ where: { voteId } });
    const p = await this.db.voteParticipation.deleteMany({ where: { voteId } });
    await this.db.voteProxy.deleteMany({ where: { voteId } });
    await this.db.vote.update({ where: { id: voteId }, data: { state: "PURGE" } });
    return b.count + p.count;
  }

  memberByEmail(cptsId: string, email: string) {
    return this.db.member.findFirst({ where: { cptsId, email, status: "ACTIF" }, select: { id: true } });
  }

  memberRoles(cptsId: string, memberId: string) {
    return this.db.memberRole.findMany({ where: { memberId, member: { cptsId } }, select: { role: true } });
  }
}
