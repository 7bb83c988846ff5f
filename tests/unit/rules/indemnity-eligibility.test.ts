import { describe, expect, it } from "vitest";
import { computeIndemnity, formatDurationFr, indemnityEligibility, passCeilingAt, resolveSettings, type IndemnityParticipant, type IndemnityRule } from "../../../src/rules/index.ts";

const professional: IndemnityParticipant = { personKind: "physique", staff: false, partner: false, dues: { upToDate: true, label: "à jour" } };
const defaults = { partnersEligible: false, unpaidDuesExcluded: true };

describe("qui est indemnisé (DOMAIN §7)", () => {
  it.each<[string, IndemnityParticipant, typeof defaults, string | null]>([
    ["un professionnel personne physique à jour", professional, defaults, null],
    ["un professionnel qui ne doit pas de cotisation (exonéré)", { ...professional, dues: null }, defaults, null],
    ["une personne morale (EHPAD)", { ...professional, personKind: "morale" }, defaults, "personne_morale"],
    ["une personne morale partenaire, même si les partenaires sont indemnisés", { ...professional, personKind: "morale", partner: true }, { ...defaults, partnersEligible: true }, "personne_morale"],
    ["la coordinatrice salariée", { ...professional, staff: true }, defaults, "salarie"],
    ["un partenaire, par défaut", { ...professional, partner: true }, defaults, "partenaire"],
    ["un partenaire quand le règlement les indemnise", { ...professional, partner: true }, { ...defaults, partnersEligible: true }, null],
    ["un adhérent non à jour, par défaut", { ...professional, dues: { upToDate: false, label: "partiel, reste 20,00 €" } }, defaults, "cotisation"],
    ["un adhérent non à jour quand le règlement ne l'exclut pas", { ...professional, dues: { upToDate: false, label: "jamais payé" } }, { ...defaults, unpaidDuesExcluded: false }, null],
  ])("%s", (_, participant, settings, reason) => {
    const r = indemnityEligibility(participant, settings, 2026);
    if (reason === null) expect(r).toEqual({ eligible: true });
    else {
      expect(r).toMatchObject({ eligible: false, reason });
      expect(!r.eligible && r.message).toMatch(/[a-zé]/);
    }
  });

  it("dit pourquoi un adhérent non à jour est exclu, avec son solde", () => {
    const r = indemnityEligibility({ ...professional, dues: { upToDate: false, label: "partiel, reste 20,00 €" } }, defaults, 2026);
    expect(!r.eligible && r.message).toContain("Cotisation 2026 non à jour (partiel, reste 20,00 €)");
  });
});

describe("durées, plafonds et PASS", () => {
  it.each([
    [90, "1 h 30"],
    [60, "1 h"],
    [45, "45 min"],
    [125, "2 h 05"],
    [0, "0 min"],
  ])("%i minutes s'écrivent « %s »", (minutes, text) => expect(formatDurationFr(minutes)).toBe(text));

  const hourly: IndemnityRule = { validFrom: "2023-01-01", unit: "heure", rates: [{ professionGroup: "*", cents: 5_000 }], capPerPersonPerYearCents: 300_000 };
  const at = (meetingDate: string, durationMinutes = 90) => ({ personId: "p", professionGroup: "autre" as const, meetingDate, durationMinutes });

  it("explique « 1 h 30 × 50,00 €/h = 75,00 € »", () => {
    const r = computeIndemnity([hourly], at("2026-03-01"));
    expect(r.ok && r.explanation).toBe("1 h 30 × 50,00 €/h = 75,00 €");
  });

  it("nomme le plafond qui ramène l'indemnité à 0 €", () => {
    const cpts = computeIndemnity([hourly], at("2026-03-01"), { indemnitiesCents: 300_000 });
    expect(cpts.ok && cpts.amountCents).toBe(0);
    expect(cpts.ok && cpts.explanation).toContain("Plafond annuel par personne de la CPTS (3 000,00 €) atteint : 75,00 € non versés, 0,00 € versés");
    const legal = computeIndemnity([{ ...hourly, capPerPersonPerYearCents: undefined }], at("2026-03-01"), { indemnitiesCents: 0, allPaymentsCents: 4_806_000 });
    expect(legal.ok && legal.amountCents).toBe(0);
    expect(legal.ok && legal.explanation).toContain("Plafond légal 2026 (PASS, 48 060,00 €)");
  });

  it.each([
    ["2023-05-01", 4_399_200],
    ["2024-05-01", 4_636_800],
    ["2025-05-01", 4_710_000],
    ["2026-05-01", 4_806_000],
  ])("PASS de l'année du %s", (date, cents) => expect(passCeilingAt(date)).toBe(cents));

  it("PASS 2026 = 48 060 € : 47 100 € déjà versés laissent 960 €", () => {
    const r = computeIndemnity([{ ...hourly, capPerPersonPerYearCents: undefined }], at("2026-06-01", 60 * 30), { indemnitiesCents: 0, allPaymentsCents: 4_710_000 });
    expect(r.ok && r.amountCents).toBe(96_000);
  });

  it("refuse une année sans PASS renseigné et demande de le renseigner", () => {
    const r = computeIndemnity([hourly], at("2027-02-01"));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/plafond légal \(PASS\) de 2027 n'est pas renseigné : indiquez sa valeur pour 2027/);
    const set = resolveSettings({ passCeilings: [{ from: "2027-01-01", cents: 5_000_000 }] });
    expect(computeIndemnity([hourly], at("2027-02-01"), { indemnitiesCents: 0 }, set).ok).toBe(true);
  });
});
