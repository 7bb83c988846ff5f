// Admin accounts, sessions, login attempts and the audit log, plus the reads and small writes of
// the web admin pages. Every read of a CPTS's data takes its cptsId: a record of another CPTS is
// simply not found.
import { randomUUID } from "node:crypto";
import type { Db, Tx } from "../client.ts";
import { insertRows, newRowId } from "../raw-insert.ts";

export type AdminRoleKind = "COORDONNATEUR" | "BUREAU";

export interface AuditEntry {
  cptsId: string | null;
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

/**
 * One entry of the audit log. A raw insert (raw-insert.ts): inside a decision's transaction on SQLite (a reminders
 * run writes one per CPTS: 800 on the national set) a statement prepared once instead of Prisma's create.
 */
export async function writeAudit(db: Db | Tx, e: AuditEntry): Promise<void> {
  await insertRows(db, "AuditLog", ["id", "cptsId", "actor", "action", "target", "details", "at"], [
    [newRowId(), e.cptsId, e.actor, e.action, e.target ?? null, e.details === undefined ? null : JSON.stringify(e.details), new Date()],
  ]);
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

  /** New password: the account's open sessions end; with `actor`, the audit log records who did it. */
  /** Same password, stronger hash (made at login): sessions stay open, nothing to audit. */
  async rehashPassword(userId: string, passwordHash: string) {
    await this.db.adminUser.update({ where: { id: userId }, data: { passwordHash } });
  }

  async setPassword(userId: string, passwordHash: string, actor?: string) {
    await this.db.$transaction(async (tx) => {
      const user = await tx.adminUser.update({ where: { id: userId }, data: { passwordHash } });
      await tx.adminSession.deleteMany({ where: { userId } });
      if (actor) await writeAudit(tx, { cptsId: user.cptsId, actor, action: "admin.mot_de_passe", target: user.email });
    });
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

  /**
   * Reserves a login check, atomically: unless a key already has `max` failures since `since`, one failure
   * row per key is written BEFORE the password is checked (a success turns them into successes). Concurrent
   * tries for the same keys take turns (PostgreSQL: advisory locks per key; SQLite: one writer at a time),
   * so 60 simultaneous wrong passwords get exactly `max` checks. Blocked: when the oldest counted failure
   * leaves the window (`retryAt`).
   */
  async reserveLoginCheck(limits: { key: string; max: number }[], now: Date, since: Date, windowMs: number): Promise<{ ok: true; ids: string[] } | { ok: false; retryAt: Date }> {
    return this.db.$transaction(async (tx) => {
      const isPg = (this.db as unknown as { _engineConfig?: { activeProvider?: string } })._engineConfig?.activeProvider === "postgresql";
      // SQLite: every transaction takes the write lock at its start (BEGIN IMMEDIATE, src/db/client.ts): one writer
      if (isPg) {
        for (const { key } of [...limits].sort((a, b) => a.key.localeCompare(b.key))) {
          await tx.$executeRawUnsafe("SELECT pg_advisory_xact_lock(hashtext($1))", key);
        }
      }
      let retryAt: Date | undefined;
      for (const { key, max } of limits) {
        const failures = await tx.loginAttempt.findMany({ where: { key, ok: false, at: { gte: since } }, select: { at: true }, orderBy: { at: "asc" } });
        if (failures.length >= max) {
          const at = new Date(failures[failures.length - max]!.at.getTime() + windowMs);
          if (!retryAt || at > retryAt) retryAt = at;
        }
      }
      if (retryAt) return { ok: false as const, retryAt };
      const ids = limits.map(() => randomUUID());
      await tx.loginAttempt.createMany({ data: limits.map(({ key }, i) => ({ id: ids[i]!, key, ok: false, at: now })) });
      return { ok: true as const, ids };
    }, { maxWait: 30_000, timeout: 30_000 }); // a burst queues for the pool and the per-key lock instead of failing
  }

  /** The reserved failures were a success after all. */
  async markLoginSucceeded(ids: string[]) {
    await this.db.loginAttempt.updateMany({ where: { id: { in: ids } }, data: { ok: true } });
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

  /** These members of the CPTS (a list page's rows), with roles and payments. */
  async byIds(cptsId: string, ids: string[]) {
    // by primary key only, the CPTS checked here: with `cptsId` in the WHERE, SQLite (no statistics)
    // walks the CPTS's whole (cptsId, email) index, ≈ 1 s for 50 rows at 100,000 members
    return (await this.db.member.findMany({ where: { id: { in: ids } }, include: memberInclude })).filter((m) => m.cptsId === cptsId);
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

  /** These messages of the CPTS (a page of the outbox list), in the order of `ids`. */
  async outboxByIds(cptsId: string, ids: string[]) {
    // By id only, the CPTS checked here: with « cptsId = ? » in the WHERE, SQLite walked the CPTS's
    // (cptsId, …) index, every message of it (≈ 180 ms of CPU at 100,000), instead of 50 key lookups.
    const found = await this.db.outboxMessage.findMany({
      where: { id: { in: ids } },
      select: { cptsId: true, id: true, kind: true, channel: true, recipient: true, memberId: true, subject: true, state: true, attempts: true, lastError: true, createdAt: true, sentAt: true, nextAttemptAt: true },
    });
    const rows = found.filter((r) => r.cptsId === cptsId).map(({ cptsId: _c, ...r }) => r);
    const at = new Map(ids.map((id, i) => [id, i]));
    return rows.sort((a, b) => at.get(a.id)! - at.get(b.id)!);
  }

  /**
   * Of these recipients, those who are members of another CPTS (an inter-CPTS's newsletter reaches
   * its member CPTS's members): memberId → the name of their CPTS. Their address is not the
   * inter-CPTS's to see.
   */
  async foreignRecipients(cptsId: string, memberIds: (string | null)[]): Promise<Map<string, string>> {
    const ids = [...new Set(memberIds.filter((x): x is string => Boolean(x)))];
    if (!ids.length) return new Map();
    const rows = await this.db.member.findMany({ where: { id: { in: ids }, cptsId: { not: cptsId } }, select: { id: true, cpts: { select: { name: true } } } });
    return new Map(rows.map((r) => [r.id, r.cpts.name]));
  }

  /** Counts by member CPTS and state of the messages this CPTS (an inter-CPTS) sent to other CPTS's members. */
  async foreignOutboxCounts(cptsId: string): Promise<{ cpts: string; state: string; count: number }[]> {
    // Only an inter-CPTS writes to other CPTS's members: a CPTS skips the join over its whole outbox.
    const cpts = await this.db.cpts.findUnique({ where: { id: cptsId }, select: { kind: true } });
    if (cpts?.kind !== "INTER_CPTS") return [];
    const rows = await this.db.$queryRaw<{ cpts: string; state: string; n: bigint | number }[]>`
      SELECT c."name" AS "cpts", o."state" AS "state", COUNT(*) AS "n"
      FROM "OutboxMessage" o JOIN "Member" m ON m."id" = o."memberId" JOIN "Cpts" c ON c."id" = m."cptsId"
      WHERE o."cptsId" = ${cptsId} AND m."cptsId" <> ${cptsId}
      GROUP BY c."name", o."state" ORDER BY c."name", o."state"`;
    return rows.map((r) => ({ cpts: r.cpts, state: String(r.state), count: Number(r.n) }));
  }

  /** Job runs are shared by every CPTS of the instance: their counts and errors name other tenants'
   *  members and slugs, so only the run's identity, state and timing leave the database here. */
  jobRuns(take = 10) {
    return this.db.jobRun.findMany({ orderBy: { startedAt: "desc" }, take, select: { id: true, jobId: true, slot: true, state: true, dryRun: true, startedAt: true, finishedAt: true } });
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

// ── CPTS settings read/written by the admin ──
export class CptsAdminRepository {
  constructor(readonly db: Db) {}

  byIcalToken(token: string) {
    return this.db.cpts.findUnique({ where: { icalToken: token }, select: { id: true, name: true } });
  }

  async rotateIcalToken(cptsId: string, token: string, actor: string) {
    await this.db.$transaction(async (tx) => {
      await tx.cpts.update({ where: { id: cptsId }, data: { icalToken: token } });
      await writeAudit(tx, { cptsId, actor, action: "cpts.ical_regenere" });
    });
  }

  overview(cptsId: string, year: number) {
    return this.db.cpts.findUniqueOrThrow({
      where: { id: cptsId },
      include: {
        communes: { orderBy: { name: "asc" } },
        contracts: {
          orderBy: { signedOn: "desc" },
          include: {
            amendments: { orderBy: { effectiveOn: "asc" } },
            missions: true,
            indicators: { orderBy: { code: "asc" }, include: { results: { orderBy: { contractYear: "asc" } }, missions: { include: { mission: { select: { kind: true } } } } } },
          },
        },
        duesRates: { where: { year: { in: [year, year + 1] } }, orderBy: [{ year: "asc" }, { category: "asc" }] },
        reminderPolicy: true,
        indemnityRules: { orderBy: [{ validFrom: "desc" }, { professionGroup: "asc" }] },
        workspaces: { select: { id: true, platform: true, name: true, externalId: true, alertChannelId: true } },
      },
    });
  }

  async update(cptsId: string, data: Record<string, unknown>, actor: string, action: string, details?: Record<string, unknown>) {
    await this.db.$transaction(async (tx) => {
      await tx.cpts.update({ where: { id: cptsId }, data });
      await writeAudit(tx, { cptsId, actor, action, details: details ?? data });
    });
  }

  async removeCommune(cptsId: string, communeId: string, actor: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const c = await tx.commune.findFirst({ where: { id: communeId, cptsId } });
      if (!c) return false;
      await tx.commune.delete({ where: { id: c.id } });
      await writeAudit(tx, { cptsId, actor, action: "cpts.commune_retiree", target: c.inseeCode, details: { name: c.name } });
      return true;
    });
  }

  async setDuesRate(cptsId: string, year: number, category: "PROFESSIONNEL" | "STRUCTURE" | "PARTENAIRE", amountCents: number, actor: string) {
    await this.db.$transaction(async (tx) => {
      await tx.duesRate.upsert({ where: { cptsId_year_category: { cptsId, year, category } }, create: { cptsId, year, category, amountCents }, update: { amountCents } });
      await writeAudit(tx, { cptsId, actor, action: "cpts.cotisation_tarif", details: { year, category, amountCents } });
    });
  }

  async setReminderPolicy(cptsId: string, data: { enabled: boolean; offsetsDays: string; maxCount: number }, actor: string) {
    await this.db.$transaction(async (tx) => {
      await tx.reminderPolicy.upsert({ where: { cptsId }, create: { cptsId, ...data }, update: data });
      await writeAudit(tx, { cptsId, actor, action: "cpts.politique_relance", details: data });
    });
  }

  async addIndemnityRule(cptsId: string, data: { validFrom: string; unit: "HEURE" | "DEMI_JOURNEE" | "FORFAIT"; professionGroup: string; rateCents: number; capPerYearCents: number | null }, actor: string) {
    await this.db.$transaction(async (tx) => {
      const r = await tx.indemnityRule.create({ data: { cptsId, ...data } });
      await writeAudit(tx, { cptsId, actor, action: "cpts.indemnite_regle_ajoutee", target: r.id, details: data });
    });
  }

  async removeIndemnityRule(cptsId: string, id: string, actor: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const r = await tx.indemnityRule.deleteMany({ where: { id, cptsId } });
      if (r.count) await writeAudit(tx, { cptsId, actor, action: "cpts.indemnite_regle_retiree", target: id });
      return r.count === 1;
    });
  }

  /** Mission dates of the CPTS's contract (scoped through the contract). */
  async updateMission(cptsId: string, missionId: string, data: { contracted: boolean; startOn: string | null; deployedOn: string | null; startDueOn: string | null; deployDueOn: string | null }, actor: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const m = await tx.aciMission.findFirst({ where: { id: missionId, contract: { cptsId } } });
      if (!m) return false;
      await tx.aciMission.update({ where: { id: m.id }, data });
      await writeAudit(tx, { cptsId, actor, action: "aci.mission_modifiee", target: m.kind, details: data });
      return true;
    });
  }

