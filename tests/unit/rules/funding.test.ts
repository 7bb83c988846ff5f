import { describe, expect, it } from "vitest";
import {
  DEFAULT_SETTINGS,
  contractYears,
  crisisFirstPlanYear,
  crisisPlanDueDate,
  entitlement,
  entitlementForYear,
  achievementRatio,
  sizeAt,
  type FundingInput,
  type FundingLine,
  type MissionId,
} from "../../../src/rules/index.ts";

const line = (lines: FundingLine[], mission: string, part: "fixe" | "variable"): FundingLine | undefined =>
  lines.find((l) => l.mission === mission && l.part === part);

const allMissionsAtSignature = (signatureDate: string, ids: MissionId[] = ["acces_soins", "parcours", "prevention", "crise", "qualite", "accompagnement"]) =>
  ids.map((id) => ({ id, contracted: true, startDate: signatureDate }));

describe("années de contrat", () => {
  it("découpe 5 années de l'anniversaire à la veille du suivant", () => {
    expect(contractYears("2024-03-15").map((y) => [y.debut, y.fin, y.jours])).toEqual([
      ["2024-03-15", "2025-03-14", 365],
      ["2025-03-15", "2026-03-14", 365],
      ["2026-03-15", "2027-03-14", 365],
      ["2027-03-15", "2028-03-14", 366],
      ["2028-03-15", "2029-03-14", 365],
    ]);
  });

  it("fête l'anniversaire d'un contrat signé le 29 février le 28 février des années non bissextiles", () => {
    expect(contractYears("2024-02-29").map((y) => [y.debut, y.fin])).toEqual([
      ["2024-02-29", "2025-02-27"],
      ["2025-02-28", "2026-02-27"],
      ["2026-02-28", "2027-02-27"],
      ["2027-02-28", "2028-02-28"],
      ["2028-02-29", "2029-02-27"],
    ]);
  });
});

