/**
 * Expected ACI payments and the cash-flow forecast (DOMAIN §4).
 *
 * Choices where DOMAIN is silent:
 * - The CPAM pays "within 2 months" after the dialogue de gestion: the forecast uses the last
 *   day allowed (anniversary + paymentDelayMonths), the cautious date for a cash plan.
 * - A mission's first advance (75 % of its prorated fixed part) is dated on its start date; in
 *   later years the advance comes after the previous dialogue (anniversary + delay). The crisis
 *   mission's fixed part starts the year its plan is due/written; if the mission started in an
 *   earlier year, that first advance also comes after the dialogue.
 * - Each payment's `annee` is the contract year the money is FOR, not the year it is paid.
 * - A year's advance is computed on that year's entitlement (a mid-year amendment is thus
 *   already reflected in the forecast advance).
 * - Cash flow: spending = fonctionnement and every fixed part of the year, spent evenly over
 *   the days the line is active; variable parts are not spent ahead (they are not budgeted).
 */
import type { FundingLineId } from "./aci-tables.ts";
import { LINE_LABELS, MISSION_IDS } from "./aci-tables.ts";
import { addMonthsToDayNumber, compareDates, daysBetween, maxDate, addDays, fromDayNumber, type IsoDate } from "./dates.ts";
import { roundHalfUp, splitPercent, type Cents } from "./money.ts";
import { DEFAULT_SETTINGS, type RulesSettings } from "./settings.ts";
import { contractEndDate, entitlement, planEntitlement, planFunding, planYearLines, resolveMissions, type FundingInput } from "./funding.ts";

export type PaymentNature = "integral" | "avance" | "solde" | "variable";

export interface ExpectedPayment {
  date: IsoDate;
  montant_cents: Cents;
  nature: PaymentNature;
  mission: FundingLineId;
  /** Contract year the payment is for. */
  annee: number;
  label: string;
}

// Stryker disable StringLiteral,ArrayDeclaration: module-level orders read once at import, before Stryker can switch a mutant on (the order tests pin them)
const LINE_ORDER: readonly FundingLineId[] = ["fonctionnement", ...MISSION_IDS];
const NATURE_ORDER: readonly PaymentNature[] = ["integral", "solde", "variable", "avance"];
// Stryker restore StringLiteral,ArrayDeclaration
const NATURE_LABELS: Record<PaymentNature, string> = {
  integral: "versement intégral",
  avance: "avance",
  solde: "solde",
  variable: "part variable",
};

export function paymentCalendar(input: FundingInput, settings: RulesSettings = DEFAULT_SETTINGS): ExpectedPayment[] {
  const plan = planFunding(input, settings);
  if (plan.years.length === 0) {
    planEntitlement(plan); // no contract year, no payment; but an input without size fails as before
    return [];
  }
  const starts = new Map(plan.missions.map((m) => [m.id, m]));
  // afterDialogue[a]: the a-th anniversary + the payment delay (each shift clamps to the month's end).
  const afterDialogue = plan.anniversaries.map((day) => addMonthsToDayNumber(day, settings.paymentDelayMonths));
  const payments: ExpectedPayment[] = [];
  // Sort keys, parallel to `payments`: day number, line rank, nature rank (the year is on the payment).
  const days: number[] = [];
  const ranks: number[] = [];

  for (const year of plan.years) {
    const debut = plan.anniversaries[year.annee - 1]!;
    // Stryker disable next-line ArithmeticOperator: equivalent, a mission starting on the anniversary (or the day after) has no line in the year ending the eve
    const fin = plan.anniversaries[year.annee]! - 1;
    // Stryker disable next-line BooleanLiteral: labels of the funding lines are not read here (true only costs time)
    for (const line of planYearLines(plan, year.annee - 1, false)) {
      if (line.part === "variable") {
        addPayment(payments, days, ranks, afterDialogue[year.annee]!, undefined, line.montant_cents, "variable", line.mission, year.annee);
        continue;
      }
      if (line.mission === "fonctionnement" && year.annee === 1) {
        addPayment(payments, days, ranks, debut, year.debut, line.montant_cents, "integral", line.mission, year.annee);
        continue;
      }
      // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: equivalent, `starts` has no fonctionnement entry
      const start = line.mission === "fonctionnement" ? undefined : starts.get(line.mission);
      // Stryker disable next-line ConditionalExpression: equivalent, a mission starting after `fin` has no line this year
      const startsThisYear = start !== undefined && start.startDay >= debut && start.startDay <= fin;
      const [advance, balance] = splitPercent(line.montant_cents, settings.advancePercent);
      if (startsThisYear) addPayment(payments, days, ranks, start.startDay, start.startDate, advance, "avance", line.mission, year.annee);
      else addPayment(payments, days, ranks, afterDialogue[year.annee - 1]!, undefined, advance, "avance", line.mission, year.annee);
      addPayment(payments, days, ranks, afterDialogue[year.annee]!, undefined, balance, "solde", line.mission, year.annee);
    }
  }
  return sortPayments(payments, days, ranks);
}