  async addAmendment(cptsId: string, contractId: string, data: { effectiveOn: string; population: number | null; size: number | null; description: string }, actor: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const c = await tx.aciContract.findFirst({ where: { id: contractId, cptsId } });
      if (!c) return false;
      await tx.aciAmendment.create({ data: { contractId, ...data } });
      await writeAudit(tx, { cptsId, actor, action: "aci.avenant_ajoute", details: data });
      return true;
    });
  }

  async createContract(cptsId: string, data: { signedOn: string; sizeAtSigning: number }, actor: string) {
    await this.db.$transaction(async (tx) => {
      await tx.aciContract.create({
        data: { cptsId, ...data, missions: { create: ["ACCES_SOINS", "PARCOURS", "PREVENTION", "CRISE", "QUALITE", "ACCOMPAGNEMENT"].map((kind) => ({ kind: kind as "CRISE", contracted: !["QUALITE", "ACCOMPAGNEMENT"].includes(kind) })) } },
      });
      await tx.cpts.update({ where: { id: cptsId }, data: { stage: "ACI_SIGNE" } });
      await writeAudit(tx, { cptsId, actor, action: "aci.contrat_cree", details: data });
    });
  }

  /** Records (or corrects) an indicator's result for a contract year. */
  async setIndicatorResult(cptsId: string, indicatorId: string, contractYear: number, value: number, recordedOn: string, actor: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const ind = await tx.aciIndicator.findFirst({ where: { id: indicatorId, contract: { cptsId } } });
      if (!ind) return false;
      await tx.aciIndicatorResult.upsert({
        where: { indicatorId_contractYear: { indicatorId, contractYear } },
        create: { indicatorId, contractYear, value, recordedOn },
        update: { value, recordedOn },
      });
      await writeAudit(tx, { cptsId, actor, action: "aci.indicateur_resultat", target: ind.code, details: { contractYear, value } });
      return true;
    });
  }
}

