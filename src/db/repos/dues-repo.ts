// What the dues reminder job reads (policy, members, payments, ledger) and writes (ledger rows).
import type { Db, Tx } from "../client.ts";
import type { DuesMember, DuesPayment, ReminderPolicy, SentReminder } from "../../rules/dues.ts";
import { owesDues } from "../../rules/membership.ts";

export interface ReminderMember extends DuesMember {
  name: string;
  email: string | null;
  emailInvalid: boolean;
  prefDuesReminders: boolean;
  profession: string | null;
  unsubscribeToken: string;
}

export interface ReminderInputs {
  cpts: { id: string; name: string; paymentLink: string | null; paymentInstructions: string | null };
  policy: (ReminderPolicy & { enabled: boolean }) | null;
  members: ReminderMember[];
  payments: DuesPayment[];
  sent: SentReminder[];
  ratesCents: Record<string, number>;
}

export function memberDisplayName(m: { firstName?: string | null; lastName?: string | null; organization?: string | null; email?: string | null }): string {
  return [m.firstName, m.lastName].filter(Boolean).join(" ") || m.organization || m.email || "adhérent·e";
}

type Reader = Db | Tx;

/** Everything remindersDue needs for one CPTS and dues year. */
export async function loadReminderInputs(db: Reader, cptsId: string, year: number): Promise<ReminderInputs | null> {
  const cpts = await db.cpts.findUnique({ where: { id: cptsId }, include: { reminderPolicy: true, duesRates: { where: { year } } } });
  if (!cpts) return null;
  // Who owes dues is one rule (src/rules/membership.ts); exemption stays with remindersDue.
  const members = (
    await db.member.findMany({
      where: { cptsId, status: "ACTIF" },
      orderBy: { id: "asc" },
      include: { roles: { select: { role: true } } },
    })
  ).filter((m) => owesDues(m.roles.map((r) => r.role), m.category, false));
  const payments = await db.duesPayment.findMany({ where: { cptsId, year: { gte: year - 1, lte: year } } });
  const ledger = await db.reminderLedger.findMany({ where: { cptsId, year } });
  const p = cpts.reminderPolicy;
  return {
    cpts: { id: cpts.id, name: cpts.name, paymentLink: cpts.paymentLink, paymentInstructions: cpts.paymentInstructions },
    policy: p
      ? {
          enabled: p.enabled,
          offsetsDays: p.offsetsDays.split(",").map((s) => Number(s.trim())).filter((n) => Number.isFinite(n)),
          maxCount: p.maxCount,
        }
      : null,
    members: members.map((m) => ({
      id: m.id,
      category: m.category,
      exempt: m.duesExempt,
      joinedDate: m.joinedOn ?? undefined,
      name: memberDisplayName(m),
      email: m.email,
      emailInvalid: m.emailInvalid,
      prefDuesReminders: m.prefDuesReminders,
      profession: m.profession,
      unsubscribeToken: m.unsubscribeToken,
    })),
    payments: payments.map((x) => ({ memberId: x.memberId, date: x.paidOn, amountCents: x.amountCents, duesYear: x.year, refundedDate: x.refundedOn ?? undefined })),
    sent: ledger.map((l) => ({ memberId: l.memberId, year: l.year, step: l.step })),
    ratesCents: Object.fromEntries(cpts.duesRates.map((r) => [r.category, r.amountCents])),
  };
}

export async function insertLedgerRows(tx: Tx, rows: { cptsId: string; memberId: string; year: number; step: number; trigger: string }[]): Promise<void> {
  if (rows.length) await tx.reminderLedger.createMany({ data: rows });
}

export async function writeAudit(db: Reader, entry: { cptsId: string | null; actor: string; action: string; target?: string; details?: object }): Promise<void> {
  await db.auditLog.create({ data: { cptsId: entry.cptsId, actor: entry.actor, action: entry.action, target: entry.target ?? null, details: entry.details ?? undefined } });
}

export async function cptsIdsWithReminderPolicy(db: Db): Promise<{ id: string; slug: string }[]> {
  return db.cpts.findMany({ where: { reminderPolicy: { is: { enabled: true } } }, select: { id: true, slug: true }, orderBy: { slug: "asc" } });
}
