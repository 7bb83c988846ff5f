// Members as the chat layer reads and writes them. Every query is scoped by cptsId.
// The reads on every chat command's path (member + roles, payments, rate) are single raw SELECTs:
// a nested Prisma read costs several milliseconds of CPU (query compilation) per call.
import type { Db } from "../client.ts";
import { Prisma } from "../generated/postgres/client.ts";
import { scrubMemberFromOutbox } from "./mail-retention-repo.ts";
import { scrubMemberFromImports } from "./member-import-repo.ts";
import { plainRows } from "../direct-read.ts";

export interface MemberWithRoles {
  id: string;
  cptsId: string;
  kind: "PHYSIQUE" | "MORALE";
  category: "PROFESSIONNEL" | "STRUCTURE" | "PARTENAIRE";
  status: "ACTIF" | "CANDIDAT" | "NON_ADHERENT" | "ARCHIVE" | "EFFACE";
  firstName: string | null;
  lastName: string | null;
  organization: string | null;
  profession: string | null;
  communeInsee: string | null;
  email: string | null;
  duesExempt: boolean;
  joinedOn: string | null;
  roles: { role: string; office: string | null }[];
}

export function memberName(m: { firstName: string | null; lastName: string | null; organization: string | null }): string {
  return [m.firstName, m.lastName].filter(Boolean).join(" ") || m.organization || "Membre";
}

/** The columns of MemberWithRoles (table alias `m`) and its roles (alias `r`, LEFT JOINed): one row per role. */
export const MEMBER_COLUMNS = Prisma.sql`m."id" AS "mId", m."cptsId" AS "mCptsId", m."kind" AS "mKind", m."category" AS "mCategory", m."status" AS "mStatus",
  m."firstName" AS "mFirstName", m."lastName" AS "mLastName", m."organization" AS "mOrganization", m."profession" AS "mProfession",
  m."communeInsee" AS "mCommuneInsee", m."email" AS "mEmail", m."duesExempt" AS "mDuesExempt", m."joinedOn" AS "mJoinedOn",
  r."role" AS "rRole", r."office" AS "rOffice"`;

export interface MemberRow {
  mId: string | null;
  mCptsId: string;
  mKind: MemberWithRoles["kind"];
  mCategory: MemberWithRoles["category"];
  mStatus: MemberWithRoles["status"];
  mFirstName: string | null;
  mLastName: string | null;
  mOrganization: string | null;
  mProfession: string | null;
  mCommuneInsee: string | null;
  mEmail: string | null;
  mDuesExempt: boolean | number;
  mJoinedOn: string | null;
  rRole: string | null;
  rOffice: string | null;
}

/** The member of rows selected with MEMBER_COLUMNS (one row per role; null when the member is absent). */
export function memberFromRows(rows: MemberRow[]): MemberWithRoles | null {
  const first = rows[0];
  if (!first || first.mId === null) return null;
  return {
    id: first.mId,
    cptsId: first.mCptsId,
    kind: first.mKind,
    category: first.mCategory,
    status: first.mStatus,
    firstName: first.mFirstName,
    lastName: first.mLastName,
    organization: first.mOrganization,
    profession: first.mProfession,
    communeInsee: first.mCommuneInsee,
    email: first.mEmail,
    duesExempt: Boolean(first.mDuesExempt),
    joinedOn: first.mJoinedOn,
    roles: rows.filter((r) => r.rRole !== null).map((r) => ({ role: r.rRole!, office: r.rOffice })),
  };
}

const select = {
  id: true, cptsId: true, kind: true, category: true, status: true, firstName: true, lastName: true, organization: true,
  profession: true, communeInsee: true, email: true, duesExempt: true, joinedOn: true, roles: { select: { role: true, office: true } },
} as const;

export class MemberRepository {
  constructor(private readonly db: Db) {}

  async findById(cptsId: string, id: string): Promise<MemberWithRoles | null> {
    const rows = await plainRows<MemberRow>(this.db, Prisma.sql`SELECT ${MEMBER_COLUMNS} FROM "Member" m LEFT JOIN "MemberRole" r ON r."memberId" = m."id"
      WHERE m."id" = ${id} AND m."cptsId" = ${cptsId} ORDER BY r."id"`);
    return memberFromRows(rows);
  }

  findByEmail(cptsId: string, email: string): Promise<MemberWithRoles | null> {
    return this.db.member.findFirst({ where: { cptsId, email: email.trim().toLowerCase(), status: { not: "EFFACE" } }, select }) as Promise<MemberWithRoles | null>;
  }

  /** Members holding one of these roles (coordination, bureau): who gets notified. */
  findByRoles(cptsId: string, roles: ("COORDONNATEUR" | "BUREAU")[]): Promise<MemberWithRoles[]> {
    return this.db.member.findMany({ where: { cptsId, status: "ACTIF", roles: { some: { role: { in: roles } } } }, select }) as Promise<MemberWithRoles[]>;
  }