describe("droits ACI par année", () => {
  it.each([
    [1, 287_500],
    [2, 382_500],
    [3, 487_500],
    [4, 580_000],
  ])("atteint le maximum de la taille %i (%i €) l'année du premier plan avec une crise grave", (size, amount) => {
    const input: FundingInput = {
      signatureDate: "2024-01-01",
      size: size as 1,
      missions: allMissionsAtSignature("2024-01-01"),
      crisisPlan: { firstVersionDate: "2024-06-01" },
      graveCrisisYears: [1],
    };
    const year = entitlementForYear(input, 1);
    expect(year.total_cents).toBe(amount * 100);
    expect(year.total_cents).toBe(year.lignes.reduce((s, l) => s + l.montant_cents, 0));
  });

  it("donne 155 000 € à l'accès aux soins d'une CPTS de taille 4 (piège des 150 000 €)", () => {
    const year = entitlementForYear({ signatureDate: "2024-01-01", size: 4, missions: [{ id: "acces_soins", startDate: "2024-01-01" }] }, 1);
    expect(line(year.lignes, "acces_soins", "fixe")!.montant_cents + line(year.lignes, "acces_soins", "variable")!.montant_cents).toBe(15_500_000);
  });

  it("calcule la taille à partir de la population", () => {
    expect(entitlement({ signatureDate: "2024-01-01", population: 80_000 }).taille).toBe(2);
    expect(entitlement({ signatureDate: "2024-01-01", population: 175_001 }).taille).toBe(4);
  });

  it("exclut les parts variables du budget prévisionnel", () => {
    const year = entitlementForYear({ signatureDate: "2024-01-01", size: 1, missions: [{ id: "acces_soins", startDate: "2024-01-01" }] }, 1);
    expect(year.total_cents).toBe(5_000_000 + 5_500_000 + 2_500_000);
    expect(year.budget_cents).toBe(5_000_000 + 5_500_000);
    expect(line(year.lignes, "acces_soins", "variable")!.potentiel).toBe(true);
  });

  it.each([
    ["démarrée 6 mois après la signature", "2024-09-15", 3_471_233],
    ["démarrée la veille de l'anniversaire", "2025-03-14", 19_178],
    ["démarrée à la signature", "2024-03-15", 7_000_000],
  ])("proratise au jour la part fixe d'une mission %s", (_, startDate, cents) => {
    const year = entitlementForYear({ signatureDate: "2024-03-15", size: 2, missions: [{ id: "acces_soins", startDate }] }, 1);
    expect(line(year.lignes, "acces_soins", "fixe")!.montant_cents).toBe(cents);
  });

  it("proratise sur 366 jours une année de contrat qui contient un 29 février", () => {
    const year = entitlementForYear({ signatureDate: "2023-03-01", size: 1, missions: [{ id: "acces_soins", startDate: "2023-09-01" }] }, 1);
    expect(year.jours).toBe(366);
    expect(line(year.lignes, "acces_soins", "fixe")!.montant_cents).toBe(2_734_973);
  });

  it("démarre par défaut chaque mission à la date limite de l'ACI", () => {
    const input: FundingInput = { signatureDate: "2024-03-15", size: 2 };
    const year1 = entitlementForYear(input, 1);
    expect(year1.lignes.map((l) => l.mission)).toEqual(["fonctionnement", "acces_soins", "acces_soins"]);
    expect(line(year1.lignes, "acces_soins", "fixe")!.montant_cents).toBe(3_471_233);
    const year2 = entitlementForYear(input, 2);
    expect(line(year2.lignes, "parcours", "fixe")!.montant_cents).toBe(3_500_000);
  });

  it("ne finance une mission optionnelle que si elle est contractualisée", () => {
    const year = entitlementForYear(
      {
        signatureDate: "2024-01-01",
        size: 3,
        missions: [
          { id: "qualite", contracted: false, startDate: "2024-01-01" },
          { id: "accompagnement", contracted: true, startDate: "2024-01-01" },
        ],
      },
      1,
    );
    expect(year.lignes.some((l) => l.mission === "qualite")).toBe(false);
    expect(line(year.lignes, "accompagnement", "fixe")!.montant_cents).toBe(1_000_000);
  });

  it.each([
    [4, 100, 12_100_000, 9_000_000],
    [4, 99, 11_000_000, 9_000_000],
    [3, 250, 9_000_000, 7_500_000],
  ])("majore de 10 %% les missions (pas le fonctionnement) : taille %i, %i adhérents", (size, memberCount, accesFixe, fonctionnement) => {
    const year = entitlementForYear({ signatureDate: "2024-01-01", size: size as 4, memberCount, missions: [{ id: "acces_soins", startDate: "2024-01-01" }] }, 1);
    expect(line(year.lignes, "acces_soins", "fixe")!.montant_cents).toBe(accesFixe);
    expect(line(year.lignes, "fonctionnement", "fixe")!.montant_cents).toBe(fonctionnement);
  });

  it("majore aussi les parts variables et indique la part de majoration", () => {
    const year = entitlementForYear({ signatureDate: "2024-01-01", size: 4, memberCount: 150, missions: [{ id: "prevention", startDate: "2024-01-01" }] }, 1);
    const variable = line(year.lignes, "prevention", "variable")!;
    expect(variable.montant_cents).toBe(2_200_000);
    expect(variable.majoration_cents).toBe(200_000);
    expect(variable.label).toContain("majoration 10 %");
  });

  it("ne majore pas quand le réglage est désactivé", () => {
    const settings = { ...DEFAULT_SETTINGS, majoration: { enabled: false, ratePercent: 10, size: 4 as const, minMembers: 100 } };
    const year = entitlementForYear({ signatureDate: "2024-01-01", size: 4, memberCount: 150, missions: [{ id: "acces_soins", startDate: "2024-01-01" }] }, 1, settings);
    expect(line(year.lignes, "acces_soins", "fixe")!.montant_cents).toBe(11_000_000);
  });

  it.each([
    ["pondère les indicateurs de résultat et plafonne chacun à 100 %", [
      { weight: 2, targetValue: 100, actualValue: 50, kind: "resultat" as const },
      { weight: 1, targetValue: 10, actualValue: 20, kind: "resultat" as const },
      { weight: 5, targetValue: 10, actualValue: 0, kind: "suivi" as const },
    ], 2_333_333],
    ["ne verse rien quand aucun objectif n'est atteint", [{ weight: 1, targetValue: 10, actualValue: 0, kind: "resultat" as const }], 0],
    ["compte le potentiel entier sans indicateur de résultat", [{ weight: 1, targetValue: 10, actualValue: 0, kind: "suivi" as const }], 3_500_000],
  ])("part variable : %s", (_, indicators, cents) => {
    const year = entitlementForYear(
      { signatureDate: "2024-01-01", size: 2, missions: [{ id: "parcours", startDate: "2024-01-01" }], indicatorAchievement: { parcours: { 1: indicators } } },
      1,
    );
    expect(line(year.lignes, "parcours", "variable")!.montant_cents).toBe(cents);
  });

  it("renvoie null comme taux d'atteinte sans indicateur de résultat", () => {
    expect(achievementRatio([])).toBeNull();
  });

  it("applique un avenant de taille à partir de sa date d'effet, au prorata des jours", () => {
    const input: FundingInput = { signatureDate: "2024-01-01", size: 1, amendments: [{ effectiveDate: "2024-07-01", size: 2 }], missions: [] };
    expect(sizeAt(input, "2024-06-30")).toBe(1);
    expect(sizeAt(input, "2024-07-01")).toBe(2);
    expect(entitlementForYear(input, 1).lignes[0]!.montant_cents).toBe(5_502_732);
    expect(entitlementForYear(input, 2).lignes[0]!.montant_cents).toBe(6_000_000);
    expect(entitlementForYear(input, 2).taille).toBe(2);
  });

  it("accepte un avenant exprimé en population", () => {
    const input: FundingInput = { signatureDate: "2024-01-01", population: 30_000, amendments: [{ effectiveDate: "2025-01-01", population: 200_000 }], missions: [] };
    expect(entitlementForYear(input, 2).lignes[0]!.montant_cents).toBe(9_000_000);
  });
});

