/**
 * Tunable rules. Every rule DOMAIN marks *uncertain* lives here with DOMAIN's value as default
 * (see listUncertainSettings); checked rules that may change (delays, PASS) are settings too.
 */
import type { AciSize } from "./size.ts";
import type { MissionId } from "./aci-tables.ts";
import { compareDates, type IsoDate } from "./dates.ts";

export interface MissionDelay {
  /** Months after signature to start at the latest; null = date chosen in the contract. */
  startMonths: number | null;
  /** Months after signature to be deployed at the latest; null = date chosen in the contract. */
  deployMonths: number | null;
}

/** A yearly amount (PASS): valid for the calendar year of `from` only, never carried to the next year. */
export interface DatedCeiling {
  from: IsoDate;
  cents: number;
}

/** Who the CPTS indemnifies beyond DOMAIN §7's fixed rules (its règlement intérieur decides). */
export interface IndemnityEligibilitySettings {
  /** Partners (category or role « partenaire ») are indemnified like members. */
  partnersEligible: boolean;
  /** A member whose dues of the meeting's year are not fully paid is not indemnified. */
  unpaidDuesExcluded: boolean;
}

export interface RulesSettings {
  contractYears: number;
  majoration: { enabled: boolean; ratePercent: number; size: AciSize; minMembers: number };
  missionPrecoce: { amountsCents: Record<AciSize, number>; deadlineMonths: number };
  fir: { redactionCentsBySize: Record<AciSize, number>; coordinatorCents: number };
  missionDelays: Record<MissionId, MissionDelay>;
  /**
   * Crisis mission: plan due `planDueMonths` after signature. For contracts signed before
   * `planCountedFromAtLeast` (1 Dec 2022, the national template) both the start delay and the plan
   * delay run from that date (seed 002, fiche 13): no crisis deadline is ever earlier.
   */
  crisis: { planDueMonths: number; planCountedFromAtLeast: IsoDate };
  /** Share of the fixed parts (and of fonctionnement after year 1) paid as advance. */
  advancePercent: number;
  /** CPAM payment delay after the dialogue de gestion. */
  paymentDelayMonths: number;
  alertLeadDays: number[];
  /** Overdue items are re-alerted every N days until done. */
  overdueRepeatDays: number;
  indicatorsLeadDays: number;
  renewalPrepMonths: number;
  /** Yearly AG deadline as MM-DD. */
  agDueMonthDay: string;
  governanceDeclarationMonths: number;
  projetSanteValidationMonths: number;
  /** ACI termination: effective N months after the registered letter. */
  terminationNoticeMonths: number;
  /** Employer duties after a hire: days to declare the employee (seed 002: 8), days for the other contacts (DOMAIN silent). */
  hire: { employeeDeclarationDays: number; otherDutiesDays: number };
  passCeilings: DatedCeiling[];
  indemnityEligibility: IndemnityEligibilitySettings;
  thresholds: { auditorCents: number; writtenAgreementCents: number };
}

const bySize = (t1: number, t2: number, t3: number, t4: number): Record<AciSize, number> => ({ 1: t1 * 100, 2: t2 * 100, 3: t3 * 100, 4: t4 * 100 });

export const DEFAULT_SETTINGS: RulesSettings = {
  contractYears: 5,
  majoration: { enabled: true, ratePercent: 10, size: 4, minMembers: 100 },
  missionPrecoce: { amountsCents: bySize(15_000, 17_500, 25_000, 30_000), deadlineMonths: 9 },
  // DOMAIN gives only the range 10 000 – 20 000 € "by size"; the intermediate steps are a guess.
  fir: { redactionCentsBySize: bySize(10_000, 13_500, 17_000, 20_000), coordinatorCents: 24_000 * 100 },
  missionDelays: {
    acces_soins: { startMonths: 6, deployMonths: 18 },
    parcours: { startMonths: 12, deployMonths: 24 },
    prevention: { startMonths: 12, deployMonths: 24 },
    crise: { startMonths: 6, deployMonths: 18 },
    qualite: { startMonths: null, deployMonths: null },
    accompagnement: { startMonths: null, deployMonths: null },
  },
  crisis: { planDueMonths: 18, planCountedFromAtLeast: "2022-12-01" },
  advancePercent: 75,
  paymentDelayMonths: 2,
  alertLeadDays: [90, 30, 7, 0],
  overdueRepeatDays: 7,
  indicatorsLeadDays: 30,
  renewalPrepMonths: 6,
  agDueMonthDay: "06-30",
  governanceDeclarationMonths: 3,
  projetSanteValidationMonths: 2,
  terminationNoticeMonths: 2,
  hire: { employeeDeclarationDays: 8, otherDutiesDays: 30 },
  passCeilings: [
    { from: "2023-01-01", cents: 4_399_200 },
    // 2024 is not in DOMAIN; official PASS 2024 = 46 368 €.
    { from: "2024-01-01", cents: 4_636_800 },
    { from: "2025-01-01", cents: 4_710_000 },
    // arrêté du 22 décembre 2025
    { from: "2026-01-01", cents: 4_806_000 },
  ],
  // The « Dernier rappel » mail tells unpaid members they cannot be indemnified: the default matches it.
  indemnityEligibility: { partnersEligible: false, unpaidDuesExcluded: true },
  thresholds: { auditorCents: 153_000 * 100, writtenAgreementCents: 23_000 * 100 },
};

