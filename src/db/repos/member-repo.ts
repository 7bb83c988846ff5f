// Members as the chat layer reads and writes them. Every query is scoped by cptsId.
import type { Db } from "../client.ts";

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

const select = {
  id: true, cptsId: true, kind: true, category: true, status: true, firstName: true, lastName: true, organization: true,
  profession: true, communeInsee: true, email: true, duesExempt: true, joinedOn: true, roles: { select: { role: true, office: true } },
} as const;

export class MemberRepository {
  constructor(private readonly db: Db) {}

  findById(cptsId: string, id: string): Promise<MemberWithRoles | null> {
    return this.db.member.findFirst({ where: { id, cptsId }, select }) as Promise<MemberWithRoles | null>;
  }

  findByEmail(cptsId: string, email: string): Promise<MemberWithRoles | null> {
    return this.db.member.findFirst({ where: { cptsId, email: email.trim().toLowerCase(), status: { not: "EFFACE" } }, select }) as Promise<MemberWithRoles | null>;
  }

  /** Members holding one of these roles (coordination, bureau): who gets notified. */
  findByRoles(cptsId: string, roles: ("COORDONNATEUR" | "BUREAU")[]): Promise<MemberWithRoles[]> {
    return this.db.member.findMany({ where: { cptsId, status: "ACTIF", roles: { some: { role: { in: roles } } } }, select }) as Promise<MemberWithRoles[]>;
  }

  payments(cptsId: string, memberId: string) {
    return this.db.duesPayment.findMany({ where: { cptsId, memberId }, orderBy: { paidOn: "asc" } });
  }

  duesRate(cptsId: string, year: number, category: string) {
    return this.db.duesRate.findFirst({ where: { cptsId, year, category: category as "PROFESSIONNEL" } });
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
   * mails cancelled; payments, indemnities and attendances stay (accounting obligations) but
   * point to an anonymous record.
   */
  async anonymise(cptsId: string, memberId: string, at: Date, actor: string): Promise<boolean> {
    return this.db.$transaction(async (tx) => {
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
      await tx.auditLog.create({ data: { cptsId, actor, action: "member.erase", target: memberId } });
      return true;
    });
  }
}