// ── meetings and indemnities (reads; writes go through services/meetings.ts) ──
export class MeetingAdminRepository {
  constructor(readonly db: Db) {}

  meetings(cptsId: string, year: number) {
    return this.db.meeting.findMany({
      where: { cptsId, heldOn: { gte: `${year}-01-01`, lte: `${year}-12-31` } },
      orderBy: { heldOn: "desc" },
      include: { _count: { select: { attendances: true } }, indemnities: { select: { amountCents: true } } },
    });
  }

  meeting(cptsId: string, id: string) {
    return this.db.meeting.findFirst({
      where: { id, cptsId },
      include: {
        attendances: { include: { member: { select: { id: true, firstName: true, lastName: true, organization: true, email: true, profession: true } } }, orderBy: { signedAt: "asc" } },
        indemnities: { include: { member: { select: { id: true, firstName: true, lastName: true, organization: true, email: true } } } },
      },
    });
  }

  indemnities(cptsId: string, year: number) {
    return this.db.indemnity.findMany({
      where: { cptsId, year },
      orderBy: [{ computedOn: "asc" }],
      include: {
        member: { select: { firstName: true, lastName: true, organization: true, email: true, profession: true, rpps: true } },
        meeting: { select: { title: true, heldOn: true } },
      },
    });
  }

