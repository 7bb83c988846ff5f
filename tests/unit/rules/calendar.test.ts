import { describe, expect, it } from "vitest";
import { cashFlow, entitlement, paymentCalendar, type FundingInput } from "../../../src/rules/index.ts";

const pick = (input: FundingInput, mission: string, annee: number) =>
  paymentCalendar(input)
    .filter((p) => p.mission === mission && p.annee === annee)
    .map((p) => [p.date, p.nature, p.montant_cents]);

describe("calendrier des versements", () => {
  const input: FundingInput = { signatureDate: "2024-03-15", size: 2 };

  it("verse le fonctionnement de l'année 1 en entier à la signature", () => {
    expect(pick(input, "fonctionnement", 1)).toEqual([["2024-03-15", "integral", 6_000_000]]);
  });

  it("verse ensuite 75 % d'avance après le dialogue de gestion et 25 % de solde l'année suivante", () => {
    expect(pick(input, "fonctionnement", 2)).toEqual([
      ["2025-05-15", "avance", 4_500_000],
      ["2026-05-15", "solde", 1_500_000],
    ]);
  });

  it("verse l'avance proratisée d'une mission à son démarrage, le solde et la part variable après le dialogue", () => {
    expect(pick(input, "acces_soins", 1)).toEqual([
      ["2024-09-15", "avance", 2_603_425],
      ["2025-05-15", "solde", 867_808],
      ["2025-05-15", "variable", 1_487_671],
    ]);
  });

  it("proratise sur un seul jour une mission démarrée la veille de l'anniversaire", () => {
    const late: FundingInput = { signatureDate: "2024-03-15", size: 2, missions: [{ id: "acces_soins", startDate: "2025-03-14" }] };
    expect(pick(late, "acces_soins", 1)).toEqual([
      ["2025-03-14", "avance", 14_384],
      ["2025-05-15", "solde", 4_794],
      ["2025-05-15", "variable", 8_219],
    ]);
  });

  it("verse l'avance d'une mission démarrée à l'anniversaire le jour du démarrage", () => {
    expect(pick(input, "parcours", 2)[0]).toEqual(["2025-03-15", "avance", 2_625_000]);
  });

  it("date le versement CPAM deux mois après l'anniversaire, ramené à la fin du mois", () => {
    const leap: FundingInput = { signatureDate: "2023-12-31", size: 1, missions: [] };
    expect(pick(leap, "fonctionnement", 2)).toEqual([
      ["2025-02-28", "avance", 3_750_000],
      ["2026-02-28", "solde", 1_250_000],
    ]);
  });

  it("verse au total exactement les droits des 5 années", () => {
    const full: FundingInput = { signatureDate: "2024-02-29", size: 4, memberCount: 120, graveCrisisYears: [3], amendments: [] };
    const total = paymentCalendar(full).reduce((s, p) => s + p.montant_cents, 0);
    expect(total).toBe(entitlement(full).total_cents);
  });

  it("trie les versements par date", () => {
    const dates = paymentCalendar(input).map((p) => p.date);
    expect([...dates].sort()).toEqual(dates);
  });
});

describe("trésorerie", () => {
  it("montre le trou de trésorerie de l'année 1", () => {
    const flow = cashFlow({ signatureDate: "2024-03-15", size: 2, missions: [{ id: "acces_soins", startDate: "2024-03-15" }] });
    expect(flow.annees[0]!.solde_cumule_cents).toBeLessThan(0);
    expect(flow.annees[0]!.solde_cumule_cents).toBe(-1_750_000);
    expect(flow.besoin_tresorerie_cents).toBeGreaterThanOrEqual(1_750_000);
    expect(flow.apres_contrat_cents).toBeGreaterThan(0);
  });

  it("équilibre recettes et dépenses une fois le dernier solde reçu", () => {
    const input: FundingInput = { signatureDate: "2024-03-15", size: 1, missions: [{ id: "acces_soins", startDate: "2024-03-15" }] };
    const flow = cashFlow(input);
    const last = flow.annees.at(-1)!;
    const variables = entitlement(input).total_cents - entitlement(input).budget_cents;
    expect(last.solde_cumule_cents + flow.apres_contrat_cents).toBe(variables);
  });
});
