/**
 * ACI entitlement per contract year (DOMAIN §3, §4).
 *
 * Choices where DOMAIN is silent:
 * - Contract year k runs from the (k-1)th anniversary to the day before the kth; anniversaries
 *   are computed from the signature date each time (signed 29 Feb → 28 Feb in common years,
 *   29 Feb again in leap years).
 * - A mission that starts during a year gets its fixed AND variable parts prorated day by day
 *   from its start date to the end of the year (days active / days in the contract year).
 * - A mission without a start date is assumed to start at the latest date the ACI allows
 *   (§5b delays; for optional missions the contract's chosen date, else the signature).
 * - Crisis mission: the "premier plan" amount falls in the contract year in which the first plan
 *   version is written, or, while it is not written, the year it is due (18 months after
 *   signature, counted from 1 Dec 2022 at the earliest); nothing before that year; the
 *   "mise à jour" amount each later year. These amounts are tied to the plan and are not
 *   prorated by the mission's start date. The crisis variable part appears only in contract
 *   years with a recorded grave crisis, in full (× achievement when indicators are given).
 * - Size amendments apply from their effective date: each line is prorated day by day between
 *   the sizes in force during the year.
 * - The majoration (setting) multiplies every mission line, never fonctionnement, on the days
 *   the size is the majoration size, if memberCount reaches the minimum.
 * - Variable part = envelope × Σ(weight × min(1, actual/target)) / Σ weight over the
 *   "résultat" indicators of the mission for that year; "suivi" indicators are ignored; with no
 *   résultat indicator recorded, the line shows its full potential (`potentiel: true`).
 * Rounding: see money.ts (half up, once per line).
 */
import {
  MISSION_IDS,
  MISSIONS,
  SOCLE_MISSION_IDS,
  aciTableAt,
  type AciTable,
  type AmountPart,
  type FundingLineId,
  type MissionId,
  type SizeAmounts,
} from "./aci-tables.ts";
import { addDays, addMonths, addMonthsToDayNumber, compareDates, daysBetween, fromDayNumber, isWithin, maxDate, toDayNumber, type IsoDate } from "./dates.ts";
import { divRoundHalfUp, roundHalfUp, type Cents } from "./money.ts";
import { DEFAULT_SETTINGS, type RulesSettings } from "./settings.ts";
import { sizeFromPopulation, type AciSize } from "./size.ts";

export interface IndicatorResult {
  weight: number;
  targetValue: number;
  actualValue: number;
  kind: "resultat" | "suivi";
}

export interface MissionContract {
  id: MissionId;
  /** Optional missions count only when contracted; defaults to true. */
  contracted?: boolean;
  /** Date the mission started (or is planned to start). */
  startDate?: IsoDate;
  deployedDate?: IsoDate;
  /** Latest start/deploy dates chosen in the contract (optional missions), overriding §5b delays. */
  startDueDate?: IsoDate;
  deployDueDate?: IsoDate;
}

export interface SizeAmendment {
  effectiveDate: IsoDate;
  size?: AciSize;
  population?: number;
}

export interface FundingInput {
  signatureDate: IsoDate;
  size?: AciSize;
  population?: number;
  amendments?: SizeAmendment[];
  memberCount?: number;
  /** Defaults to the four socle missions, started at the latest allowed date. */
  missions?: MissionContract[];
  crisisPlan?: { firstVersionDate?: IsoDate; updateDates?: IsoDate[] };
  /** Contract years (1-based) in which a grave crisis was recorded. */
  graveCrisisYears?: number[];
  /** Dates of recorded grave crises; mapped to their contract year. */
  graveCrisisDates?: IsoDate[];
  /** missionId → contract year (1-based) → indicator results. */
  indicatorAchievement?: Partial<Record<MissionId, Record<number, IndicatorResult[]>>>;
  /** Defaults to the table in force at the signature date. */
  table?: AciTable;
}

export interface ContractYear {
  annee: number;
  debut: IsoDate;
  fin: IsoDate;
  jours: number;
}

