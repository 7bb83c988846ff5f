// Reference: src/rules/calendar.ts as it was before the day-number rewrite (commit aaa7422), kept verbatim
// (imports aside) so that tests/unit/rules/rules-equivalence.test.ts proves the rewrite gives the same results.
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
import type { FundingLineId } from "../../../../src/rules/aci-tables.ts";
import { LINE_LABELS, MISSION_IDS } from "../../../../src/rules/aci-tables.ts";
import { addMonths, compareDates, daysBetween, isWithin, maxDate, addDays, type IsoDate } from "../../../../src/rules/dates.ts";
import { roundHalfUp, splitPercent, type Cents } from "../../../../src/rules/money.ts";
import { DEFAULT_SETTINGS, type RulesSettings } from "../../../../src/rules/settings.ts";
import { contractEndDate, entitlement, resolveMissions, type FundingInput } from "./funding-v1.ts";

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

const LINE_ORDER: readonly FundingLineId[] = ["fonctionnement", ...MISSION_IDS];
const NATURE_ORDER: readonly PaymentNature[] = ["integral", "solde", "variable", "avance"];
const NATURE_LABELS: Record<PaymentNature, string> = {
  integral: "versement intégral",
  avance: "avance",
  solde: "solde",
  variable: "part variable",
};

export function paymentCalendar(input: FundingInput, settings: RulesSettings = DEFAULT_SETTINGS): ExpectedPayment[] {
  const { annees } = entitlement(input, settings);
  const starts = new Map(resolveMissions(input, settings).map((m) => [m.id, m.startDate]));
  const afterDialogue = (annee: number): IsoDate => addMonths(addMonths(input.signatureDate, 12 * annee), settings.paymentDelayMonths);
  const payments: ExpectedPayment[] = [];
  const add = (date: IsoDate, montant: Cents, nature: PaymentNature, mission: FundingLineId, annee: number): void => {
    if (montant === 0) return;
    payments.push({ date, montant_cents: montant, nature, mission, annee, label: `${LINE_LABELS[mission]} – ${NATURE_LABELS[nature]} année ${annee}` });
  };

  for (const year of annees) {
    for (const line of year.lignes) {
      if (line.part === "variable") {
        add(afterDialogue(year.annee), line.montant_cents, "variable", line.mission, year.annee);
        continue;
      }
      if (line.mission === "fonctionnement" && year.annee === 1) {
        add(year.debut, line.montant_cents, "integral", line.mission, year.annee);
        continue;
      }
      const start = line.mission === "fonctionnement" ? undefined : starts.get(line.mission);
      const startsThisYear = start !== undefined && isWithin(start, year.debut, year.fin);
      const advanceDate = startsThisYear ? start : afterDialogue(year.annee - 1);
      const [advance, balance] = splitPercent(line.montant_cents, settings.advancePercent);
      add(advanceDate, advance, "avance", line.mission, year.annee);
      add(afterDialogue(year.annee), balance, "solde", line.mission, year.annee);
    }
  }
  return payments.sort(
    (a, b) =>
      compareDates(a.date, b.date) ||
      a.annee - b.annee ||
      LINE_ORDER.indexOf(a.mission) - LINE_ORDER.indexOf(b.mission) ||
      NATURE_ORDER.indexOf(a.nature) - NATURE_ORDER.indexOf(b.nature),
  );
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
  let worst = 0;
  const years: CashFlowYear[] = [];
  for (const year of annees) {
    // Daily spending of each fixed line over the days it is active this year.
    const spendPerDay: { from: IsoDate; perDay: number }[] = year.lignes
      .filter((l) => l.part === "fixe")
      .map((l) => {
        const start = l.mission === "fonctionnement" || l.mission === "crise" ? year.debut : maxDate(starts.get(l.mission) ?? year.debut, year.debut);
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
