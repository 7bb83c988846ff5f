// Data access of the HelloAsso loop: the CPTS behind a secret URL, payer matching, the review queue.
import type { Db, Tx } from "../db/client.ts";
import { Prisma } from "../db/generated/postgres/client.ts";
import { likePattern } from "../db/repos/member-list-repo.ts";

export type DbOrTx = Db | Tx;

export interface MemberCandidate {
  id: string;
  category: "PROFESSIONNEL" | "STRUCTURE" | "PARTENAIRE";
  duesExempt: boolean;
  firstName: string | null;
  lastName: string | null;
  organization: string | null;
  email: string | null;
  profession: string | null;
}

const memberFields = { id: true, category: true, duesExempt: true, firstName: true, lastName: true, organization: true, email: true, profession: true } as const;

/** Lower case, no accents, single spaces: "Élodie  MARTIN" and "elodie martin" compare equal. */
export function normalizeName(s: string | null | undefined): string {
  return (s ?? "")
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

export class HelloAssoRepository {
  constructor(private readonly db: DbOrTx) {}

  cptsByToken(token: string) {
    return this.db.cpts.findUnique({ where: { helloassoToken: token }, select: { id: true, name: true, slug: true, alertChannelId: true } });
  }

  paymentByExternalId(cptsId: string, paymentId: string) {
    return this.db.duesPayment.findUnique({ where: { cptsId_source_externalId: { cptsId, source: "HELLOASSO", externalId: paymentId } } });
  }

  pendingByExternalId(cptsId: string, paymentId: string) {
    return this.db.pendingPayment.findUnique({ where: { cptsId_source_externalId: { cptsId, source: "HELLOASSO", externalId: paymentId } } });
  }

  /**
   * Members of the CPTS the payer may be: by e-mail (the only match that may credit a payment),
   * else by first and last name (only ever proposed to a person).
   */
  async matchPayer(cptsId: string, payer: { email: string; firstName?: string; lastName?: string }): Promise<{ byEmail: MemberCandidate[]; byName: MemberCandidate[] }> {
    const live = { cptsId, status: { notIn: ["EFFACE" as const] } };
    const byEmail = await this.db.member.findMany({ where: { ...live, email: payer.email }, select: memberFields });
    if (byEmail.length) return { byEmail, byName: [] };
    const first = normalizeName(payer.firstName);
    const last = normalizeName(payer.lastName);
    if (!last) return { byEmail, byName: [] };
    const all = await this.db.member.findMany({ where: live, select: memberFields });
    return { byEmail, byName: all.filter((m) => normalizeName(m.lastName) === last && (!first || normalizeName(m.firstName) === first)) };
  }

  /** Amount due per category for a dues year. */
  async duesRates(cptsId: string, year: number): Promise<Record<string, number>> {
    const rows = await this.db.duesRate.findMany({ where: { cptsId, year }, select: { category: true, amountCents: true } });
    return Object.fromEntries(rows.map((r) => [r.category, r.amountCents]));
  }

  /** The same payment already recorded from another source (the CSV export imported first). */
  twinPayment(cptsId: string, memberId: string, amountCents: number, paidOn: string) {
    return this.db.duesPayment.findFirst({ where: { cptsId, memberId, amountCents, paidOn, refundedOn: null, source: { not: "HELLOASSO" } }, select: { id: true } });
  }

  memberPayments(cptsId: string, memberId: string) {
    return this.db.duesPayment.findMany({ where: { cptsId, memberId }, select: { memberId: true, paidOn: true, amountCents: true, year: true, refundedOn: true } });
  }

  memberByEmail(cptsId: string, email: string) {
    return this.db.member.findFirst({ where: { cptsId, email, status: { notIn: ["EFFACE"] } }, select: memberFields });
  }

  memberChoices(cptsId: string) {
    return this.db.member.findMany({ where: { cptsId, status: { in: ["ACTIF", "CANDIDAT", "NON_ADHERENT"] }, email: { not: null } }, select: memberFields, orderBy: [{ lastName: "asc" }, { firstName: "asc" }] });
  }

  member(cptsId: string, memberId: string) {
    return this.db.member.findFirst({ where: { id: memberId, cptsId, status: { notIn: ["EFFACE"] } }, select: memberFields });
  }

  createPending(data: {
    cptsId: string;
    externalId: string;
    payerName: string | null;
    payerEmail: string;
    amountCents: number;
    paidOn: string;
    reason: string;
    payload: object;
  }) {
    return this.db.pendingPayment.create({ data: { ...data, source: "HELLOASSO" } });
  }

  /** Closes a queue entry without counting it (rejected by a person); false when already closed. */
  async rejectPending(pendingId: string, at: Date, reason: string): Promise<boolean> {
    const r = await this.db.pendingPayment.updateMany({ where: { id: pendingId, resolvedAt: null }, data: { resolvedAt: at, reason } });
    return r.count === 1;
  }

  /** Open queue entries, oldest first; `page` narrows to a search (payer name or e-mail, any case) and one page. */
  async listPending(cptsId: string, page?: PendingPage) {
    if (!page) return this.db.pendingPayment.findMany({ where: { cptsId, resolvedAt: null }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
    const dir = Prisma.raw(page.desc ? "DESC" : "ASC");
    const ids = (await this.db.$queryRaw<{ id: string }[]>`SELECT p."id" FROM "PendingPayment" p WHERE ${this.pendingWhere(cptsId, page.q)}
      ORDER BY p."createdAt" ${dir}, p."id" ${dir} LIMIT ${page.take} OFFSET ${page.skip}`).map((r) => r.id);
    const rows = await this.db.pendingPayment.findMany({ where: { cptsId, id: { in: ids } } });
    const at = new Map(ids.map((id, i) => [id, i]));
    return rows.sort((a, b) => at.get(a.id)! - at.get(b.id)!);
  }

  async countPending(cptsId: string, q?: string): Promise<number> {
    const [r] = await this.db.$queryRaw<{ n: bigint | number }[]>`SELECT COUNT(*) AS n FROM "PendingPayment" p WHERE ${this.pendingWhere(cptsId, q)}`;
    return Number(r?.n ?? 0);
  }

  private pendingWhere(cptsId: string, q?: string) {
    const t = q?.trim();
    const open = Prisma.sql`p."cptsId" = ${cptsId} AND p."resolvedAt" IS NULL`;
    if (!t) return open;
    const like = likePattern(t);
    return Prisma.sql`${open} AND (LOWER(p."payerName") LIKE ${like} ESCAPE '\\' OR LOWER(p."payerEmail") LIKE ${like} ESCAPE '\\')`;
  }

  /** How many members a treasurer could pick (the picker lists them only when they are few). */
  /** Whether the CPTS has at most `max` members to pick from: reads `max + 1` rows, never counts 100,000. */
  async memberChoicesAtMost(cptsId: string, max: number): Promise<boolean> {
    // Raw SQL: the same filter through Prisma's findMany took ≈ 400 ms of CPU at 100,000 members
    // (SQLite), this reads the (cptsId, email) index and stops at max + 1 rows (≈ 5 ms).
    const rows = await this.db.$queryRaw<{ id: string }[]>`SELECT m."id" FROM "Member" m
      WHERE m."cptsId" = ${cptsId} AND m."status" IN ('ACTIF', 'CANDIDAT', 'NON_ADHERENT') AND m."email" IS NOT NULL LIMIT ${max + 1}`;
    return rows.length <= max;
  }

  pendingById(cptsId: string, pendingId: string) {
    return this.db.pendingPayment.findFirst({ where: { id: pendingId, cptsId } });
  }

  /** Marks a queue entry resolved once; false when someone else resolved it first. */
  async resolvePending(pendingId: string, at: Date, reason?: string): Promise<boolean> {
    const r = await this.db.pendingPayment.updateMany({ where: { id: pendingId, resolvedAt: null }, data: { resolvedAt: at, ...(reason ? { reason } : {}) } });
    return r.count === 1;
  }

  /** Sets refundedOn once; false when the payment was already refunded. */
  async markRefunded(paymentId: string, refundedOn: string): Promise<boolean> {
    const r = await this.db.duesPayment.updateMany({ where: { id: paymentId, refundedOn: null }, data: { refundedOn } });
    return r.count === 1;
  }

  audit(cptsId: string, actor: string, action: string, target: string, details: object) {
    return this.db.auditLog.create({ data: { cptsId, actor, action, target, details } });
  }
}

export interface PendingPage {
  skip: number;
  take: number;
  q?: string;
  desc?: boolean;
}
