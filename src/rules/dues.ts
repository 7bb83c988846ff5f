/**
 * Dues (cotisations), DOMAIN §6: a payment made on any day of year Y covers the membership
 * year Y (valid to 31 December), whatever the join date, unless the payment explicitly names
 * another dues year (e.g. a December payment recorded for next year).
 *
 * Choices where DOMAIN is silent:
 * - A refund cancels its payment from the refund date on.
 * - Status "en_retard" = paid some earlier year but not the current one; "jamais_paye" = no
 *   valid payment ever; "exonere" = member flagged exempt or in an exempt category.
 * - Up to date (DOMAIN §6): the year's valid payments (refunded ones no longer count) reach the
 *   amount due for the member's category that year (`dueCents`). Less, but more than nothing, is
 *   "partiel" with the balance due. When the CPTS set no amount for the category and year, the due
 *   is unknown: any valid payment of the year counts as up to date (nothing to compare with).
 * - Amounts and dates entered by people or platforms are checked by `checkPaymentAmount` and
 *   `checkPaymentDate` (0 €, absurd amounts, impossible or far-off dates refused in French).
 * - Reminders: step n (1-based) of the policy is due from 1 January + offsetsDays[n-1]. If the
 *   scheduler missed days, only the LATEST due step not yet sent goes out (never a burst of
 *   every past step); earlier skipped steps are not sent afterwards. A member who has paid for
 *   the year, or who already received maxCount reminders that year, gets nothing.
 */
import { addDays, compareDates, formatDateFr, isIsoDate, startOfYear, yearOf, type IsoDate } from "./dates.ts";
import { formatEuros, type Cents } from "./money.ts";

export type DuesYear = number;
export type DuesStatus = "a_jour" | "partiel" | "en_retard" | "jamais_paye" | "exonere";

export const DUES_STATUS_LABELS: Record<DuesStatus, string> = {
  a_jour: "à jour",
  partiel: "partiel",
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
  /** Amount due for the dues year being judged (the category's rate that year); undefined = not set. */
  dueCents?: Cents;
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
  /** Set when the member paid part of the due: what was received and what is left to pay. */
  paidCents?: Cents;
  balanceCents?: Cents;
}

/** Highest amount one dues payment may have: above, it is a typing or platform error (100 000 €). */
export const MAX_PAYMENT_CENTS: Cents = 10_000_000;
/** Payment dates accepted: from this year to next year (a December payment for next year). */
export const MIN_PAYMENT_YEAR = 2000;

/** Why an amount cannot be a dues payment (French, for the person who typed it), or null when it can. */
export function checkPaymentAmount(cents: unknown): string | null {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: the typeof is for TypeScript; Number.isInteger is already false for a non-number, NaN and ±Infinity
  if (typeof cents !== "number" || !Number.isInteger(cents)) return "Le montant doit être un nombre d'euros avec au plus deux décimales.";
  if (cents <= 0) return "Le montant doit être supérieur à 0 € : un paiement de 0 € ou négatif n'est pas une cotisation.";
  if (cents > MAX_PAYMENT_CENTS) return `Le montant ${formatEuros(cents)} dépasse le maximum accepté pour une cotisation (${formatEuros(MAX_PAYMENT_CENTS)}) : vérifiez la saisie.`;
  return null;
}

/**
 * Why a payment date is refused (French), or null: it must be a real calendar date (2026-02-30 is
 * refused, never rolled over to March), not after `today`, and not before MIN_PAYMENT_YEAR.
 */