/**
 * By date, then contract year, then line order, then nature order; stable (ties keep their order).
 * Usually as one numeric sort of packed keys (date, year, rank, index: exact below 2^53), else with
 * the comparator.
 */
function sortPayments(payments: ExpectedPayment[], days: number[], ranks: number[]): ExpectedPayment[] {
  const n = payments.length;
  const keys = new Float64Array(n);
  // constant-mutants: ignore-next-line starting at 1 leaves key 0 to the first payment pushed, fonctionnement on the signature day: always the earliest
  for (let i = 0; i < n; i++) {
    // Stryker disable next-line ArithmeticOperator: without the offset the day is out of range and the comparator path gives the same order
    const day = days[i]! + DAY_OFFSET;
    const annee = payments[i]!.annee;
    const rank = ranks[i]!;
    // constant-mutants: ignore-next-line the bounds only choose between two paths that give the same order
    // Stryker disable next-line ConditionalExpression,LogicalOperator,EqualityOperator,ArithmeticOperator,BooleanLiteral: both paths give the same stable order (the comparator is the fallback of the packed-key fast path)
    if (n > 256 || !(day >= 0 && day < 2 ** 20 && (day | 0) === day) || !(annee >= 0 && annee < 64 && (annee | 0) === annee) || !(rank >= 0 && rank < 64)) {
      const order = payments.map((_, j) => j);
      order.sort(
        (a, b) =>
          days[a]! - days[b]! ||
          // Stryker disable next-line ArithmeticOperator: equivalent, payments are pushed year by year in line-then-nature order, so same-day ties already arrive sorted (the sort is stable)
          payments[a]!.annee - payments[b]!.annee || ranks[a]! - ranks[b]!,
      );
      return order.map((j) => payments[j]!);
    }
    // constant-mutants: ignore-next-line a wider field (65 instead of 64) packs the same order
    keys[i] = ((day * 64 + annee) * 64 + rank) * 256 + i;
  }
  keys.sort();
  const sorted: ExpectedPayment[] = [];
  for (let i = 0; i < n; i++) sorted.push(payments[keys[i]! % 256]!);
  return sorted;
}

/** Day numbers from 1970 − 1 435 years on pack as non-negative keys. */
// constant-mutants: ignore-next-line any offset that keeps the keys non-negative gives the same order
const DAY_OFFSET = 2 ** 19;

/** Rank of a payment among those of the same date and year: line order, then nature order. */
// constant-mutants: ignore-next-line a larger base keeps the line-then-nature order of the ranks
// Stryker disable next-line ArithmeticOperator: equivalent, missions have natures 1..3 only (integral is fonctionnement's), a base of 3 keeps the order
const RANK_BASE = NATURE_ORDER.length + 1;

