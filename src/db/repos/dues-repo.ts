// What the dues reminder job reads (policy, members, payments, ledger) and writes (ledger rows).
import { insertRows, newRowId } from "../raw-insert.ts";
import type { Db, Tx } from "../client.ts";
import type { DuesMember, DuesPayment, ReminderPolicy, SentReminder } from "../../rules/dues.ts";
import { owesDues } from "../../rules/membership.ts";
import { resolveSettings, type RulesSettingsOverrides } from "../../rules/settings.ts";
import { Prisma } from "../generated/postgres/client.ts";
import { jsonColumn, plainRows } from "../direct-read.ts";

/** A member as counting reminders needs it (`contacts: false`): no name, address or unsubscribe token. */
export interface ReminderCountMember extends DuesMember {
  /** Has an address at all (non-empty). */
  hasEmail: boolean;
  emailInvalid: boolean;
  prefDuesReminders: boolean;
  profession: string | null;
}

export interface ReminderMember extends ReminderCountMember {
  name: string;
  email: string | null;
  unsubscribeToken: string;
}

export interface ReminderInputs<M extends ReminderCountMember = ReminderMember> {
  cpts: { id: string; name: string; paymentLink: string | null; paymentInstructions: string | null };
  policy: (ReminderPolicy & { enabled: boolean }) | null;
  members: M[];
  payments: DuesPayment[];
  sent: SentReminder[];
  ratesCents: Record<string, number>;
  /** The CPTS's règlement intérieur excludes members with unpaid dues from indemnities (what the last reminder says). */
  unpaidDuesExcluded: boolean;
}

export function memberDisplayName(m: { firstName?: string | null; lastName?: string | null; organization?: string | null; email?: string | null }): string {
  return [m.firstName, m.lastName].filter(Boolean).join(" ") || m.organization || m.email || "adhérent·e";
}

type Reader = Db | Tx;

interface ReminderCptsRow {
  id: string;
  name: string;
  /** Json: text on SQLite, already parsed on PostgreSQL. */
  settings: string | Record<string, unknown> | null;
  paymentLink: string | null;
  paymentInstructions: string | null;
  pId: string | null;
  pEnabled: boolean | number | null;
  pOffsetsDays: string | null;
  pMaxCount: number | null;
  rCategory: string | null;
  rAmountCents: number | null;
}

interface ReminderMemberRow {
  id: string;
  category: DuesMember["category"];
  duesExempt: boolean | number;
  joinedOn: string | null;
  firstName?: string | null;
  lastName?: string | null;
  organization?: string | null;
  email?: string | null;
  hasEmail: boolean | number;
  emailInvalid: boolean | number;
  prefDuesReminders: boolean | number;
  profession: string | null;
  unsubscribeToken?: string;
  role: string | null;
}

/**
 * Everything remindersDue needs for one CPTS and dues year, in four flat SELECTs (CPTS + policy +
 * rates, active members with their roles, payments of the year, ledger of the year): the chat preview runs
 * this on every /relance-cotisations, the job once per CPTS. `contacts: false` (counting only: the chat
 * preview's first answer, the count before enqueueing, the job's dry run) leaves out names, addresses and
 * unsubscribe tokens (issue 18): its members have no such fields, so nothing can send mail with them.
 */
