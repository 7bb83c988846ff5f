import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, firStartupAid, listUncertainSettings, missionPrecoceAid, passCeilingAt, publicFundingAlerts, resolveSettings } from "../../../src/rules/index.ts";

describe("réglages", () => {
  it.each([
    ["2023-06-01", 4_399_200],
    ["2024-12-31", 4_636_800],
    ["2025-01-01", 4_710_000],
    ["2025-12-31", 4_710_000],
    ["2026-01-01", 4_806_000],
    ["2026-07-01", 4_806_000],
  ])("retrouve le plafond de la sécurité sociale en vigueur le %s", (date, cents) => {
    expect(passCeilingAt(date)).toBe(cents);
  });

  it.each(["2022-12-31", "2027-01-01"])("n'a pas de plafond le %s, faute de valeur pour cette année (jamais celle d'une autre année)", (date) => {
    expect(passCeilingAt(date)).toBeNull();
  });

  it("liste les réglages issus de règles incertaines", () => {
    const paths = listUncertainSettings().map((s) => s.path);
    expect(paths).toEqual(expect.arrayContaining(["majoration", "missionPrecoce.amountsCents", "fir.redactionCentsBySize", "fir.coordinatorCents"]));
  });

  it("applique les surcharges d'une CPTS sans toucher aux valeurs par défaut", () => {
    const settings = resolveSettings({ majoration: { ratePercent: 15 }, alertLeadDays: [30, 0] });
    expect(settings.majoration).toEqual({ ...DEFAULT_SETTINGS.majoration, ratePercent: 15 });
    expect(settings.alertLeadDays).toEqual([30, 0]);
    expect(DEFAULT_SETTINGS.majoration.ratePercent).toBe(10);
  });

  it.each([
    [1, 15_000],
    [2, 17_500],
    [3, 25_000],
    [4, 30_000],
  ])("l'aide mission précoce de la taille %i vaut %i €", (size, amount) => {
    expect(missionPrecoceAid(size as 1, DEFAULT_SETTINGS)).toBe(amount * 100);
  });

  it("borne le FIR de rédaction entre 10 000 et 20 000 € et ajoute 24 000 € de coordination", () => {
    expect(firStartupAid(1).redactionCents).toBe(1_000_000);
    expect(firStartupAid(4).redactionCents).toBe(2_000_000);
    expect(firStartupAid(4).totalCents).toBe(4_400_000);
  });
});

describe("seuils de financement public", () => {
  it.each([
    [[{ funder: "ARS", cents: 15_300_000 }], ["convention_ecrite"]],
    [[{ funder: "ARS", cents: 2_300_000 }, { funder: "CPAM", cents: 13_000_001 }], ["commissaire_aux_comptes", "convention_ecrite"]],
    [[{ funder: "Région", cents: 2_300_001 }], ["convention_ecrite"]],
    [[{ funder: "Commune", cents: 2_300_000 }], []],
  ])("alerte au-delà de 153 000 € par an et de 23 000 € par subvention (%j)", (subsidies, kinds) => {
    expect(publicFundingAlerts(subsidies).map((a) => a.kind)).toEqual(kinds);
  });

  it("explique l'obligation en français", () => {
    const [alert] = publicFundingAlerts([{ funder: "ARS", cents: 16_000_000 }]);
    expect(alert!.label).toContain("commissaire aux comptes");
    expect(alert!.label).toContain("160 000,00 €");
  });
});