export interface FundingLine {
  mission: FundingLineId;
  part: "fixe" | "variable";
  detail?: "premier_plan" | "mise_a_jour";
  montant_cents: Cents;
  /** Part of montant_cents that comes from the majoration. */
  majoration_cents: Cents;
  /** Variable part at full potential (no indicator result recorded). */
  potentiel: boolean;
  label: string;
}

export interface YearEntitlement extends ContractYear {
  /** Size in force on the first day of the year. */
  taille: AciSize;
  lignes: FundingLine[];
  /** Sum of every line (variable parts at full potential when no result is known). */
  total_cents: Cents;
  /** Sum without the variable parts: the provisional budget figure. */
  budget_cents: Cents;
}

export interface Entitlement {
  table: string;
  taille: AciSize;
  annees: YearEntitlement[];
  total_cents: Cents;
  budget_cents: Cents;
}

export interface ResolvedMission {
  id: MissionId;
  startDate: IsoDate;
}

export function contractYears(signatureDate: IsoDate, count = DEFAULT_SETTINGS.contractYears): ContractYear[] {
  return Array.from({ length: count }, (_, i) => {
    const debut = addMonths(signatureDate, 12 * i);
    const next = addMonths(signatureDate, 12 * (i + 1));
    return { annee: i + 1, debut, fin: addDays(next, -1), jours: daysBetween(debut, next) };
  });
}

export function contractEndDate(signatureDate: IsoDate, settings: RulesSettings = DEFAULT_SETTINGS): IsoDate {
  return addDays(addMonths(signatureDate, 12 * settings.contractYears), -1);
}

export function contractYearOf(date: IsoDate, signatureDate: IsoDate, settings: RulesSettings = DEFAULT_SETTINGS): number | null {
  return contractYears(signatureDate, settings.contractYears).find((y) => isWithin(date, y.debut, y.fin))?.annee ?? null;
}

export function baseSize(input: Pick<FundingInput, "size" | "population">): AciSize {
  if (input.size !== undefined) return input.size;
  if (input.population !== undefined) return sizeFromPopulation(input.population);
  throw new RangeError("Either size or population is required");
}

/** Size in force on `date`, after the amendments effective on or before it. */
export function sizeAt(input: FundingInput, date: IsoDate): AciSize {
  let size = baseSize(input);
  for (const amendment of sortedAmendments(input)) {
    if (compareDates(amendment.effectiveDate, date) <= 0) size = baseSize(amendment);
  }
  return size;
}

function sortedAmendments(input: FundingInput): SizeAmendment[] {
  return [...(input.amendments ?? [])].sort((a, b) => compareDates(a.effectiveDate, b.effectiveDate));
}

/** Latest start date the ACI allows for a mission (contract's chosen date, else §5b delay, else signature). */
export function latestStartDate(signatureDate: IsoDate, mission: MissionContract | MissionId, settings: RulesSettings = DEFAULT_SETTINGS): IsoDate {
  const contract = typeof mission === "string" ? { id: mission } : mission;
  if (contract.startDueDate) return contract.startDueDate;
  const months = settings.missionDelays[contract.id].startMonths;
  // Stryker disable next-line ConditionalExpression: addMonths(date, null) is the date itself (null counts as 0 months)
  if (months === null) return signatureDate;
  return addMonths(contract.id === "crise" ? crisisDelayOrigin(signatureDate, settings) : signatureDate, months);
}

export function latestDeployDate(signatureDate: IsoDate, mission: MissionContract | MissionId, settings: RulesSettings = DEFAULT_SETTINGS): IsoDate | null {
  const contract = typeof mission === "string" ? { id: mission } : mission;
  if (contract.deployDueDate) return contract.deployDueDate;
  if (contract.id === "crise") return crisisPlanDueDate(signatureDate, settings);
  const months = settings.missionDelays[contract.id].deployMonths;
  return months === null ? null : addMonths(signatureDate, months);
}

export function defaultMissions(): MissionContract[] {
  return SOCLE_MISSION_IDS.map((id) => ({ id, contracted: true }));
}

