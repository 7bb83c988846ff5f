import { describe, expect, it } from "vitest";
import {
  ACI_TABLES,
  AVENANT_2,
  MISSION_IDS,
  addDays,
  addMonths,
  aciTableAt,
  daysBetween,
  formatEuros,
  isIsoDate,
  maximumForSize,
  missionMaximum,
  parisToday,
  roundHalfUp,
  sizeFromPopulation,
  splitPercent,
  type AciSize,
} from "../../../src/rules/index.ts";

describe("dates", () => {
  it.each([
    ["2024-01-31", 1, "2024-02-29"],
    ["2023-01-31", 1, "2023-02-28"],
    ["2024-02-29", 12, "2025-02-28"],
    ["2024-02-29", 48, "2028-02-29"],
    ["2024-03-31", -1, "2024-02-29"],
    ["2024-12-15", 2, "2025-02-15"],
  ])("ajoute des mois en ramenant à la fin du mois : %s + %i mois = %s", (date, months, expected) => {
    expect(addMonths(date, months)).toBe(expected);
  });

  it.each([
    ["2024-02-28", 1, "2024-02-29"],
    ["2023-02-28", 1, "2023-03-01"],
    ["2024-12-31", 1, "2025-01-01"],
    ["2024-03-31", -31, "2024-02-29"],
  ])("ajoute des jours : %s + %i = %s", (date, days, expected) => {
    expect(addDays(date, days)).toBe(expected);
  });

  it("compte les jours entre deux dates, années bissextiles comprises", () => {
    expect(daysBetween("2024-01-01", "2025-01-01")).toBe(366);
    expect(daysBetween("2025-01-01", "2026-01-01")).toBe(365);
    expect(daysBetween("2024-03-31", "2024-03-30")).toBe(-1);
  });

  it.each([["2024-02-29", true], ["2023-02-29", false], ["2024-13-01", false], ["2024-1-01", false], ["hier", false]])(
    "valide la date %s : %s",
    (value, ok) => expect(isIsoDate(value)).toBe(ok),
  );

  it.each([
    ["2025-12-31T23:30:00Z", "2026-01-01"],
    ["2025-07-14T21:59:00Z", "2025-07-14"],
    ["2025-07-14T22:00:00Z", "2025-07-15"],
    ["2025-03-30T00:30:00Z", "2025-03-30"],
  ])("donne la date du calendrier de Paris pour l'instant %s", (instant, expected) => {
    expect(parisToday(new Date(instant))).toBe(expected);
  });
});

describe("argent", () => {
  it.each([
    [14383.5, 14384],
    [2.4999, 2],
    [(0.1 + 0.2) * 5, 2],
    [-0.5, -1],
    [10.5, 11],
  ])("arrondit %f au centime supérieur à partir de la demie", (value, expected) => expect(roundHalfUp(value)).toBe(expected));

  it("partage 75 / 25 sans perdre de centime", () => {
    expect(splitPercent(19_178, 75)).toEqual([14_384, 4_794]);
  });

  it.each([
    [123456, "1 234,56 €"],
    [5, "0,05 €"],
    [58_000_000, "580 000,00 €"],
    [-150, "-1,50 €"],
  ])("formate %i centimes à la française", (cents, text) => expect(formatEuros(cents)).toBe(text));
});

describe("taille de la CPTS selon la population (en-têtes inversés de la source)", () => {
  it.each([
    [0, 1],
    [39_999, 1],
    [40_000, 2],
    [60_000, 2],
    [80_000, 2],
    [80_001, 3],
    [175_000, 3],
    [175_001, 4],
    [1_000_000, 4],
  ])("une population de %i habitants donne la taille %i", (population, size) => {
    expect(sizeFromPopulation(population)).toBe(size);
  });

  it("refuse une population négative ou non entière", () => {
    expect(() => sizeFromPopulation(-1)).toThrow();
    expect(() => sizeFromPopulation(1.5)).toThrow();
  });
});

describe("tables de l'avenant 2", () => {
  const rows: Array<[string, string, [number, number, number, number]]> = [
    ["acces_soins", "fixe", [55_000, 70_000, 90_000, 110_000]],
    ["acces_soins", "variable", [25_000, 30_000, 35_000, 45_000]],
    ["parcours", "fixe", [25_000, 35_000, 45_000, 50_000]],
    ["parcours", "variable", [25_000, 35_000, 45_000, 50_000]],
    ["prevention", "fixe", [10_000, 15_000, 17_500, 20_000]],
    ["prevention", "variable", [10_000, 15_000, 17_500, 20_000]],
    ["crise", "fixe_premier_plan", [25_000, 35_000, 45_000, 50_000]],
    ["crise", "fixe_mise_a_jour", [12_500, 17_500, 22_500, 25_000]],
    ["crise", "variable", [37_500, 52_500, 67_500, 75_000]],
    ["qualite", "fixe", [7_500, 10_000, 15_000, 20_000]],
    ["qualite", "variable", [7_500, 10_000, 15_000, 20_000]],
    ["accompagnement", "fixe", [5_000, 7_500, 10_000, 15_000]],
    ["accompagnement", "variable", [5_000, 7_500, 10_000, 15_000]],
  ];
  it.each(rows)("%s, part %s : montants T1..T4 de DOMAIN §3", (mission, part, amounts) => {
    const parts = AVENANT_2.missions[mission as (typeof MISSION_IDS)[number]] as Record<string, Record<AciSize, number>>;
    expect([1, 2, 3, 4].map((s) => parts[part]![s as AciSize])).toEqual(amounts.map((a) => a * 100));
  });

  it.each([
    [1, 50_000],
    [2, 60_000],
    [3, 75_000],
    [4, 90_000],
  ])("fonctionnement taille %i : %i €", (size, amount) => {
    expect(AVENANT_2.fonctionnement[size as AciSize]).toBe(amount * 100);
  });

  it("calcule l'accès aux soins T4 à 155 000 € à partir des parts (la source imprime 150 000 €)", () => {
    expect(missionMaximum(AVENANT_2, "acces_soins", 4)).toBe(15_500_000);
  });

  it.each([
    [1, 287_500],
    [2, 382_500],
    [3, 487_500],
    [4, 580_000],
  ])("le maximum de la taille %i, calculé à partir des parts, vaut %i €", (size, amount) => {
    expect(maximumForSize(AVENANT_2, size as AciSize)).toBe(amount * 100);
  });

  it("choisit la table en vigueur à la signature, la plus ancienne avant toute table", () => {
    expect(aciTableAt("2024-05-01").id).toBe("avenant_2");
    expect(aciTableAt("2020-05-01", ACI_TABLES).id).toBe("avenant_2");
    const avenant3 = { ...AVENANT_2, id: "avenant_3", effectiveFrom: "2026-01-01" };
    expect(aciTableAt("2026-02-01", [AVENANT_2, avenant3]).id).toBe("avenant_3");
    expect(aciTableAt("2025-12-31", [AVENANT_2, avenant3]).id).toBe("avenant_2");
  });
});