function addPayment(
  payments: ExpectedPayment[],
  days: number[],
  ranks: number[],
  day: number,
  date: IsoDate | undefined,
  montant: Cents,
  nature: PaymentNature,
  mission: FundingLineId,
  annee: number,
): void {
  // constant-mutants: ignore-next-line no line of the ACI tables is worth 1 cent (skipping 1-cent payments would change nothing)
  if (montant === 0) return;
  payments.push({ date: date ?? fromDayNumber(day), montant_cents: montant, nature, mission, annee, label: `${LINE_LABELS[mission]} – ${NATURE_LABELS[nature]} année ${annee}` });
  days.push(day);
  ranks.push(LINE_ORDER.indexOf(mission) * RANK_BASE + NATURE_ORDER.indexOf(nature));
}

export interface CashFlowYear {
  annee: number;
  debut: IsoDate;
  fin: IsoDate;
  /** Payments received during the year (whatever year they are for). */
  recu_cents: Cents;
  /** Assumed spending of the year (fonctionnement + fixed parts, evenly). */
  depense_cents: Cents;
  /** Cumulative balance at the end of the year. */
  solde_cumule_cents: Cents;
  /** Lowest cumulative balance during the year and the day it is reached. */
  point_bas_cents: Cents;
  point_bas_date: IsoDate;
}

export interface CashFlow {
  annees: CashFlowYear[];
  /** Money received after the contract's last day (last balance and variable parts). */
  apres_contrat_cents: Cents;
  /** Cash the CPTS must advance at the worst moment (0 when the balance never goes negative). */
  besoin_tresorerie_cents: Cents;
}

export function cashFlow(input: FundingInput, settings: RulesSettings = DEFAULT_SETTINGS): CashFlow {
  const { annees } = entitlement(input, settings);
  const payments = paymentCalendar(input, settings);
  const starts = new Map(resolveMissions(input, settings).map((m) => [m.id, m.startDate]));
  const end = contractEndDate(input.signatureDate, settings);

  const received = new Map<IsoDate, number>();
  for (const p of payments) received.set(p.date, (received.get(p.date) ?? 0) + p.montant_cents);

  let cumulative = 0;
  // constant-mutants: ignore-next-line the need is max(0, −worst): starting at 1 instead of 0 gives the same need
  let worst = 0;
  const years: CashFlowYear[] = [];
  for (const year of annees) {
    // Daily spending of each fixed line over the days it is active this year.
    const spendPerDay: { from: IsoDate; perDay: number }[] = year.lignes
      .filter((l) => l.part === "fixe")
      .map((l) => {
        const start =
          l.mission === "crise" ||
          // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent, `starts` has no fonctionnement entry, so its start falls back to the year's first day anyway
          l.mission === "fonctionnement"
            ? year.debut
            : maxDate(starts.get(l.mission) ?? year.debut, year.debut);
        return { from: start, perDay: l.montant_cents / (daysBetween(start, year.fin) + 1) };
      });
    let recu = 0;
    let depense = 0;
    let low = Number.POSITIVE_INFINITY;
    let lowDate = year.debut;
    for (let day = year.debut; compareDates(day, year.fin) <= 0; day = addDays(day, 1)) {
      const inflow = received.get(day) ?? 0;
      const outflow = spendPerDay.reduce((sum, s) => (compareDates(day, s.from) >= 0 ? sum + s.perDay : sum), 0);
      recu += inflow;
      depense += outflow;
      cumulative += inflow - outflow;
      // Stryker disable next-line EqualityOperator: `<=` would keep the last day of a tie; a running float balance does not tie in practice
      if (cumulative < low) {
        low = cumulative;
        lowDate = day;
      }
    }
    worst = Math.min(worst, low);
    years.push({
      annee: year.annee,
      debut: year.debut,
      fin: year.fin,
      recu_cents: recu,
      depense_cents: roundHalfUp(depense),
      solde_cumule_cents: roundHalfUp(cumulative),
      point_bas_cents: roundHalfUp(low),
      point_bas_date: lowDate,
    });
  }
  const after = payments.filter((p) => compareDates(p.date, end) > 0).reduce((sum, p) => sum + p.montant_cents, 0);
  return { annees: years, apres_contrat_cents: after, besoin_tresorerie_cents: roundHalfUp(Math.max(0, -worst)) };
}
