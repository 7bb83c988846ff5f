// Admin accounts, sessions, login attempts and the audit log, plus the reads and small writes of
// the web admin pages. Every read of a CPTS's data takes its cptsId: a record of another CPTS is
// simply not found.
import type { Db, Tx } from "../client.ts";

export type AdminRoleKind = "COORDONNATEUR" | "BUREAU";

export interface AuditEntry {
  cptsId: string | null;
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

export async function writeAudit(db: Db | Tx, e: AuditEntry): Promise<void> {
  await db.auditLog.create({
    data: { cptsId: e.cptsId, actor: e.actor, action: e.action, target: e.target ?? null, details: (e.details ?? undefined) as object | undefined },
  });
}

export class AdminRepository {
  constructor(readonly db: Db) {}

  // ── accounts ──
  userByEmail(email: string) {
    return this.db.adminUser.findUnique({ where: { email: email.toLowerCase() } });
  }

  async createUser(input: { cptsId: string; email: string; passwordHash: string; role: AdminRoleKind; actor: string }) {
    const email = input.email.toLowerCase();
    return this.db.$transaction(async (tx) => {
      const member = await tx.member.findFirst({ where: { cptsId: input.cptsId, email }, select: { id: true, adminUser: { select: { id: true } } } });
      const user = await tx.adminUser.create({
        data: { cptsId: input.cptsId, email, passwordHash: input.passwordHash, role: input.role, memberId: member && !member.adminUser ? member.id : null },
      });
      await writeAudit(tx, { cptsId: input.cptsId, actor: input.actor, action: "admin.compte_cree", target: email, details: { role: input.role } });
      return user;
    });
  }

  async setPassword(userId: string, passwordHash: string) {
    await this.db.$transaction([this.db.adminUser.update({ where: { id: userId }, data: { passwordHash } }), this.db.adminSession.deleteMany({ where: { userId } })]);
  }

  listUsers(cptsId: string) {
    return this.db.adminUser.findMany({ where: { cptsId }, orderBy: { email: "asc" }, select: { id: true, email: true, role: true, lastLoginAt: true } });
  }

  // ── sessions ──
  async createSession(s: { id: string; userId: string; csrfToken: string; expiresAt: Date }) {
    await this.db.adminSession.create({ data: s });
    await this.db.adminUser.update({ where: { id: s.userId }, data: { lastLoginAt: new Date() } });
  }

  session(id: string) {
    return this.db.adminSession.findUnique({
      where: { id },
      include: { user: { include: { cpts: { select: { id: true, slug: true, name: true } } } } },
    });
  }

  async deleteSession(id: string) {
    await this.db.adminSession.deleteMany({ where: { id } });
  }

  async purgeSessions(now: Date) {
    await this.db.adminSession.deleteMany({ where: { expiresAt: { lt: now } } });
  }

  // ── login attempts ──
  async recordAttempt(keys: string[], ok: boolean, at: Date) {
    await this.db.loginAttempt.createMany({ data: keys.map((key) => ({ key, ok, at })) });
  }

  /** Failures per key since `since` (the highest count among the keys). */
  async recentFailures(keys: string[], since: Date): Promise<number> {
    let max = 0;
    for (const key of keys) {
      const n = await this.db.loginAttempt.count({ where: { key, ok: false, at: { gte: since } } });
      max = Math.max(max, n);
    }
    return max;
  }

  async purgeAttempts(before: Date) {
    await this.db.loginAttempt.deleteMany({ where: { at: { lt: before } } });
  }

  // ── audit ──
  audit(e: AuditEntry) {
    return writeAudit(this.db, e);
  }

  auditLog(cptsId: string, take = 100) {
    return this.db.auditLog.findMany({ where: { cptsId }, orderBy: { at: "desc" }, take });
  }
}

// ── members ──
export interface MemberFilter {
  q?: string;
  profession?: string;
  role?: string;
  commune?: string;
  status?: string; // member status; default: every member not erased
}

const memberInclude = {
  roles: true,
  payments: { select: { id: true, year: true, amountCents: true, paidOn: true, refundedOn: true, source: true, method: true, externalId: true } },
} as const;

export class MemberAdminRepository {
  constructor(readonly db: Db) {}