/** Contracted missions with their effective start date, in the canonical mission order. */
export function resolveMissions(input: FundingInput, settings: RulesSettings = DEFAULT_SETTINGS): ResolvedMission[] {
  const contracts = input.missions ?? defaultMissions();
  return MISSION_IDS.flatMap((id) => {
    const contract = contracts.find((m) => m.id === id);
    if (!contract || contract.contracted === false) return [];
    return [{ id, startDate: contract.startDate ?? latestStartDate(input.signatureDate, contract, settings) }];
  });
}

/** Crisis plan first version due date: 18 months after signature, counted from 1 Dec 2022 at the earliest. */
export function crisisPlanDueDate(signatureDate: IsoDate, settings: RulesSettings = DEFAULT_SETTINGS): IsoDate {
  return addMonths(crisisDelayOrigin(signatureDate, settings), settings.crisis.planDueMonths);
}

/**
 * Day both crisis delays (6-month start, 18-month plan) run from: the signature, or 1 Dec 2022 (the
 * national template) for contracts signed before it (seed 002, fiche 13).
 */
export function crisisDelayOrigin(signatureDate: IsoDate, settings: RulesSettings = DEFAULT_SETTINGS): IsoDate {
  return maxDate(signatureDate, settings.crisis.planCountedFromAtLeast);
}

/** Weighted achievement of the résultat indicators (each capped at 100 %), or null when none is recorded. */
export function achievementRatio(indicators: readonly IndicatorResult[] | undefined): number | null {
  // Stryker disable next-line ArrayDeclaration: an entry that is no indicator is filtered out, as none is
  const results = (indicators ?? []).filter((i) => i.kind === "resultat" && i.weight > 0);
  if (results.length === 0) return null;
  const totalWeight = results.reduce((sum, i) => sum + i.weight, 0);
  const achieved = results.reduce((sum, i) => {
    const ratio = i.targetValue <= 0 ? (i.actualValue >= i.targetValue ? 1 : 0) : Math.min(1, Math.max(0, i.actualValue / i.targetValue));
    return sum + i.weight * ratio;
  }, 0);
  return achieved / totalWeight;
}

/**
 * What every year of an entitlement shares, computed once per call (internal; calendar.ts reuses
 * it so that the payment calendar does not compute the entitlement's inputs twice). Dates are
 * day numbers; each year, line and label is computed exactly as the rules above describe.
 */
export interface FundingPlan {
  input: FundingInput;
  settings: RulesSettings;
  table: AciTable;
  signatureDay: number;
  /** anniversaries[i] = day number of the i-th anniversary (0 = signature), i ≤ years.length. */
  anniversaries: number[];
  years: ContractYear[];
  /** Amendments sorted by effective date (stable), with their day numbers. */
  amendments: { day: number; amendment: SizeAmendment }[];
  missions: (ResolvedMission & { startDay: number })[];
  firstPlanYear: number | null;
  crisisYears: Set<number>;
  majorationMembers: boolean;
}

export function planFunding(input: FundingInput, settings: RulesSettings = DEFAULT_SETTINGS): FundingPlan {
  const signatureDay = toDayNumber(input.signatureDate);
  const count = Array.from({ length: settings.contractYears }).length;
  const anniversaries: number[] = [];
  const years: ContractYear[] = [];
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with no contract year nothing reads the anniversaries (calendar.ts returns early)
  if (count > 0) {
    anniversaries.push(toDayNumber(addMonths(input.signatureDate, 0)));
    for (let i = 0; i < count; i++) {
      const next = addMonthsToDayNumber(signatureDay, 12 * (i + 1));
      const debut = anniversaries[i]!;
      anniversaries.push(next);
      years.push({ annee: i + 1, debut: fromDayNumber(debut), fin: fromDayNumber(next - 1), jours: next - debut });
    }
  }
  const amendments = (input.amendments ?? []).map((amendment) => ({ day: toDayNumber(amendment.effectiveDate), amendment }));
  amendments.sort((a, b) => a.day - b.day);
  const missions = resolveMissions(input, settings).map((m) => ({ id: m.id, startDate: m.startDate, startDay: toDayNumber(m.startDate) }));
  let firstPlanYear: number | null = null;
  // Stryker disable next-line ArrayDeclaration: a Set holding a string never has a year number
  const crisisYears = new Set(input.graveCrisisYears ?? []);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: with no contract year the plan year is never read
  if (count > 0) {
    const planDay = toDayNumber(input.crisisPlan?.firstVersionDate ?? crisisPlanDueDate(input.signatureDate, settings));
    // Stryker disable next-line EqualityOperator: on the signature day yearContaining gives 1 as well
    firstPlanYear = planDay < anniversaries[0]! ? 1 : yearContaining(anniversaries, planDay);
    for (const date of input.graveCrisisDates ?? []) {
      const annee = yearContaining(anniversaries, toDayNumber(date));
      // Stryker disable next-line ConditionalExpression: a null in the set matches no contract year
      if (annee !== null) crisisYears.add(annee);
    }
  }
  return {
    input,
    settings,
    table: input.table ?? aciTableAt(input.signatureDate),
    signatureDay,
    anniversaries,
    years,
    amendments,
    missions,
    firstPlanYear,
    crisisYears,
    majorationMembers: (input.memberCount ?? 0) >= settings.majoration.minMembers,
  };
}