export function loadReminderInputs(db: Reader, cptsId: string, year: number, opts?: { contacts?: true }): Promise<ReminderInputs | null>;
export function loadReminderInputs(db: Reader, cptsId: string, year: number, opts: { contacts: false }): Promise<ReminderInputs<ReminderCountMember> | null>;
export async function loadReminderInputs(db: Reader, cptsId: string, year: number, opts: { contacts?: boolean } = {}): Promise<ReminderInputs<ReminderCountMember> | null> {
  const contacts = opts.contacts ?? true;
  const cptsRows = await plainRows<ReminderCptsRow>(db, Prisma.sql`SELECT c."id", c."name", c."settings", c."paymentLink", c."paymentInstructions",
      p."id" AS "pId", p."enabled" AS "pEnabled", p."offsetsDays" AS "pOffsetsDays", p."maxCount" AS "pMaxCount",
      d."category" AS "rCategory", d."amountCents" AS "rAmountCents"
    FROM "Cpts" c
    LEFT JOIN "ReminderPolicy" p ON p."cptsId" = c."id"
    LEFT JOIN "DuesRate" d ON d."cptsId" = c."id" AND d."year" = ${year}
    WHERE c."id" = ${cptsId}`);
  const cpts = cptsRows[0];
  if (!cpts) return null;
  // the settings in the same read (a second Prisma query per /relance-cotisations before)
  const overrides = jsonColumn(cpts.settings);
  const settings = resolveSettings((overrides ?? {}) as RulesSettingsOverrides);
  // one row per (member, role), members in id order
  const contactColumns = contacts ? Prisma.sql`m."firstName", m."lastName", m."organization", m."email", m."unsubscribeToken",` : Prisma.empty;
  const memberRows = await plainRows<ReminderMemberRow>(db, Prisma.sql`SELECT m."id", m."category", m."duesExempt", m."joinedOn", ${contactColumns}
      (m."email" IS NOT NULL AND m."email" <> '') AS "hasEmail", m."emailInvalid", m."prefDuesReminders", m."profession", r."role"
    FROM "Member" m LEFT JOIN "MemberRole" r ON r."memberId" = m."id"
    WHERE m."cptsId" = ${cptsId} AND m."status" = ${"ACTIF"}
    ORDER BY m."id" ASC`);
  // the year's payments only: remindersDue counts those of its dues year (every payment row has its year)
  const payments = await plainRows<{ memberId: string; paidOn: string; amountCents: number; year: number; refundedOn: string | null }>(db, Prisma.sql`
    SELECT "memberId", "paidOn", "amountCents", "year", "refundedOn" FROM "DuesPayment" WHERE "cptsId" = ${cptsId} AND "year" = ${year}`);
  const ledger = await plainRows<{ memberId: string; year: number; step: number }>(db, Prisma.sql`
    SELECT "memberId", "year", "step" FROM "ReminderLedger" WHERE "cptsId" = ${cptsId} AND "year" = ${year}`);

  const ratesCents: Record<string, number> = Object.fromEntries(cptsRows.filter((r) => r.rCategory !== null).map((r) => [r.rCategory!, r.rAmountCents!]));
  const members: ReminderCountMember[] = [];
  for (let i = 0; i < memberRows.length; ) {
    const m = memberRows[i]!;
    const roles: string[] = [];
    for (; i < memberRows.length && memberRows[i]!.id === m.id; i++) if (memberRows[i]!.role !== null) roles.push(memberRows[i]!.role!);
    // Who owes dues is one rule (src/rules/membership.ts); exemption stays with remindersDue.
    if (!owesDues(roles, m.category, false)) continue;
    const member: ReminderCountMember = {
      id: m.id,
      category: m.category,
      exempt: Boolean(m.duesExempt),
      joinedDate: m.joinedOn ?? undefined,
      // what a partial payment is compared with (rules/dues.ts: up to date = paid ≥ due)
      dueCents: m.category ? ratesCents[m.category] : undefined,
      hasEmail: Boolean(m.hasEmail),
      emailInvalid: Boolean(m.emailInvalid),
      prefDuesReminders: Boolean(m.prefDuesReminders),
      profession: m.profession,
    };
    if (!contacts) {
      members.push(member);
      continue;
    }
    const withContacts: ReminderMember = { ...member, name: memberDisplayName(m), email: m.email ?? null, unsubscribeToken: m.unsubscribeToken ?? "" };
    members.push(withContacts);
  }
  return {
    cpts: { id: cpts.id, name: cpts.name, paymentLink: cpts.paymentLink, paymentInstructions: cpts.paymentInstructions },
    policy:
      cpts.pId !== null
        ? {
            enabled: Boolean(cpts.pEnabled),
            offsetsDays: cpts.pOffsetsDays!.split(",").map((s) => Number(s.trim())).filter((n) => Number.isFinite(n)),
            maxCount: cpts.pMaxCount!,
          }
        : null,
    members,
    payments: payments.map((x) => ({ memberId: x.memberId, date: x.paidOn, amountCents: x.amountCents, duesYear: x.year, refundedDate: x.refundedOn ?? undefined })),
    sent: ledger.map((l) => ({ memberId: l.memberId, year: l.year, step: l.step })),
    ratesCents,
    unpaidDuesExcluded: settings.indemnityEligibility.unpaidDuesExcluded,
  };
}

export async function insertLedgerRows(tx: Tx, rows: { cptsId: string; memberId: string; year: number; step: number; trigger: string }[]): Promise<void> {
  const now = new Date();
  await insertRows(
    tx,
    "ReminderLedger",
    ["id", "cptsId", "memberId", "year", "step", "trigger", "cancelled", "createdAt"],
    rows.map((r) => [newRowId(), r.cptsId, r.memberId, r.year, r.step, r.trigger, false, now]),
  );
}

export { writeAudit } from "./admin-repo.ts";

export async function cptsIdsWithReminderPolicy(db: Db): Promise<{ id: string; slug: string }[]> {
  return db.cpts.findMany({ where: { reminderPolicy: { is: { enabled: true } } }, select: { id: true, slug: true }, orderBy: { slug: "asc" } });
}
