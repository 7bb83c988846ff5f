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

  create(data: { cptsId: string; situation: CrisisSituationKey; description: string | null; grave: boolean; exercise: boolean; reminderAfterMinutes: number | null; activatedOn: string; activatedBy: string; createdAt: Date }) {
    return this.db.crisisActivation.create({ data });
  }

  /** Marks an activation as an exercise or a real crisis; false when it does not exist in the CPTS. */
  async setExercise(cptsId: string, id: string, exercise: boolean): Promise<boolean> {
    const r = await this.db.crisisActivation.updateMany({ where: { id, cptsId }, data: { exercise } });
    return r.count === 1;
  }

  /** Open activations whose reminder is due (delay elapsed, not sent yet). */
  remindersDue(now: Date, cptsId?: string) {
    return this.db.crisisActivation.findMany({
      where: { closedOn: null, reminderSentAt: null, reminderAfterMinutes: { not: null }, ...(cptsId ? { cptsId } : {}) },
      orderBy: { createdAt: "asc" },
    }).then((rows) => rows.filter((a) => a.createdAt.getTime() + a.reminderAfterMinutes! * 60_000 <= now.getTime()));
  }

  /** Claims the reminder of an activation: true for the one caller that set the mark. */
  async claimReminder(id: string, at: Date): Promise<boolean> {
    const r = await this.db.crisisActivation.updateMany({ where: { id, reminderSentAt: null, closedOn: null }, data: { reminderSentAt: at } });
    return r.count === 1;
  }

  storeTokens(rows: { activationId: string; memberId: string; tokenHash: string }[]) {
    return rows.length ? this.db.crisisAnswerToken.createMany({ data: rows }) : Promise.resolve({ count: 0 });
  }

  byTokenHash(tokenHash: string) {
    return this.db.crisisAnswerToken.findUnique({
      where: { tokenHash },
      select: { memberId: true, activation: { select: { id: true, cptsId: true, situation: true, exercise: true, closedOn: true, description: true, cpts: { select: { name: true } } } } },
    });
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

  /**
   * Everyone expected to answer the roll-call: active members and non-members who accepted alerts,
   * reachable or not by mail (a bouncing address may still answer in the chat).
   */
  expected(cptsId: string) {
    return this.db.member.findMany({
      where: { cptsId, OR: [{ status: "ACTIF" }, { status: "NON_ADHERENT", prefAlerts: true }] },
      select: { id: true, firstName: true, lastName: true, organization: true, email: true, phone: true, profession: true, communeInsee: true, status: true },
    });
  }

  memberOf(cptsId: string, memberId: string) {
    return this.db.member.findFirst({ where: { id: memberId, cptsId, status: { in: ["ACTIF", "NON_ADHERENT", "CANDIDAT"] } }, select: { id: true } });
  }

  /** Records the answer; the same answer again keeps its first time (idempotent). */
  async answer(activationId: string, memberId: string, available: boolean, at: Date, via: string): Promise<void> {
    const existing = await this.db.crisisRollCall.findUnique({ where: { activationId_memberId: { activationId, memberId } }, select: { available: true } });
    if (existing?.available === available) return;
    await this.db.crisisRollCall.upsert({
      where: { activationId_memberId: { activationId, memberId } },
      create: { activationId, memberId, available, answeredAt: at, via },
      update: { available, answeredAt: at, via },
    });
  }

  rollCall(activationId: string) {
    return this.db.crisisRollCall.findMany({
      where: { activationId },
      select: {
        available: true,
        answeredAt: true,
        via: true,
        member: { select: { id: true, firstName: true, lastName: true, organization: true, email: true, phone: true, profession: true, communeInsee: true, status: true } },
      },
    });
  }

  communes(cptsId: string) {
    return this.db.commune.findMany({ where: { cptsId }, select: { inseeCode: true, name: true } });
  }

  memberRoles(cptsId: string, memberId: string) {
    return this.db.memberRole.findMany({ where: { memberId, member: { cptsId } }, select: { role: true } });
  }

  cptsName(cptsId: string) {
    return this.db.cpts.findUniqueOrThrow({ where: { id: cptsId }, select: { name: true, contactEmail: true } });
  }

  audit(cptsId: string, actor: string, action: string, target: string, details: object) {
    return this.db.auditLog.create({ data: { cptsId, actor, action, target, details } });
  }
}