describe("mission crises sanitaires graves", () => {
  it.each([
    ["2024-03-15", "2025-09-15"],
    ["2022-06-01", "2024-06-01"],
    ["2022-12-01", "2024-06-01"],
    ["2023-01-31", "2024-07-31"],
  ])("attend le premier plan d'un ACI signé le %s au plus tard le %s", (signature, due) => {
    expect(crisisPlanDueDate(signature)).toBe(due);
  });

  it("verse le montant du premier plan l'année où il est dû, puis la mise à jour", () => {
    const input: FundingInput = { signatureDate: "2024-03-15", size: 2 };
    expect(crisisFirstPlanYear(input)).toBe(2);
    const years = entitlement(input).annees;
    expect(years[0]!.lignes.some((l) => l.mission === "crise")).toBe(false);
    expect(line(years[1]!.lignes, "crise", "fixe")).toMatchObject({ montant_cents: 3_500_000, detail: "premier_plan" });
    expect(line(years[2]!.lignes, "crise", "fixe")).toMatchObject({ montant_cents: 1_750_000, detail: "mise_a_jour" });
  });

  it("verse le premier plan l'année où il est réellement écrit", () => {
    const input: FundingInput = { signatureDate: "2024-03-15", size: 1, crisisPlan: { firstVersionDate: "2025-01-10" } };
    const years = entitlement(input).annees;
    expect(line(years[0]!.lignes, "crise", "fixe")).toMatchObject({ montant_cents: 2_500_000, detail: "premier_plan" });
    expect(line(years[1]!.lignes, "crise", "fixe")).toMatchObject({ montant_cents: 1_250_000, detail: "mise_a_jour" });
  });

  it("ne compte la part variable de crise que l'année d'une crise grave enregistrée", () => {
    const input: FundingInput = { signatureDate: "2024-03-15", size: 3, graveCrisisDates: ["2026-08-01"] };
    const years = entitlement(input).annees;
    expect(years.map((y) => line(y.lignes, "crise", "variable")?.montant_cents ?? 0)).toEqual([0, 0, 6_750_000, 0, 0]);
  });
});
