// Meetings, attendances, indemnity rules, indemnities and mission envelopes; scoped by cptsId.
import type { Db, Tx } from "../client.ts";
import { isUniqueViolation } from "../client.ts";

export class MeetingRepository {
  constructor(private readonly db: Db | Tx) {}

  create(data: { cptsId: string; title: string; mission: string; heldOn: string; durationMin: number; openedBy: string; chatChannel?: string }) {
    return this.db.meeting.create({ data });
  }

  find(cptsId: string, id: string) {
    return this.db.meeting.findFirst({
      where: { id, cptsId },
      include: {
        attendances: {
          include: {
            member: { select: { id: true, kind: true, category: true, duesExempt: true, firstName: true, lastName: true, organization: true, profession: true, roles: { select: { role: true } } } },
          },
        },
      },
    });
  }

  listOpen(cptsId: string) {
    return this.db.meeting.findMany({ where: { cptsId, closedAt: null }, orderBy: { heldOn: "desc" }, include: { _count: { select: { attendances: true } } } });
  }

  /** false when the member had already signed. */
  async sign(meetingId: string, memberId: string, via: string): Promise<boolean> {
    try {
      await this.db.attendance.create({ data: { meetingId, memberId, via } });
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  /** Claims the closing of a meeting; false when it was already closed. */
  async markClosed(cptsId: string, id: string, at: Date): Promise<boolean> {
    const r = await this.db.meeting.updateMany({ where: { id, cptsId, closedAt: null }, data: { closedAt: at } });
    return r.count === 1;
  }

  indemnityRules(cptsId: string) {
    return this.db.indemnityRule.findMany({ where: { cptsId }, orderBy: { validFrom: "asc" } });
  }

  /** Amount due per membership category for a dues year. */
  async duesRates(cptsId: string, year: number): Promise<Record<string, number>> {
    const rows = await this.db.duesRate.findMany({ where: { cptsId, year }, select: { category: true, amountCents: true } });
    return Object.fromEntries(rows.map((r) => [r.category, r.amountCents]));
  }

  /** Dues payments of these members for a dues year (eligibility of the unpaid, rules/indemnities.ts). */
  duesPayments(cptsId: string, memberIds: string[], year: number) {
    return this.db.duesPayment.findMany({ where: { cptsId, memberId: { in: memberIds }, year }, select: { memberId: true, paidOn: true, amountCents: true, year: true, refundedOn: true } });
  }

  /** Per member, indemnities already granted in a calendar year. */
  async indemnityTotals(cptsId: string, memberIds: string[], year: number): Promise<Map<string, number>> {
    const rows = await this.db.indemnity.groupBy({ by: ["memberId"], where: { cptsId, year, memberId: { in: memberIds } }, _sum: { amountCents: true } });
    return new Map(rows.map((r) => [r.memberId, r._sum.amountCents ?? 0]));
  }

  createIndemnity(data: { cptsId: string; memberId: string; meetingId: string; mission: string; year: number; amountCents: number; computedOn: string; explanation: string; forced: boolean }) {
    return this.db.indemnity.create({ data, select: { id: true } });
  }

  indemnitiesOf(cptsId: string, memberId: string, year: number) {
    return this.db.indemnity.findMany({ where: { cptsId, memberId, year }, orderBy: { computedOn: "asc" }, include: { meeting: { select: { title: true, heldOn: true } } } });
  }

  envelope(cptsId: string, mission: string, year: number) {
    return this.db.missionEnvelope.findUnique({ where: { cptsId_mission_year: { cptsId, mission, year } }, include: { expenses: true } });
  }

  envelopes(cptsId: string, year: number) {
    return this.db.missionEnvelope.findMany({ where: { cptsId, year }, include: { expenses: true }, orderBy: { mission: "asc" } });
  }

  addExpense(data: { envelopeId: string; label: string; amountCents: number; spentOn: string; forced: boolean; indemnityId: string }) {
    return this.db.envelopeExpense.create({ data });
  }

  audit(data: { cptsId: string; actor: string; action: string; target?: string; details?: object }) {
    return this.db.auditLog.create({ data });
  }
}