/** Contract year in which the crisis plan's first version is (or is due to be) written. */
export function crisisFirstPlanYear(input: FundingInput, settings: RulesSettings = DEFAULT_SETTINGS): number | null {
  const years = contractYears(input.signatureDate, settings.contractYears);
  const date = input.crisisPlan?.firstVersionDate ?? crisisPlanDueDate(input.signatureDate, settings);
  // Stryker disable next-line EqualityOperator: on the first day the year search gives 1 as well
  if (compareDates(date, years[0]!.debut) < 0) return 1;
  return years.find((y) => isWithin(date, y.debut, y.fin))?.annee ?? null;
}

/** Contract year (1-based) whose [debut, fin] holds `day`, or null. */
function yearContaining(anniversaries: readonly number[], day: number): number | null {
  // Stryker disable next-line EqualityOperator,ArithmeticOperator: past the last anniversary the bound is undefined and the test false
  for (let i = 0; i + 1 < anniversaries.length; i++) {
    if (day >= anniversaries[i]! && day <= anniversaries[i + 1]! - 1) return i + 1;
  }
  return null;
}

/** Size in force on `day` (amendments effective on or before it applied in date order). */
function planSizeAt(plan: FundingPlan, day: number): AciSize {
  let size = baseSize(plan.input);
  for (const { day: effective, amendment } of plan.amendments) {
    if (effective > day) break;
    size = baseSize(amendment);
  }
  return size;
}

function annualAmount(amounts: SizeAmounts | undefined, size: AciSize, orZero: boolean): number {
  return orZero ? (amounts?.[size] ?? 0) : amounts![size];
}

function majorated(plan: FundingPlan, size: AciSize): boolean {
  const { majoration } = plan.settings;
  return majoration.enabled && size === majoration.size && plan.majorationMembers;
}

/** Amount of a yearly part over [from, year end], prorated by days and size segments, rounded once. */
function proratedAmount(
  plan: FundingPlan,
  yearIndex: number,
  from: number,
  amounts: SizeAmounts | undefined,
  orZero: boolean,
  withMajoration: boolean,
  ratio: number,
): { amount: Cents; majoration: Cents } {
  const fin = plan.anniversaries[yearIndex + 1]! - 1;
  const rate = 100 + plan.settings.majoration.ratePercent;
  let base = 0;
  let majoratedSum = 0;
  // Segments: [from, next break - 1], …, [last break, fin]; a break is an amendment in (from, fin].
  let start = from;
  let size = planSizeAt(plan, from);
  for (const { day } of plan.amendments) {
    // Stryker disable next-line EqualityOperator: an amendment on `from` makes a segment of 0 days at the size already in force
    if (day <= from) continue;
    if (day > fin) break;
    const amount = annualAmount(amounts, size, orZero) * (day - start);
    base += amount * 100;
    majoratedSum += amount * (withMajoration && majorated(plan, size) ? rate : 100);
    start = day;
    size = planSizeAt(plan, day);
  }
  const amount = annualAmount(amounts, size, orZero) * (fin - start + 1);
  base += amount * 100;
  majoratedSum += amount * (withMajoration && majorated(plan, size) ? rate : 100);
  const denominator = 100 * (plan.anniversaries[yearIndex + 1]! - plan.anniversaries[yearIndex]!);
  // Stryker disable next-line ConditionalExpression: for ratio 1 the float quotient rounds as the integer division (amounts far below 2^53)
  const total = ratio === 1 ? divRoundHalfUp(majoratedSum, denominator) : roundHalfUp((majoratedSum * ratio) / denominator);
  // Stryker disable next-line ConditionalExpression: as for `total` above
  return { amount: total, majoration: total - (ratio === 1 ? divRoundHalfUp(base, denominator) : roundHalfUp((base * ratio) / denominator)) };
}