  activeMembers(cptsId: string) {
    return this.db.member.findMany({ where: { cptsId, status: "ACTIF" }, select: { id: true, firstName: true, lastName: true, organization: true, email: true }, orderBy: [{ lastName: "asc" }, { firstName: "asc" }] });
  }
}

// ── crisis plan (reads beyond the service overview) ──
export class CrisisAdminRepository {
  constructor(readonly db: Db) {}

  /** Every activation of the plan, newest first (the roll-call counts come from the service). */
  activations(cptsId: string) {
    return this.db.crisisActivation.findMany({ where: { cptsId }, orderBy: [{ activatedOn: "desc" }, { createdAt: "desc" }] });
  }

  /** Who a chat actor label ("chat:slack:U0123") is: the member linked to that account in this CPTS. */
  async chatActorNames(cptsId: string, labels: string[]): Promise<Map<string, { firstName: string | null; lastName: string | null; organization: string | null; email: string | null }>> {
    const wanted = labels.map((l) => /^chat:([a-z]+):(.+)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
    if (!wanted.length) return new Map();
    const rows = await this.db.chatIdentity.findMany({
      where: { workspace: { cptsId }, userId: { in: wanted.map((m) => m[2]!) }, member: { cptsId } },
      select: { userId: true, workspace: { select: { platform: true } }, member: { select: { firstName: true, lastName: true, organization: true, email: true } } },
    });
    return new Map(rows.filter((r) => r.member).map((r) => [`chat:${r.workspace.platform.toLowerCase()}:${r.userId}`, r.member!]));
  }

  versions(cptsId: string) {
    return this.db.crisisPlanVersion.findMany({ where: { cptsId }, orderBy: { version: "desc" }, select: { id: true, version: true, adoptedOn: true, notes: true, createdAt: true } });
  }

  async setSectionOwner(cptsId: string, sectionId: string, ownerId: string | null, actor: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const s = await tx.crisisPlanSection.findFirst({ where: { id: sectionId, version: { cptsId } } });
      if (!s) return false;
      if (ownerId && !(await tx.member.findFirst({ where: { id: ownerId, cptsId }, select: { id: true } }))) return false;
      await tx.crisisPlanSection.update({ where: { id: s.id }, data: { ownerId } });
      await writeAudit(tx, { cptsId, actor, action: "plan_crise.responsable", target: s.kind, details: { ownerId } });
      return true;
    });
  }
}
