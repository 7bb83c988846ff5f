// Crisis activations (plan de crise déclenché), the roll-call and who is reached.
import type { Db, Tx } from "../client.ts";

export type DbOrTx = Db | Tx;
export type CrisisSituationKey = "BLESSES" | "MALADES" | "AGENT_INFECTIEUX" | "NRC" | "OFFRE_DEGRADEE";

export class CrisisActivationRepository {
  constructor(private readonly db: DbOrTx) {}

  open(cptsId: string) {
    return this.db.crisisActivation.findFirst({ where: { cptsId, closedOn: null }, orderBy: { createdAt: "desc" } });
  }

  byId(cptsId: string, id: string) {
    return this.db.crisisActivation.findFirst({ where: { id, cptsId } });
  }

  create(data: { cptsId: string; situation: CrisisSituationKey; description: string | null; grave: boolean; activatedOn: string; activatedBy: string }) {
    return this.db.crisisActivation.create({ data });
  }

  /** Closes once; false when it was already closed. */
  async close(id: string, closedOn: string, feedback: string): Promise<boolean> {
    const r = await this.db.crisisActivation.updateMany({ where: { id, closedOn: null }, data: { closedOn, feedback } });
    return r.count === 1;
  }

  /**
   * Professionals of the territory to alert by mail: active members, and non-members who accepted
   * alerts; never an address known to bounce.
   */
  mailAudience(cptsId: string) {
    return this.db.member.findMany({
      where: {
        cptsId,
        email: { not: null },
        emailInvalid: false,
        OR: [{ status: "ACTIF" }, { status: "NON_ADHERENT", prefAlerts: true }],
      },
      select: { id: true, email: true, firstName: true, lastName: true, unsubscribeToken: true },
      orderBy: { id: "asc" },
    });
  }

  memberOf(cptsId: string, memberId: string) {
    return this.db.member.findFirst({ where: { id: memberId, cptsId, status: { in: ["ACTIF", "NON_ADHERENT", "CANDIDAT"] } }, select: { id: true } });
  }

  async answer(activationId: string, memberId: string, available: boolean, at: Date): Promise<void> {
    await this.db.crisisRollCall.upsert({
      where: { activationId_memberId: { activationId, memberId } },
      create: { activationId, memberId, available, answeredAt: at },
      update: { available, answeredAt: at },
    });
  }

  rollCall(activationId: string) {
    return this.db.crisisRollCall.findMany({
      where: { activationId },
      select: { available: true, member: { select: { profession: true, communeInsee: true } } },
    });
  }

  communes(cptsId: string) {
    return this.db.commune.findMany({ where: { cptsId }, select: { inseeCode: true, name: true } });
  }

  memberRoles(cptsId: string, memberId: string) {
    return this.db.memberRole.findMany({ where: { memberId, member: { cptsId } }, select: { role: true } });
  }

  cptsName(cptsId: string) {
    return this.db.cpts.findUniqueOrThrow({ where: { id: cptsId }, select: { name: true } });
  }

  audit(cptsId: string, actor: string, action: string, target: string, details: object) {
    return this.db.auditLog.create({ data: { cptsId, actor, action, target, details } });
  }
}
