// AG votes: the vote, who took part, the ballots, the proxies. Secret ballots are stored so that
// no row links a choice to a voter (see castBallot).
import { randomUUID, randomInt } from "node:crypto";
import type { Db, Tx } from "../client.ts";
import { Prisma } from "../generated/postgres/client.ts";
import { duesParts } from "./member-list-repo.ts";

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
   * Eligible voters per college counted by the database, for the members whose payments of the
   * cut-off's year did not change after the cut-off (none made nor refunded after it): for them the
   * trigger-kept dues columns (member-list-repo duesParts, roles ignored as the vote's rule does)
   * say what the payments said at the cut-off. `changed` lists the others, to be judged by the rule.
   */
  async electorateCounts(cptsId: string, cutoff: string, federation: boolean): Promise<{ counts: { college: string; n: number }[]; changed: string[] }> {
    const year = Number(cutoff.slice(0, 4));
    const changed = await this.db.$queryRaw<{ memberId: string }[]>`
      SELECT DISTINCT p."memberId" FROM "DuesPayment" p
      WHERE p."cptsId" = ${cptsId} AND p."year" = ${year} AND (p."paidOn" > ${cutoff} OR p."refundedOn" > ${cutoff})`;
    const { status } = await duesParts(this.db as Db, cptsId, cutoff, { ignoreRole: true });
    const partner = Prisma.sql`(m."category" = 'PARTENAIRE' OR EXISTS (SELECT 1 FROM "MemberRole" ro WHERE ro."memberId" = m."id" AND ro."role" = 'PARTENAIRE'))`;
    const college = federation
      ? Prisma.sql`(CASE WHEN ${partner} THEN 'consultatif' WHEN m."kind" = 'MORALE' THEN 'deliberatif' END)`
      : Prisma.sql`(CASE WHEN NOT ${partner} THEN 'deliberatif' END)`;
    const rows = await this.db.$queryRaw<{ college: string | null; n: bigint | number }[]>`
      SELECT x.college, COUNT(*) AS n FROM (
        SELECT ${college} AS college FROM "Member" m
        WHERE m."cptsId" = ${cptsId} AND m."status" = 'ACTIF' AND (m."joinedOn" IS NULL OR m."joinedOn" <= ${cutoff})
          AND ${status} IN ('a_jour', 'exonere')
          AND NOT EXISTS (SELECT 1 FROM "DuesPayment" p WHERE p."memberId" = m."id" AND p."year" = ${year} AND (p."paidOn" > ${cutoff} OR p."refundedOn" > ${cutoff}))
      ) x WHERE x.college IS NOT NULL GROUP BY x.college`;
    return { counts: rows.map((r) => ({ college: r.college!, n: Number(r.n) })), changed: changed.map((r) => r.memberId) };
  }

  /** votersOf restricted to some members (read 500 ids at a time: SQLite's parameter limit). */
  async votersByIds(cptsId: string, ids: string[]) {
    const out: Awaited<ReturnType<VoteRepository["votersOf"]>> = [];
    for (let i = 0; i < ids.length; i += 500) out.push(...(await this.votersIn(cptsId, ids.slice(i, i + 500))));
    return out;
  }

  private async votersIn(cptsId: string, ids: string[]) {
    const rows = await this.db.member.findMany({
      where: { cptsId, status: "ACTIF", id: { in: ids } },
      select: {
        id: true, firstName: true, lastName: true, organization: true, email: true, kind: true, category: true, duesExempt: true, joinedOn: true, profession: true,
        roles: { select: { role: true } },
        payments: { select: { paidOn: true, year: true, amountCents: true, refundedOn: true } },
      },
    });
    return rows.map((r) => ({ ...r, roles: r.roles.map((x) => x.role) }));
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