  list(cptsId: string, f: MemberFilter = {}) {
    const q = f.q?.trim();
    return this.db.member.findMany({
      where: {
        cptsId,
        status: f.status ? (f.status as "ACTIF") : { not: "EFFACE" },
        ...(f.profession ? { profession: f.profession } : {}),
        ...(f.commune ? { communeInsee: f.commune } : {}),
        ...(f.role ? { roles: { some: { role: f.role as "ADHERENT" } } } : {}),
        ...(q
          ? {
              OR: [
                { lastName: { contains: q } }, { firstName: { contains: q } }, { email: { contains: q.toLowerCase() } }, { organization: { contains: q } },
                { lastName: { contains: q.charAt(0).toUpperCase() + q.slice(1).toLowerCase() } }, { firstName: { contains: q.charAt(0).toUpperCase() + q.slice(1).toLowerCase() } },
              ],
            }
          : {}),
      },
      include: memberInclude,
      orderBy: [{ lastName: "asc" }, { organization: "asc" }, { firstName: "asc" }],
    });
  }

  byId(cptsId: string, id: string) {
    return this.db.member.findFirst({ where: { id, cptsId, status: { not: "EFFACE" } }, include: { ...memberInclude, adminUser: { select: { email: true, role: true } } } });
  }

  byEmail(cptsId: string, email: string) {
    return this.db.member.findFirst({ where: { cptsId, email: email.toLowerCase() }, select: { id: true, email: true, firstName: true, lastName: true, organization: true } });
  }

  emailsOf(cptsId: string) {
    return this.db.member.findMany({ where: { cptsId }, select: { id: true, email: true } });
  }

  communes(cptsId: string) {
    return this.db.commune.findMany({ where: { cptsId }, orderBy: { name: "asc" } });
  }

  duesRates(cptsId: string, year: number) {
    return this.db.duesRate.findMany({ where: { cptsId, year } });
  }
}

// ── dashboard, outbox, jobs ──
export class ActivityRepository {
  constructor(readonly db: Db) {}

  async outboxCounts(cptsId: string): Promise<Record<string, number>> {
    const rows = await this.db.outboxMessage.groupBy({ by: ["state"], where: { cptsId }, _count: { _all: true } });
    return Object.fromEntries(rows.map((r) => [r.state, r._count._all]));
  }

  outbox(cptsId: string, state: string | undefined, take = 200) {
    return this.db.outboxMessage.findMany({
      where: { cptsId, ...(state ? { state: state as "ENVOYE" } : {}) },
      orderBy: { createdAt: "desc" },
      take,
      select: { id: true, kind: true, channel: true, recipient: true, subject: true, state: true, attempts: true, lastError: true, createdAt: true, sentAt: true, nextAttemptAt: true },
    });
  }

  jobRuns(take = 10) {
    return this.db.jobRun.findMany({ orderBy: { startedAt: "desc" }, take });
  }

  scheduledNewsletters(cptsId: string) {
    return this.db.newsletter.findMany({ where: { cptsId, state: { in: ["PROGRAMMEE", "EN_COURS"] } }, orderBy: { scheduledAt: "asc" } });
  }
}

// ── newsletters (scoping and draft edits; sending lives in services/newsletters.ts) ──
export class NewsletterAdminRepository {
  constructor(readonly db: Db) {}

  byId(cptsId: string, id: string) {
    return this.db.newsletter.findFirst({ where: { id, cptsId } });
  }

  async updateDraft(cptsId: string, id: string, data: { subject: string; body: string; audience: "ADHERENTS" | "PROFESSIONS" | "TERRITOIRE" | "FEDERATION"; professions: string }, actor: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const r = await tx.newsletter.updateMany({ where: { id, cptsId, state: "BROUILLON" }, data });
      if (r.count === 1) await writeAudit(tx, { cptsId, actor, action: "newsletter.modifiee", target: id });
      return r.count === 1;
    });
  }
}
