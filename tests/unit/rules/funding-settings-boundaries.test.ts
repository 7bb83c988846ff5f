// Funding and settings boundaries (DOMAIN §3, §7; issue 16 part 5): aids by size, indicator achievement,
// 1 Dec 2022 crisis origin, PASS per calendar year, settings overrides.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SETTINGS,
  achievementRatio,
  contractYears,
  crisisDelayOrigin,
  firStartupAid,
  missionPrecoceAid,
  passCeilingAt,
  resolveSettings,
  AVENANT_2,
  missionMaximum,
  partAmount,
  type AciSize,
  type AciTable,
} from "../../../src/rules/index.ts";

describe("aides avant l'ACI, par taille (réglages, valeurs de DOMAIN §3)", () => {
  it.each([
    [1, 1_500_000, 1_000_000],
    [2, 1_750_000, 1_350_000],
    [3, 2_500_000, 1_700_000],
    [4, 3_000_000, 2_000_000],
  ])("taille %i : mission précoce %i, FIR rédaction %i + coordinateur 24 000 €", (size, precoce, redaction) => {
    expect(missionPrecoceAid(size as AciSize)).toBe(precoce);
    expect(firStartupAid(size as AciSize)).toEqual({ redactionCents: redaction, coordinatorCents: 2_400_000, totalCents: redaction + 2_400_000 });
  });
});

describe("atteinte des indicateurs de résultat", () => {
  it.each([
    ["aucun indicateur", [], null],
    ["seulement des indicateurs de suivi", [{ weight: 1, targetValue: 10, actualValue: 0, kind: "suivi" }], null],
    ["un indicateur de poids nul", [{ weight: 0, targetValue: 10, actualValue: 10, kind: "resultat" }], null],
    ["la moitié de l'objectif", [{ weight: 1, targetValue: 10, actualValue: 5, kind: "resultat" }], 0.5],
    ["au-delà de l'objectif, plafonné à 100 %", [{ weight: 1, targetValue: 10, actualValue: 15, kind: "resultat" }], 1],
    ["une valeur négative comptée 0", [{ weight: 1, targetValue: 10, actualValue: -5, kind: "resultat" }], 0],
    ["un objectif de 0 atteint", [{ weight: 1, targetValue: 0, actualValue: 0, kind: "resultat" }], 1],
    ["un objectif de 0 manqué", [{ weight: 1, targetValue: 0, actualValue: -1, kind: "resultat" }], 0],
    [
      "pondéré : 3 × 100 % et 1 × 0 %",
      [
        { weight: 3, targetValue: 10, actualValue: 10, kind: "resultat" },
        { weight: 1, targetValue: 10, actualValue: 0, kind: "resultat" },
        { weight: 5, targetValue: 10, actualValue: 0, kind: "suivi" },
      ],
      0.75,
    ],
  ] as const)("%s → %s", (_, indicators, ratio) => {
    expect(achievementRatio(indicators as never)).toBe(ratio);
  });
});

describe("années du contrat et origine des délais de crise", () => {
  it("5 années d'anniversaire en anniversaire, la dernière se termine la veille du 5e", () => {
    expect(contractYears("2024-02-29").map((y) => [y.annee, y.debut, y.fin])).toEqual([
      [1, "2024-02-29", "2025-02-27"],
      [2, "2025-02-28", "2026-02-27"],
      [3, "2026-02-28", "2027-02-27"],
      [4, "2027-02-28", "2028-02-28"],
      [5, "2028-02-29", "2029-02-27"],
    ]);
    expect(contractYears("2024-03-15", 2).map((y) => y.fin)).toEqual(["2025-03-14", "2026-03-14"]);
  });

  it.each([
    ["2021-06-15", "2022-12-01"],
    ["2022-11-30", "2022-12-01"],
    ["2022-12-01", "2022-12-01"],
    ["2022-12-02", "2022-12-02"],
  ])("signé le %s : les délais de crise courent du %s", (signature, origin) => expect(crisisDelayOrigin(signature)).toBe(origin));
});

describe("réglages", () => {
  it("PASS : celui de l'année civile, à partir de sa date, jamais celui d'une autre année", () => {
    const settings = { ...DEFAULT_SETTINGS, passCeilings: [{ from: "2025-01-01", cents: 100 }, { from: "2025-07-01", cents: 200 }, { from: "2024-01-01", cents: 50 }] };
    expect(passCeilingAt("2025-06-30", settings)).toBe(100);
    expect(passCeilingAt("2025-07-01", settings)).toBe(200);
    expect(passCeilingAt("2025-12-31", settings)).toBe(200);
    expect(passCeilingAt("2026-01-01", settings)).toBeNull();
    expect(passCeilingAt("2024-12-31", settings)).toBe(50);
    expect(passCeilingAt("2023-01-01")).toBe(4_399_200);
    expect(passCeilingAt("2022-12-31")).toBeNull();
  });

  it("une surcharge fusionne les objets et remplace les listes", () => {
    const s = resolveSettings({ majoration: { minMembers: 80 }, alertLeadDays: [14], hire: { employeeDeclarationDays: 10 } });
    expect(s.majoration).toEqual({ ...DEFAULT_SETTINGS.majoration, minMembers: 80 });
    expect(s.alertLeadDays).toEqual([14]);
    expect(s.hire).toEqual({ employeeDeclarationDays: 10, otherDutiesDays: 30 });
    expect(s.contractYears).toBe(5);
    expect(resolveSettings()).toEqual(DEFAULT_SETTINGS);
    expect(resolveSettings({ majoration: undefined }).majoration).toEqual(DEFAULT_SETTINGS.majoration);
  });

  it("les seuils : 153 000 € et 23 000 €", () => {
    expect(DEFAULT_SETTINGS.thresholds).toEqual({ auditorCents: 15_300_000, writtenAgreementCents: 2_300_000 });
  });
});

describe("tables de l'ACI : une part absente vaut 0 €", () => {
  it("l'accès aux soins n'a pas de part « premier plan » ; la crise n'a pas de part fixe simple", () => {
    expect(partAmount(AVENANT_2, "acces_soins", "fixe_premier_plan", 1)).toBe(0);
    expect(partAmount(AVENANT_2, "crise", "fixe", 4)).toBe(0);
    expect(partAmount(AVENANT_2, "crise", "fixe_mise_a_jour", 4)).toBe(2_500_000);
  });

  it("le maximum d'une mission sans part variable ou sans part fixe", () => {
    const table: AciTable = {
      ...AVENANT_2,
      missions: { ...AVENANT_2.missions, qualite: { fixe: AVENANT_2.missions.qualite.fixe }, accompagnement: { variable: AVENANT_2.missions.accompagnement.variable } },
    };
    expect(missionMaximum(table, "qualite", 2)).toBe(1_000_000);
    expect(missionMaximum(table, "accompagnement", 2)).toBe(750_000);
    expect(missionMaximum(table, "crise", 1)).toBe(2_500_000 + 3_750_000);
  });
});