type DeepPartial<T> = { [K in keyof T]?: T[K] extends unknown[] ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K] };
export type RulesSettingsOverrides = DeepPartial<RulesSettings>;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function merge<T>(base: T, overrides: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(overrides)) return (overrides === undefined ? base : overrides) as T;
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    // Stryker disable next-line ConditionalExpression: merge(base, undefined) returns base, so the value is unchanged
    if (value !== undefined) result[key] = merge((base as Record<string, unknown>)[key], value);
  }
  return result as T;
}

/** DEFAULT_SETTINGS with a CPTS's overrides applied (arrays replace, objects merge). */
export function resolveSettings(overrides: RulesSettingsOverrides = {}): RulesSettings {
  return merge(DEFAULT_SETTINGS, overrides);
}

/**
 * The PASS (legal yearly ceiling of what a professional may receive from the CPTS) of the calendar
 * year of `date`; null when no value is set for that year (another year's is never reused: the
 * caller must ask the operator to set it).
 */
export function passCeilingAt(date: IsoDate, settings: RulesSettings = DEFAULT_SETTINGS): number | null {
  const year = date.slice(0, 4);
  const applicable = [...settings.passCeilings]
    .filter((c) => c.from.slice(0, 4) === year && compareDates(c.from, date) <= 0)
    .sort((a, b) => compareDates(a.from, b.from));
  return applicable.at(-1)?.cents ?? null;
}

export interface UncertainSetting {
  path: string;
  label: string;
  defaultValue: unknown;
  source: string;
}

/** Settings whose defaults come from rules DOMAIN marks uncertain (to be confirmed per CPTS/region). */
export function listUncertainSettings(settings: RulesSettings = DEFAULT_SETTINGS): UncertainSetting[] {
  return [
    {
      path: "majoration",
      label: "Majoration de 10 % des missions pour une CPTS de taille 4 d'au moins 100 adhérents",
      defaultValue: settings.majoration,
      source: "DOMAIN §3 : non trouvée dans le texte officiel",
    },
    {
      path: "missionPrecoce.amountsCents",
      label: "Aide « mission précoce » par taille (15 000 / 17 500 / 25 000 / 30 000 €)",
      defaultValue: settings.missionPrecoce.amountsCents,
      source: "DOMAIN §3 : non trouvée dans le texte officiel",
    },
    {
      path: "missionPrecoce.deadlineMonths",
      label: "Délai de la mission précoce pour déposer le projet de santé et signer l'ACI (9 mois)",
      defaultValue: settings.missionPrecoce.deadlineMonths,
      source: "DOMAIN §3 : règle mission précoce incertaine",
    },
    {
      path: "fir.redactionCentsBySize",
      label: "FIR : indemnités de rédaction du projet de santé par taille (10 000 à 20 000 €)",
      defaultValue: settings.fir.redactionCentsBySize,
      source: "DOMAIN §3 : répartition par taille incertaine (paliers intermédiaires estimés)",
    },
    {
      path: "fir.coordinatorCents",
      label: "FIR : financement d'un coordinateur (0,5 ETP pendant 12 mois, 24 000 €)",
      defaultValue: settings.fir.coordinatorCents,
      source: "DOMAIN §3 : montants FIR marqués incertains",
    },
  ];
}
