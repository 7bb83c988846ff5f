// Reference: src/rules/funding.ts as it was before the day-number rewrite (commit aaa7422), kept verbatim
// (imports aside) so that tests/unit/rules/rules-equivalence.test.ts proves the rewrite gives the same results.
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
} from "../../../../src/rules/aci-tables.ts";
import { addDays, addMonths, compareDates, daysBetween, isWithin, maxDate, type IsoDate } from "../../../../src/rules/dates.ts";
import { divRoundHalfUp, roundHalfUp, sumCents, type Cents } from "../../../../src/rules/money.ts";
import { DEFAULT_SETTINGS, type RulesSettings } from "../../../../src/rules/settings.ts";
import { sizeFromPopulation, type AciSize } from "../../../../src/rules/size.ts";

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

interface SizeSegment {
  size: AciSize;
  days: number;
}

function sizeSegments(input: FundingInput, from: IsoDate, to: IsoDate): SizeSegment[] {
  const breaks = sortedAmendments(input)
    .map((a) => a.effectiveDate)
    .filter((d) => compareDates(d, from) > 0 && compareDates(d, to) <= 0);
  const starts = [from, ...breaks];
  return starts.map((start, i) => {
    const end = i + 1 < starts.length ? addDays(starts[i + 1]!, -1) : to;
    return { size: sizeAt(input, start), days: daysBetween(start, end) + 1 };
  });
}

/** Latest start date the ACI allows for a mission (contract's chosen date, else §5b delay, else signature). */
export function latestStartDate(signatureDate: IsoDate, mission: MissionContract | MissionId, settings: RulesSettings = DEFAULT_SETTINGS): IsoDate {
  const contract = typeof mission === "string" ? { id: mission } : mission;
  if (contract.startDueDate) return contract.startDueDate;
  const months = settings.missionDelays[contract.id].startMonths;
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
  const results = (indicators ?? []).filter((i) => i.kind === "resultat" && i.weight > 0);
  if (results.length === 0) return null;
  const totalWeight = results.reduce((sum, i) => sum + i.weight, 0);
  const achieved = results.reduce((sum, i) => {
    const ratio = i.targetValue <= 0 ? (i.actualValue >= i.targetValue ? 1 : 0) : Math.min(1, Math.max(0, i.actualValue / i.targetValue));
    return sum + i.weight * ratio;
  }, 0);
  return achieved / totalWeight;
}

interface LineContext {
  input: FundingInput;
  table: AciTable;
  settings: RulesSettings;
  year: ContractYear;
}

function majorationApplies(ctx: LineContext, size: AciSize): boolean {
  const { majoration } = ctx.settings;
  return majoration.enabled && size === majoration.size && (ctx.input.memberCount ?? 0) >= majoration.minMembers;
}

/** Amount of a yearly part over [from, year end], prorated by days and size segments, rounded once. */
function proratedAmount(
  ctx: LineContext,
  from: IsoDate,
  annual: (size: AciSize) => number,
  withMajoration: boolean,
  ratio: number,
): { amount: Cents; majoration: Cents } {
  let base = 0;
  let majorated = 0;
  for (const segment of sizeSegments(ctx.input, from, ctx.year.fin)) {
    const amount = annual(segment.size) * segment.days;
    base += amount * 100;
    majorated += amount * (withMajoration && majorationApplies(ctx, segment.size) ? 100 + ctx.settings.majoration.ratePercent : 100);
  }
  const denominator = 100 * ctx.year.jours;
  const round = (numerator: number): Cents => (ratio === 1 ? divRoundHalfUp(numerator, denominator) : roundHalfUp((numerator * ratio) / denominator));
  const amount = round(majorated);
  return { amount, majoration: amount - round(base) };
}

function graveCrisisYears(input: FundingInput, years: ContractYear[]): Set<number> {
  const set = new Set(input.graveCrisisYears ?? []);
  for (const date of input.graveCrisisDates ?? []) {
    const year = years.find((y) => isWithin(date, y.debut, y.fin));
    if (year) set.add(year.annee);
  }
  return set;
}

/** Contract year in which the crisis plan's first version is (or is due to be) written. */
export function crisisFirstPlanYear(input: FundingInput, settings: RulesSettings = DEFAULT_SETTINGS): number | null {
  const years = contractYears(input.signatureDate, settings.contractYears);
  const date = input.crisisPlan?.firstVersionDate ?? crisisPlanDueDate(input.signatureDate, settings);
  if (compareDates(date, years[0]!.debut) < 0) return 1;
  return years.find((y) => isWithin(date, y.debut, y.fin))?.annee ?? null;
}