export function checkPaymentDate(date: unknown, today: IsoDate): string | null {
  if (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return "La date de paiement doit être au format AAAA-MM-JJ.";
  if (!isIsoDate(date)) return `La date ${date} n'existe pas dans le calendrier : vérifiez le jour et le mois.`;
  if (yearOf(date) < MIN_PAYMENT_YEAR) return `La date ${formatDateFr(date)} est trop ancienne : une cotisation est datée de ${MIN_PAYMENT_YEAR} ou après.`;
  if (compareDates(date, today) > 0) return `La date de paiement ${formatDateFr(date)} est dans le futur : indiquez le jour où le paiement a été reçu.`;
  return null;
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

// Stryker disable next-line ArrayDeclaration: a default list holding one sentence exempts no real category, as the empty one (categories pinned in full-pass-survivors)
export function isExempt(member: DuesMember, exemptCategories: readonly string[] = []): boolean {
  // Stryker disable next-line ConditionalExpression: a list of strings never includes undefined
  return member.exempt === true || (member.category !== undefined && exemptCategories.includes(member.category));
}

export interface DuesBalance {
  status: DuesStatus;
  year: DuesYear;
  /** Amount due for the year (null: the CPTS set none for this category and year). */
  dueCents: Cents | null;
  /** Valid payments of the year (refunded ones excluded). */
  paidCents: Cents;
  /** What is left to pay (0 when up to date, exempt or when the due is unknown). */
  balanceCents: Cents;
}

/** A payment recorded without an amount (old data) counts as the whole due. */
const UNKNOWN_AMOUNT = Number.POSITIVE_INFINITY;

function yearPaidCents(payments: readonly DuesPayment[], year: DuesYear, at: IsoDate): { cents: number; count: number } {
  let cents = 0;
  let count = 0;
  for (const p of payments) {
    if (paymentYear(p) !== year || !isPaymentValid(p, at)) continue;
    const amount = p.amountCents ?? UNKNOWN_AMOUNT;
    if (amount <= 0) continue;
    cents += amount;
    count++;
  }
  return { cents, count };
}

/** Status and balance of one member for the dues year of `at` (payments of other members ignored). */
export function memberDuesBalance(
  member: DuesMember,
  payments: readonly DuesPayment[],
  at: IsoDate,
  options: { exemptCategories?: readonly string[] } = {},
): DuesBalance {
  const year = duesYearOf(at);
  const dueCents = member.dueCents ?? null;
  const own = payments.filter((p) => p.memberId === member.id);
  const paid = yearPaidCents(own, year, at);
  const paidCents = Number.isFinite(paid.cents) ? paid.cents : (dueCents ?? 0);
  // a category whose due is 0 € (partners, often) owes nothing: exempt in effect
  if (isExempt(member, options.exemptCategories) || dueCents === 0) return { status: "exonere", year, dueCents, paidCents, balanceCents: 0 };
  if (paid.count > 0) {
    // Stryker disable next-line ConditionalExpression: with dueCents null, paid.cents >= null compares with 0 and a counted payment is positive
    if (dueCents === null || paid.cents >= dueCents) return { status: "a_jour", year, dueCents, paidCents, balanceCents: 0 };
    return { status: "partiel", year, dueCents, paidCents, balanceCents: dueCents - paid.cents };
  }
  // constant-mutants: ignore-next-line any positive stand-in for an unknown amount counts the payment
  // Stryker disable next-line EqualityOperator: a valid positive payment of the year itself was counted above, so none is left here
  const earlier = own.some((p) => paymentYear(p) < year && isPaymentValid(p, at) && (p.amountCents ?? 1) > 0);
  return { status: earlier ? "en_retard" : "jamais_paye", year, dueCents, paidCents: 0, balanceCents: dueCents ?? 0 };
}

export function memberDuesStatus(
  member: DuesMember,
  payments: readonly DuesPayment[],
  at: IsoDate,
  options: { exemptCategories?: readonly string[] } = {},
): DuesStatus {
  return memberDuesBalance(member, payments, at, options).status;
}

/**
 * Why a platform payment (HelloAsso) cannot be counted as it is, or null when it fits: it must be
 * the member's due or what is left of it; when the payer is not known yet, one of the year's dues.
 * With no due set for the year there is nothing to compare with and any valid amount fits.
 */
export function paymentDueMismatch(
  amountCents: Cents,
  year: DuesYear,
  dues: { member?: { dueCents: Cents | null; balanceCents: Cents } | null; yearDuesCents: readonly Cents[] },
): string | null {
  const m = dues.member;
  if (m && m.dueCents !== null) {
    if (m.balanceCents === 0) return `l'adhérent est déjà à jour de sa cotisation ${year} : un paiement de plus de ${formatEuros(amountCents)} est à vérifier`;
    if (amountCents === m.dueCents || amountCents === m.balanceCents) return null;
    const rest = m.balanceCents !== m.dueCents ? ` ni au reste dû (${formatEuros(m.balanceCents)})` : "";
    return `le montant ${formatEuros(amountCents)} ne correspond ni à la cotisation ${year} de sa catégorie (${formatEuros(m.dueCents)})${rest}`;
  }
  const known = [...new Set(dues.yearDuesCents)].sort((a, b) => a - b);
  if (known.length === 0 || known.includes(amountCents)) return null;
  return `le montant ${formatEuros(amountCents)} ne correspond à aucune cotisation ${year} (${known.map(formatEuros).join(", ")})`;
}

export type MembershipCategoryKey = "PROFESSIONNEL" | "STRUCTURE" | "PARTENAIRE";

/**
 * The membership category a payment form's formula (HelloAsso « Formule » / tier name) stands for,
 * from its words: « Adhésion professionnel », « Cotisation structure (EHPAD, MSP…) », « Partenaire ».
 * null when the words name none of them (an unknown formula is checked by a person).
 */
export function categoryOfFormula(name: string): MembershipCategoryKey | null {
  const n = name.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  if (/partenaire/.test(n)) return "PARTENAIRE";
  if (/structure|etablissement|personne morale|ehpad|\bmsp\b|centre|association|\bssiad\b|hopital|clinique/.test(n)) return "STRUCTURE";
  if (/professionnel|\bpro\b|individuel|liberal|personne physique|adherent|medecin|infirmi|kine|pharmacien|sage-femme/.test(n)) return "PROFESSIONNEL";
  return null;
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
  const paidThisYear = new Map<string, number>();
  for (const p of payments) {
    if (paymentYear(p) !== year || !isPaymentValid(p, at)) continue;
    const amount = p.amountCents ?? UNKNOWN_AMOUNT;
    if (amount > 0) paidThisYear.set(p.memberId, (paidThisYear.get(p.memberId) ?? 0) + amount);
  }
  const sentByMember = new Map<string, SentReminder[]>();
  for (const s of sentLedger) {
    if (s.year !== year) continue;
    const list = sentByMember.get(s.memberId);
    if (list) list.push(s);
    else sentByMember.set(s.memberId, [s]);
  }
  return members.flatMap((member) => {
    if (isExempt(member, policy.exemptCategories) || member.dueCents === 0) return [];
    if (member.joinedDate && compareDates(member.joinedDate, at) > 0) return [];
    if (member.leftDate && compareDates(member.leftDate, at) <= 0) return [];
    const paid = paidThisYear.get(member.id);
    // fully paid, or paid something while no due is set (nothing to compare with)
    if (paid !== undefined && (member.dueCents === undefined || paid >= member.dueCents)) return [];
    const sent = sentByMember.get(member.id) ?? [];
    if (sent.length >= maxCount || sent.some((s) => s.step >= step)) return [];
    // Stryker disable next-line ConditionalExpression: a member with a payment and no due set already returned above (« paid while no due is set »)
    if (paid !== undefined && member.dueCents !== undefined) return [{ memberId: member.id, year, step, paidCents: paid, balanceCents: member.dueCents - paid }];
    return [{ memberId: member.id, year, step }];
  });
}