  /** findById plus the dues rate of the member's category for `year` (null when none is set), in one read. */
  async findWithRate(cptsId: string, id: string, year: number): Promise<(MemberWithRoles & { rateCents: number | null }) | null> {
    const rows = await plainRows<MemberRow & { rateCents: number | null }>(this.db, Prisma.sql`SELECT ${MEMBER_COLUMNS}, d."amountCents" AS "rateCents"
      FROM "Member" m
      LEFT JOIN "MemberRole" r ON r."memberId" = m."id"
      LEFT JOIN "DuesRate" d ON d."cptsId" = m."cptsId" AND d."year" = ${year} AND d."category" = m."category"
      WHERE m."id" = ${id} AND m."cptsId" = ${cptsId} ORDER BY r."id"`);
    const member = memberFromRows(rows);
    return member && { ...member, rateCents: rows[0]!.rateCents ?? null };
  }

  /** The member's payments, oldest first (the fields the dues rules read). */
  payments(cptsId: string, memberId: string): Promise<{ memberId: string; paidOn: string; amountCents: number; year: number; refundedOn: string | null }[]> {
    return plainRows(this.db, Prisma.sql`SELECT "memberId", "paidOn", "amountCents", "year", "refundedOn" FROM "DuesPayment"
      WHERE "cptsId" = ${cptsId} AND "memberId" = ${memberId} ORDER BY "paidOn" ASC, "id" ASC`);
  }

  communes(cptsId: string) {
    return this.db.commune.findMany({ where: { cptsId }, orderBy: { name: "asc" }, select: { inseeCode: true, name: true, postalCode: true } });
  }

  createCandidate(data: {
    cptsId: string; firstName: string; lastName: string; email: string; profession: string; communeInsee: string; joinedOn: string;
    consent: { purpose: string; textVersion: string; channel: string };
  }) {
    const { consent, ...m } = data;
    return this.db.member.create({
      data: { ...m, email: m.email.toLowerCase(), status: "CANDIDAT", consents: { create: consent } },
      select: { id: true },
    });
  }

  /** Everything stored about one member, for an access request (RGPD art. 15). */
  /**
   * Dues reminders recorded for `year` since `since` (ledger rows, not cancelled) with each one's
   * mail state in the outbox (row key `relance:<member>:<year>:<step>`), for the chat summary.
   */
  async remindersSince(cptsId: string, year: number, since: Date): Promise<{ memberId: string; profession: string | null; step: number; state: string | null }[]> {
    const ledger = await this.db.reminderLedger.findMany({
      where: { cptsId, year, cancelled: false, createdAt: { gte: since } },
      select: { memberId: true, step: true, member: { select: { profession: true } } },
    });
    const keys = ledger.map((l) => `relance:${l.memberId}:${year}:${l.step}`);
    const rows = keys.length ? await this.db.outboxMessage.findMany({ where: { cptsId, idempotencyKey: { in: keys } }, select: { idempotencyKey: true, state: true } }) : [];
    const state = new Map(rows.map((r) => [r.idempotencyKey, r.state as string]));
    return ledger.map((l) => ({ memberId: l.memberId, profession: l.member.profession, step: l.step, state: state.get(`relance:${l.memberId}:${year}:${l.step}`) ?? null }));
  }

  exportAll(cptsId: string, memberId: string) {
    return this.db.member.findFirst({
      where: { id: memberId, cptsId },
      include: {
        roles: true,
        consents: true,
        chatIdentities: { select: { userId: true, displayName: true, createdAt: true, workspace: { select: { platform: true, name: true } } } },
        payments: true,
        reminders: true,
        attendances: { include: { meeting: { select: { title: true, heldOn: true, mission: true } } } },
        indemnities: true,
        reviews: true,
        rollCalls: true,
        sectionsOwned: { select: { title: true, kind: true } },
      },
    });
  }

  /**
   * Erasure (RGPD art. 17): identity fields blanked, chat links and consents removed, pending
   * mails cancelled, stored mail and import previews/reports scrubbed of their name and address; payments, indemnities and attendances stay (accounting obligations) but
   * point to an anonymous record.
   */
  async anonymise(cptsId: string, memberId: string, at: Date, actor: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
      const before = await tx.member.findFirst({ where: { id: memberId, cptsId }, select: { id: true, firstName: true, lastName: true, organization: true, email: true } });
      const r = await tx.member.updateMany({
        where: { id: memberId, cptsId, status: { not: "EFFACE" } },
        data: {
          firstName: null, lastName: null, organization: null, email: null, phone: null, rpps: null, communeInsee: null,
          status: "EFFACE", erasedAt: at, prefNewsletter: false, prefDuesReminders: false, prefAlerts: false,
        },
      });
      if (r.count === 0) return false;
      await tx.chatIdentity.deleteMany({ where: { memberId } });
      await tx.consentRecord.deleteMany({ where: { memberId } });
      await tx.crisisPlanSection.updateMany({ where: { ownerId: memberId }, data: { ownerId: null } });
      await tx.outboxMessage.updateMany({ where: { cptsId, memberId, state: { in: ["EN_ATTENTE", "ECHEC_TEMPORAIRE"] } }, data: { state: "ANNULE", lastError: "membre effacé (RGPD)" } });
      await tx.outboxMessage.updateMany({ where: { cptsId, memberId, channel: "MAIL" }, data: { recipient: "efface@invalid" } });
      // stored mail keeps neither their name nor their address (their own messages, and notices naming them)
      if (before) await scrubMemberFromOutbox(tx, cptsId, before, at);
      // and the previews and error reports of member imports that named them
      if (before) await scrubMemberFromImports(tx, cptsId, before);
      await tx.auditLog.create({ data: { cptsId, actor, action: "member.erase", target: memberId } });
      return true;
    });
  }
}