/** `proratedDays`: days from the mission's start to the year's end, null when the whole year counts. */
function lineLabel(label: string, part: "fixe" | "variable", notes: string, proratedDays: number | null, yearDays: number, majoration: Cents, settings: RulesSettings): string {
  let suffix = notes;
  if (proratedDays !== null) suffix += `${suffix ? ", " : ""}prorata ${proratedDays}/${yearDays} j`;
  if (majoration !== 0) suffix += `${suffix ? ", " : ""}majoration ${settings.majoration.ratePercent} % incluse`;
  return `${label} – part ${part}${suffix ? ` (${suffix})` : ""}`;
}

function pushLine(
  lines: FundingLine[],
  plan: FundingPlan,
  yearIndex: number,
  mission: MissionId,
  part: "fixe" | "variable",
  amounts: SizeAmounts | undefined,
  from: number,
  ratio: number,
  notes: string,
  potentiel: boolean,
  detail: FundingLine["detail"],
  labels: boolean,
): void {
  const { amount, majoration } = proratedAmount(plan, yearIndex, from, amounts, true, true, ratio);
  const debut = plan.anniversaries[yearIndex]!;
  const next = plan.anniversaries[yearIndex + 1]!;
  // Stryker disable next-line StringLiteral: labels are not read when not asked for (calendar.ts)
  const label = labels ? lineLabel(MISSIONS[mission].label, part, notes, from > debut ? next - from : null, next - debut, majoration, plan.settings) : "";
  lines.push(
    detail === undefined
      ? { mission, part, montant_cents: amount, majoration_cents: majoration, potentiel, label }
      : { mission, part, montant_cents: amount, majoration_cents: majoration, potentiel, label, detail },
  );
}

function achievementNote(ratio: number | null): string {
  return ratio === null ? "potentiel" : `atteinte ${String(Math.round(ratio * 1000) / 10).replace(".", ",")} %`;
}

function firstActiveYear(plan: FundingPlan, startDay: number): number {
  // Stryker disable next-line EqualityOperator: past the last year the bound is undefined and the test false
  for (let i = 0; i < plan.years.length; i++) if (startDay <= plan.anniversaries[i + 1]! - 1) return i + 1;
  // Stryker disable next-line ArithmeticOperator: unreachable, only called for a mission started by the end of the year asked
  return plan.years.length + 1;
}

/**
 * The funding lines of contract year `yearIndex + 1` (0 ≤ yearIndex < plan.years.length); without
 * `labels` (the payment calendar does not show them) every mission line's label is "".
 */