function suffixes(notes: string[], prorata: { days: number; of: number } | null, majoration: Cents, settings: RulesSettings): string {
  const parts = [...notes];
  if (prorata) parts.push(`prorata ${prorata.days}/${prorata.of} j`);
  if (majoration !== 0) parts.push(`majoration ${settings.majoration.ratePercent} % incluse`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function missionLines(ctx: LineContext, mission: ResolvedMission, firstPlanYear: number | null, crisisYears: Set<number>): FundingLine[] {
  const { year, table, input, settings } = ctx;
  if (compareDates(mission.startDate, year.fin) > 0) return [];
  const label = MISSIONS[mission.id].label;
  const parts = table.missions[mission.id];
  const ratio = achievementRatio(input.indicatorAchievement?.[mission.id]?.[year.annee]);
  const lines: FundingLine[] = [];
  const push = (part: "fixe" | "variable", amountPart: AmountPart, from: IsoDate, r: number, notes: string[], extra: Partial<FundingLine> = {}): void => {
    const { amount, majoration } = proratedAmount(ctx, from, (size) => parts[amountPart]?.[size] ?? 0, true, r);
    const prorated = compareDates(from, year.debut) > 0 ? { days: daysBetween(from, year.fin) + 1, of: year.jours } : null;
    lines.push({
      mission: mission.id,
      part,
      montant_cents: amount,
      majoration_cents: majoration,
      potentiel: false,
      label: `${label} – part ${part}${suffixes(notes, prorated, majoration, settings)}`,
      ...extra,
    });
  };

  if (mission.id === "crise") {
    const planYear = firstPlanYear === null ? null : Math.max(firstPlanYear, firstActiveYear(mission.startDate, ctx));
    if (planYear !== null && year.annee >= planYear) {
      const first = year.annee === planYear;
      push("fixe", first ? "fixe_premier_plan" : "fixe_mise_a_jour", year.debut, 1, [first ? "premier plan" : "mise à jour du plan"], {
        detail: first ? "premier_plan" : "mise_a_jour",
      });
    }
    if (crisisYears.has(year.annee)) {
      push("variable", "variable", year.debut, ratio ?? 1, ratio === null ? ["crise grave", "potentiel"] : ["crise grave"], { potentiel: ratio === null });
    }
    return lines;
  }

  const from = maxDate(mission.startDate, year.debut);
  push("fixe", "fixe", from, 1, []);
  push("variable", "variable", from, ratio ?? 1, ratio === null ? ["potentiel"] : [`atteinte ${String(Math.round(ratio * 1000) / 10).replace(".", ",")} %`], { potentiel: ratio === null });
  return lines;
}

function firstActiveYear(startDate: IsoDate, ctx: LineContext): number {
  const years = contractYears(ctx.input.signatureDate, ctx.settings.contractYears);
  return years.find((y) => compareDates(startDate, y.fin) <= 0)?.annee ?? years.length + 1;
}

export function entitlementForYear(input: FundingInput, yearIndex: number, settings: RulesSettings = DEFAULT_SETTINGS): YearEntitlement {
  const years = contractYears(input.signatureDate, settings.contractYears);
  const year = years[yearIndex - 1];
  if (!year) throw new RangeError(`Contract year must be between 1 and ${years.length}, got ${yearIndex}`);
  const table = input.table ?? aciTableAt(input.signatureDate);
  const ctx: LineContext = { input, table, settings, year };

  const fonctionnement = proratedAmount(ctx, year.debut, (size) => table.fonctionnement[size], false, 1);
  const lignes: FundingLine[] = [
    { mission: "fonctionnement", part: "fixe", montant_cents: fonctionnement.amount, majoration_cents: 0, potentiel: false, label: "Fonctionnement" },
  ];
  const firstPlanYear = crisisFirstPlanYear(input, settings);
  const crisisYears = graveCrisisYears(input, years);
  for (const mission of resolveMissions(input, settings)) {
    lignes.push(...missionLines(ctx, mission, firstPlanYear, crisisYears));
  }
  return {
    ...year,
    taille: sizeAt(input, year.debut),
    lignes,
    total_cents: sumCents(lignes.map((l) => l.montant_cents)),
    budget_cents: sumCents(lignes.filter((l) => l.part !== "variable").map((l) => l.montant_cents)),
  };
}

export function entitlement(input: FundingInput, settings: RulesSettings = DEFAULT_SETTINGS): Entitlement {
  const annees = contractYears(input.signatureDate, settings.contractYears).map((y) => entitlementForYear(input, y.annee, settings));
  return {
    table: (input.table ?? aciTableAt(input.signatureDate)).id,
    taille: sizeAt(input, input.signatureDate),
    annees,
    total_cents: sumCents(annees.map((a) => a.total_cents)),
    budget_cents: sumCents(annees.map((a) => a.budget_cents)),
  };
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

