// Funding lines of one contract year (DOMAIN §3: amounts by size, majoration +10 % on missions for a T4
// CPTS of at least 100 members, variable parts in proportion to the indicators; §4: proration; size
// amendments from their date). Cases found by mutation testing (issue 16 part 5): amounts worked out by
// hand from the DOMAIN table, labels as the admin and `coordo financement` show them.
import { describe, expect, it } from "vitest";
import {
  AVENANT_2,
  DEFAULT_SETTINGS,
  baseSize,
  crisisFirstPlanYear,
  entitlementForYear,
  sizeAt,
  type FundingInput,
} from "../../../src/rules/index.ts";

const lines = (input: FundingInput, year: number, settings = DEFAULT_SETTINGS) =>
  entitlementForYear(input, year, settings).lignes.map((l) => [l.mission, l.part, l.montant_cents, l.majoration_cents]);

describe("lignes de financement d'une année : montants, libellés, potentiel", () => {
  it("T4 à 120 adhérents, année 1 : prorata, majoration, atteinte des indicateurs, crise grave potentielle", () => {
    // accès aux soins started 01/06/2024: 287 of the 365 days of year 1 (15/03/2024 → 14/03/2025)
    const e = entitlementForYear(
      {
        signatureDate: "2024-03-15",
        size: 4,
        memberCount: 120,
        missions: [{ id: "acces_soins", startDate: "2024-06-01" }, { id: "parcours", startDate: "2024-03-15" }, { id: "crise", startDate: "2024-03-15" }],
        crisisPlan: { firstVersionDate: "2024-12-01" },
        graveCrisisDates: ["2024-10-01"],
        // 151 of 200: 75.5 % (indicators recorded for the parcours only)
        indicatorAchievement: { parcours: { 1: [{ weight: 1, targetValue: 200, actualValue: 151, kind: "resultat" }] } },
      },
      1,
    );
    expect(e.lignes).toStrictEqual([
      { mission: "fonctionnement", part: "fixe", montant_cents: 9_000_000, majoration_cents: 0, potentiel: false, label: "Fonctionnement" },
      // 110 000 € × 1.1 × 287/365 = 95 142,47 €, of which 11 000 € × 287/365 = 8 649,32 € of majoration
      { mission: "acces_soins", part: "fixe", montant_cents: 9_514_247, majoration_cents: 864_932, potentiel: false, label: "Accès aux soins – part fixe (prorata 287/365 j, majoration 10 % incluse)" },
      // 45 000 € × 1.1 × 287/365
      { mission: "acces_soins", part: "variable", montant_cents: 3_892_192, majoration_cents: 353_836, potentiel: true, label: "Accès aux soins – part variable (potentiel, prorata 287/365 j, majoration 10 % incluse)" },
      { mission: "parcours", part: "fixe", montant_cents: 5_500_000, majoration_cents: 500_000, potentiel: false, label: "Parcours pluriprofessionnels – part fixe (majoration 10 % incluse)" },
      // 50 000 € × 1.1 × 75.5 % = 41 525 €, of which 3 775 € of majoration
      { mission: "parcours", part: "variable", montant_cents: 4_152_500, majoration_cents: 377_500, potentiel: false, label: "Parcours pluriprofessionnels – part variable (atteinte 75,5 %, majoration 10 % incluse)" },
      { mission: "crise", part: "fixe", montant_cents: 5_500_000, majoration_cents: 500_000, potentiel: false, label: "Crises sanitaires graves – part fixe (premier plan, majoration 10 % incluse)", detail: "premier_plan" },
      { mission: "crise", part: "variable", montant_cents: 8_250_000, majoration_cents: 750_000, potentiel: true, label: "Crises sanitaires graves – part variable (crise grave, potentiel, majoration 10 % incluse)" },
    ]);
    expect(e.budget_cents).toBe(9_000_000 + 9_514_247 + 5_500_000 + 5_500_000);
  });

  describe("crise grave : l'année de contrat de sa date, bornes comprises", () => {
    const input: FundingInput = {
      signatureDate: "2024-03-15",
      size: 1,
      missions: [{ id: "crise", startDate: "2024-03-15" }],
      crisisPlan: { firstVersionDate: "2024-12-01" },
      // the last day of year 1 and the first day of year 2
      graveCrisisDates: ["2025-03-14", "2025-03-15"],
      indicatorAchievement: { crise: { 2: [{ weight: 2, targetValue: 10, actualValue: 5, kind: "resultat" }] } },
    };

    it("année 1 : premier plan 25 000 €, part variable 37 500 € potentielle", () => {
      expect(entitlementForYear(input, 1).lignes.slice(1)).toStrictEqual([
        { mission: "crise", part: "fixe", montant_cents: 2_500_000, majoration_cents: 0, potentiel: false, label: "Crises sanitaires graves – part fixe (premier plan)", detail: "premier_plan" },
        { mission: "crise", part: "variable", montant_cents: 3_750_000, majoration_cents: 0, potentiel: true, label: "Crises sanitaires graves – part variable (crise grave, potentiel)" },
      ]);
    });

    it("année 2 : mise à jour 12 500 €, part variable à 50 % d'atteinte : 18 750 €", () => {
      expect(entitlementForYear(input, 2).lignes.slice(1)).toStrictEqual([
        { mission: "crise", part: "fixe", montant_cents: 1_250_000, majoration_cents: 0, potentiel: false, label: "Crises sanitaires graves – part fixe (mise à jour du plan)", detail: "mise_a_jour" },
        { mission: "crise", part: "variable", montant_cents: 1_875_000, majoration_cents: 0, potentiel: false, label: "Crises sanitaires graves – part variable (crise grave)" },
      ]);
    });

    it("un plan écrit avant la signature : le montant « premier plan » en année 1", () => {
      const early = { ...input, crisisPlan: { firstVersionDate: "2023-01-01" }, graveCrisisDates: [] };
      expect(entitlementForYear(early, 1).lignes.map((l) => [l.part, l.detail, l.montant_cents])).toEqual([
        ["fixe", undefined, 5_000_000],
        ["fixe", "premier_plan", 2_500_000],
      ]);
      expect(entitlementForYear(early, 2).lignes[1]).toMatchObject({ detail: "mise_a_jour", montant_cents: 1_250_000 });
    });

    it("une crise la veille de la signature ne compte pour aucune année", () => {
      const before = { ...input, graveCrisisDates: ["2024-03-14"], indicatorAchievement: undefined };
      expect(entitlementForYear(before, 1).lignes.map((l) => [l.mission, l.part])).toEqual([
        ["fonctionnement", "fixe"],
        ["crise", "fixe"],
      ]);
    });
  });

  it("contrat d'un an (réglage) : le plan de crise dû à 18 mois ne tombe dans aucune année, pas de part fixe de crise", () => {
    // T2 signed 15/03/2024: accès aux soins from 15/09/2024 (6 months), 181/365 days; parcours, prévention after the end
    expect(lines({ signatureDate: "2024-03-15", size: 2 }, 1, { ...DEFAULT_SETTINGS, contractYears: 1 })).toEqual([
      ["fonctionnement", "fixe", 6_000_000, 0],
      ["acces_soins", "fixe", 3_471_233, 0], // 70 000 € × 181/365
      ["acces_soins", "variable", 1_487_671, 0], // 30 000 € × 181/365
    ]);
  });

  describe("avenants de taille donnés dans le désordre", () => {
    // T1 → T2 on 01/06/2024 → T3 on 01/09/2024 → T4 on 14/03/2026 (the last day of year 2)
    const input: FundingInput = {
      signatureDate: "2024-03-15",
      size: 1,
      missions: [{ id: "parcours" }],
      amendments: [
        { effectiveDate: "2024-09-01", size: 3 },
        { effectiveDate: "2026-03-14", size: 4 },
        { effectiveDate: "2024-06-01", size: 2 },
      ],
    };

    it.each([
      // (50 000 × 78 + 60 000 × 92 + 75 000 × 195) / 365
      [1, [["fonctionnement", "fixe", 6_587_671, 0]]],
      // (75 000 × 364 + 90 000 × 1) / 365; parcours from 15/03/2025: (45 000 × 364 + 50 000 × 1) / 365
      [2, [["fonctionnement", "fixe", 7_504_110, 0], ["parcours", "fixe", 4_501_370, 0], ["parcours", "variable", 4_501_370, 0]]],
      [3, [["fonctionnement", "fixe", 9_000_000, 0], ["parcours", "fixe", 5_000_000, 0], ["parcours", "variable", 5_000_000, 0]]],
    ])("année %i", (year, expected) => {
      expect(lines(input, year)).toEqual(expected);
    });

    it.each([
      ["2024-05-31", 1],
      ["2024-06-01", 2],
      ["2024-12-01", 3],
      ["2026-03-14", 4],
    ])("taille en vigueur le %s : %i", (date, size) => {
      expect(sizeAt(input, date)).toBe(size);
    });
  });

  it("T4 à 150 adhérents passé en T3 le 15/09/2024 : la majoration sur les seuls jours en T4, jamais sur le fonctionnement", () => {
    // 184 days in T4 (15/03 → 14/09/2024), 181 in T3
    expect(lines({ signatureDate: "2024-03-15", size: 4, memberCount: 150, missions: [{ id: "acces_soins", startDate: "2024-03-15" }], amendments: [{ effectiveDate: "2024-09-15", size: 3 }] }, 1)).toEqual([
      ["fonctionnement", "fixe", 8_256_164, 0], // (90 000 × 184 + 75 000 × 181) / 365
      ["acces_soins", "fixe", 10_562_740, 554_521], // (110 000 × 1.1 × 184 + 90 000 × 181) / 365; without majoration 100 082,19 €
      ["acces_soins", "variable", 4_230_959, 226_849], // (45 000 × 1.1 × 184 + 35 000 × 181) / 365
    ]);
  });

  it("une table sans part variable pour une mission donne une ligne variable à 0", () => {
    const table = { ...AVENANT_2, missions: { ...AVENANT_2.missions, prevention: { fixe: AVENANT_2.missions.prevention.fixe } } };
    const e = entitlementForYear({ signatureDate: "2024-03-15", size: 1, table, missions: [{ id: "prevention", startDate: "2024-03-15" }] }, 1);
    expect(e.lignes.map((l) => [l.mission, l.part, l.montant_cents, l.label])).toEqual([
      ["fonctionnement", "fixe", 5_000_000, "Fonctionnement"],
      ["prevention", "fixe", 1_000_000, "Prévention – part fixe"],
      ["prevention", "variable", 0, "Prévention – part variable (potentiel)"],
    ]);
  });

  it("taille : l'une des deux est exigée ; sans avenant, la taille de départ", () => {
    expect(() => baseSize({})).toThrow(new RangeError("Either size or population is required"));
    expect(sizeAt({ signatureDate: "2024-03-15", size: 2 }, "2027-01-01")).toBe(2);
  });

  it("année de contrat hors de 1 à 5 refusée, la 5e acceptée", () => {
    const input: FundingInput = { signatureDate: "2024-03-15", size: 1 };
    expect(() => entitlementForYear(input, 6)).toThrow(new RangeError("Contract year must be between 1 and 5, got 6"));
    expect(() => entitlementForYear(input, 0)).toThrow(RangeError);
    expect(entitlementForYear(input, 5).debut).toBe("2028-03-15");
  });

  it.each([
    ["2023-01-01", 1], // written before the signature: year 1
    ["2025-03-15", 2],
    ["2029-03-15", null], // after the contract's last day (14/03/2029)
  ])("premier plan de crise écrit le %s : année %s", (firstVersionDate, year) => {
    expect(crisisFirstPlanYear({ signatureDate: "2024-03-15", size: 1, crisisPlan: { firstVersionDate } })).toBe(year);
  });
});