export function planYearLines(plan: FundingPlan, yearIndex: number, labels: boolean): FundingLine[] {
  const { input, table } = plan;
  const annee = yearIndex + 1;
  const debut = plan.anniversaries[yearIndex]!;
  const fin = plan.anniversaries[yearIndex + 1]! - 1;
  // Stryker disable next-line BooleanLiteral: a table's fonctionnement amounts are complete (SizeAmounts), never absent
  const fonctionnement = proratedAmount(plan, yearIndex, debut, table.fonctionnement, false, false, 1).amount;
  const lignes: FundingLine[] = [
    { mission: "fonctionnement", part: "fixe", montant_cents: fonctionnement, majoration_cents: 0, potentiel: false, label: "Fonctionnement" },
  ];
  for (const mission of plan.missions) {
    if (mission.startDay > fin) continue;
    const parts = table.missions[mission.id];
    const ratio = achievementRatio(input.indicatorAchievement?.[mission.id]?.[annee]);
    if (mission.id === "crise") {
      const planYear = plan.firstPlanYear === null ? null : Math.max(plan.firstPlanYear, firstActiveYear(plan, mission.startDay));
      if (planYear !== null && annee >= planYear) {
        const first = annee === planYear;
        pushLine(lignes, plan, yearIndex, mission.id, "fixe", first ? parts.fixe_premier_plan : parts.fixe_mise_a_jour, debut, 1, first ? "premier plan" : "mise à jour du plan", false, first ? "premier_plan" : "mise_a_jour", labels);
      }
      if (plan.crisisYears.has(annee)) {
        pushLine(lignes, plan, yearIndex, mission.id, "variable", parts.variable, debut, ratio ?? 1, ratio === null ? "crise grave, potentiel" : "crise grave", ratio === null, undefined, labels);
      }
      continue;
    }
    const from = Math.max(mission.startDay, debut);
    pushLine(lignes, plan, yearIndex, mission.id, "fixe", parts.fixe, from, 1, "", false, undefined, labels);
    // Stryker disable next-line StringLiteral: labels are not read when not asked for (calendar.ts)
    const achievement = !labels ? "" : achievementNote(ratio);
    pushLine(lignes, plan, yearIndex, mission.id, "variable", parts.variable, from, ratio ?? 1, achievement, ratio === null, undefined, labels);
  }
  return lignes;
}

/** The entitlement of contract year `yearIndex + 1` (0 ≤ yearIndex < plan.years.length). */
export function planYearEntitlement(plan: FundingPlan, yearIndex: number): YearEntitlement {
  const year = plan.years[yearIndex]!;
  const lignes = planYearLines(plan, yearIndex, true);
  let total = 0;
  let budget = 0;
  for (const line of lignes) {
    total += line.montant_cents;
    if (line.part !== "variable") budget += line.montant_cents;
  }
  return { annee: year.annee, debut: year.debut, fin: year.fin, jours: year.jours, taille: planSizeAt(plan, plan.anniversaries[yearIndex]!), lignes, total_cents: total, budget_cents: budget };
}

export function entitlementForYear(input: FundingInput, yearIndex: number, settings: RulesSettings = DEFAULT_SETTINGS): YearEntitlement {
  const years = contractYears(input.signatureDate, settings.contractYears);
  if (!years[yearIndex - 1]) throw new RangeError(`Contract year must be between 1 and ${years.length}, got ${yearIndex}`);
  return planYearEntitlement(planFunding(input, settings), yearIndex - 1);
}

/** The entitlement of every contract year of an already planned contract. */
export function planEntitlement(plan: FundingPlan): Entitlement {
  const annees = plan.years.map((_, i) => planYearEntitlement(plan, i));
  let total = 0;
  let budget = 0;
  for (const a of annees) {
    total += a.total_cents;
    budget += a.budget_cents;
  }
  return { table: plan.table.id, taille: planSizeAt(plan, plan.signatureDay), annees, total_cents: total, budget_cents: budget };
}

export function entitlement(input: FundingInput, settings: RulesSettings = DEFAULT_SETTINGS): Entitlement {
  return planEntitlement(planFunding(input, settings));
}

/** One-off "mission précoce" aid (uncertain rule: setting). */
export function missionPrecoceAid(size: AciSize, settings: RulesSettings = DEFAULT_SETTINGS): Cents {
  return settings.missionPrecoce.amountsCents[size];
}

/** FIR start-up money from the ARS (uncertain split: settings). */
export function firStartupAid(size: AciSize, settings: RulesSettings = DEFAULT_SETTINGS): { redactionCents: Cents; coordinatorCents: Cents; totalCents: Cents } {
  const redactionCents = settings.fir.redactionCentsBySize[size];
  return { redactionCents, coordinatorCents: settings.fir.coordinatorCents, totalCents: redactionCents + settings.fir.coordinatorCents };
}

