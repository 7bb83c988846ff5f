/**
 * Dues (cotisations), DOMAIN §6: a payment made on any day of year Y covers the membership
 * year Y (valid to 31 December), whatever the join date, unless the payment explicitly names
 * another dues year (e.g. a December payment recorded for next year).
 *
 * Choices where DOMAIN is silent:
 * - A refund cancels its payment from the refund date on.
 * - Status "en_retard" = paid some earlier year but not the current one; "jamais_paye" = no
 *   valid payment ever; "exonere" = member flagged exempt or in an exempt category.
 * - Reminders: step n (1-based) of the policy is due from 1 January + offsetsDays[n-1]. If the
 *   scheduler missed days, only the LATEST due step not yet sent goes out (never a burst of
 *   every past step); earlier skipped steps are not sent afterwards. A member who has paid for
 *   the year, or who already received maxCount reminders that year, gets nothing.
 */
import { addDays, compareDates, startOfYear, yearOf, type IsoDate } from "./dates.ts";
import type { Cents } from "./money.ts";

export type DuesYear = number;
export type DuesStatus = "a_jour" | "en_retard" | "jamais_paye" | "exonere";

export const DUES_STATUS_LABELS: Record<DuesStatus, string> = {
  a_jour: "à jour",
  en_retard: "en retard",
  jamais_paye: "jamais payé",
  exonere: "exonéré",
};

export interface DuesMember {
  id: string;
  category?: string;
  exempt?: boolean;
  joinedDate?: IsoDate;
  leftDate?: IsoDate;
}

export interface DuesPayment {
  memberId: string;
  date: IsoDate;
  amountCents?: Cents;
  /** Explicit dues year; defaults to the calendar year of the payment date. */
  duesYear?: DuesYear;
  refundedDate?: IsoDate;
}

export interface ReminderPolicy {
  /** Days after 1 January at which each reminder step becomes due, e.g. [15, 45, 90]. */
  offsetsDays: number[];
  maxCount?: number;
  exemptCategories?: string[];
}

export interface SentReminder {
  memberId: string;
  year: DuesYear;
  step: number;
}

export interface ReminderToSend {
  memberId: string;
  year: DuesYear;
  step: number;
}

export function duesYearOf(paymentDate: IsoDate): DuesYear {
  return yearOf(paymentDate);
}

export function paymentYear(payment: DuesPayment): DuesYear {
  return payment.duesYear ?? duesYearOf(payment.date);
}

/** A payment counts at `at` if it was made on or before `at` and not refunded by then. */
export function isPaymentValid(payment: DuesPayment, at: IsoDate): boolean {
  if (compareDates(payment.date, at) > 0) return false;
  return payment.refundedDate === undefined || compareDates(payment.refundedDate, at) > 0;
}

export function hasPaidYear(memberId: string, year: DuesYear, payments: readonly DuesPayment[], at: IsoDate): boolean {
  return payments.some((p) => p.memberId === memberId && paymentYear(p) === year && isPaymentValid(p, at));
}

export function isExempt(member: DuesMember, exemptCategories: readonly string[] = []): boolean {
  return member.exempt === true || (member.category !== undefined && exemptCategories.includes(member.category));
}

export function memberDuesStatus(
  member: DuesMember,
  payments: readonly DuesPayment[],
  at: IsoDate,
  options: { exemptCategories?: readonly string[] } = {},
): DuesStatus {
  if (isExempt(member, options.exemptCategories)) return "exonere";
  const year = duesYearOf(at);
  const valid = payments.filter((p) => p.memberId === member.id && isPaymentValid(p, at));
  if (valid.some((p) => paymentYear(p) === year)) return "a_jour";
  return valid.length > 0 ? "en_retard" : "jamais_paye";
}

/** Reminder step (1-based) the policy makes due on `at`, or 0 before the first one. */
export function latestDueStep(policy: ReminderPolicy, at: IsoDate): number {
  const opening = startOfYear(duesYearOf(at));
  let step = 0;
  policy.offsetsDays.forEach((offset, i) => {
    if (compareDates(addDays(opening, offset), at) <= 0) step = Math.max(step, i + 1);
  });
  return step;
}

export function remindersDue(
  policy: ReminderPolicy,
  members: readonly DuesMember[],
  payments: readonly DuesPayment[],
  sentLedger: readonly SentReminder[],
  at: IsoDate,
): ReminderToSend[] {
  const year = duesYearOf(at);
  const step = latestDueStep(policy, at);
  if (step === 0) return [];
  const maxCount = policy.maxCount ?? policy.offsetsDays.length;
  // Indexed once, so that a CPTS of n members with p payments costs O(n + p), not O(n × p).
  const paidThisYear = new Set(payments.filter((p) => paymentYear(p) === year && isPaymentValid(p, at)).map((p) => p.memberId));
  const sentByMember = new Map<string, SentReminder[]>();
  for (const s of sentLedger) {
    if (s.year !== year) continue;
    const list = sentByMember.get(s.memberId);
    if (list) list.push(s);
    else sentByMember.set(s.memberId, [s]);
  }
  return members.flatMap((member) => {
    if (isExempt(member, policy.exemptCategories)) return [];
    if (member.joinedDate && compareDates(member.joinedDate, at) > 0) return [];
    if (member.leftDate && compareDates(member.leftDate, at) <= 0) return [];
    if (paidThisYear.has(member.id)) return [];
    const sent = sentByMember.get(member.id) ?? [];
    if (sent.length >= maxCount || sent.some((s) => s.step >= step)) return [];
    return [{ memberId: member.id, year, step }];
  });
}
