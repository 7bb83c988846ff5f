/**
 * ACI amounts as data (DOMAIN §3). A new avenant is a new table appended to ACI_TABLES, not
 * new code. Amounts are yearly, in cents, per size. Maxima and totals are always computed
 * from the parts (the source misprints the T4 accès-aux-soins total as 150 000 €).
 */
import type { AciSize } from "./size.ts";
import { compareDates, type IsoDate } from "./dates.ts";

export type MissionId = "acces_soins" | "parcours" | "prevention" | "crise" | "qualite" | "accompagnement";
export type FundingLineId = "fonctionnement" | MissionId;
export type AmountPart = "fixe" | "variable" | "fixe_premier_plan" | "fixe_mise_a_jour";

export type SizeAmounts = Readonly<Record<AciSize, number>>;

export interface AciTable {
  id: string;
  label: string;
  /** Contracts signed from this date use this table. */
  effectiveFrom: IsoDate;
  fonctionnement: SizeAmounts;
  missions: Readonly<Record<MissionId, Readonly<Partial<Record<AmountPart, SizeAmounts>>>>>;
}

export interface MissionInfo {
  id: MissionId;
  label: string;
  socle: boolean;
}

export const MISSION_IDS: readonly MissionId[] = ["acces_soins", "parcours", "prevention", "crise", "qualite", "accompagnement"];
export const SOCLE_MISSION_IDS: readonly MissionId[] = ["acces_soins", "parcours", "prevention", "crise"];

export const MISSIONS: Readonly<Record<MissionId, MissionInfo>> = {
  acces_soins: { id: "acces_soins", label: "Accès aux soins", socle: true },
  parcours: { id: "parcours", label: "Parcours pluriprofessionnels", socle: true },
  prevention: { id: "prevention", label: "Prévention", socle: true },
  crise: { id: "crise", label: "Crises sanitaires graves", socle: true },
  qualite: { id: "qualite", label: "Qualité et pertinence des soins", socle: false },
  accompagnement: { id: "accompagnement", label: "Accompagnement des professionnels", socle: false },
};

export const LINE_LABELS: Readonly<Record<FundingLineId, string>> = {
  fonctionnement: "Fonctionnement",
  ...Object.fromEntries(Object.values(MISSIONS).map((m) => [m.id, m.label])),
} as Record<FundingLineId, string>;

export function isMissionId(value: unknown): value is MissionId {
  return (MISSION_IDS as readonly unknown[]).includes(value);
}

const eur = (t1: number, t2: number, t3: number, t4: number): SizeAmounts => ({ 1: t1 * 100, 2: t2 * 100, 3: t3 * 100, 4: t4 * 100 });

export const AVENANT_2: AciTable = {
  id: "avenant_2",
  label: "ACI CPTS, avenant 2",
  // constant-mutants: ignore-next-line the only table: contracts signed before it use it too (aciTableAt falls back to the oldest)
  effectiveFrom: "2022-01-01",
  fonctionnement: eur(50_000, 60_000, 75_000, 90_000),
  missions: {
    acces_soins: { fixe: eur(55_000, 70_000, 90_000, 110_000), variable: eur(25_000, 30_000, 35_000, 45_000) },
    parcours: { fixe: eur(25_000, 35_000, 45_000, 50_000), variable: eur(25_000, 35_000, 45_000, 50_000) },
    prevention: { fixe: eur(10_000, 15_000, 17_500, 20_000), variable: eur(10_000, 15_000, 17_500, 20_000) },
    crise: {
      fixe_premier_plan: eur(25_000, 35_000, 45_000, 50_000),
      fixe_mise_a_jour: eur(12_500, 17_500, 22_500, 25_000),
      variable: eur(37_500, 52_500, 67_500, 75_000),
    },
    qualite: { fixe: eur(7_500, 10_000, 15_000, 20_000), variable: eur(7_500, 10_000, 15_000, 20_000) },
    accompagnement: { fixe: eur(5_000, 7_500, 10_000, 15_000), variable: eur(5_000, 7_500, 10_000, 15_000) },
  },
};

export const ACI_TABLES: readonly AciTable[] = [AVENANT_2];

/** The table in force for a contract signed on `date`; contracts older than every table use the oldest. */
export function aciTableAt(date: IsoDate, tables: readonly AciTable[] = ACI_TABLES): AciTable {
  const sorted = [...tables].sort((a, b) => compareDates(a.effectiveFrom, b.effectiveFrom));
  const applicable = sorted.filter((t) => compareDates(t.effectiveFrom, date) <= 0);
  const table = applicable.at(-1) ?? sorted[0];
  if (!table) throw new Error("No ACI table configured");
  return table;
}

export function partAmount(table: AciTable, mission: MissionId, part: AmountPart, size: AciSize): number {
  return table.missions[mission][part]?.[size] ?? 0;
}

/** Mission total (fixed + variable) in the best year: for the crisis mission, the first-plan year with a crisis. */
export function missionMaximum(table: AciTable, mission: MissionId, size: AciSize): number {
  const parts = table.missions[mission];
  const fixed = parts.fixe?.[size] ?? parts.fixe_premier_plan?.[size] ?? 0;
  return fixed + (parts.variable?.[size] ?? 0);
}

/** Maximum yearly amount without majoration: fonctionnement + every mission at its best year. */
export function maximumForSize(table: AciTable, size: AciSize): number {
  return table.fonctionnement[size] + MISSION_IDS.reduce((sum, id) => sum + missionMaximum(table, id, size), 0);
}
