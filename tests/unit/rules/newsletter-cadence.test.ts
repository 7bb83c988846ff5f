import { describe, expect, it } from "vitest";
import { NEWSLETTER_CADENCE_LABELS, NEWSLETTER_CADENCE_MONTHS, newsletterDueOn, newsletterOverdue, type NewsletterCadence } from "../../../src/rules/newsletter-cadence.ts";

describe("échéance de la lettre d'information périodique", () => {
  it.each<[NewsletterCadence, string | null, string, string | null]>([
    ["TRIMESTRIELLE", "2026-01-15", "2024-05-01", "2026-04-15"],
    ["MENSUELLE", "2026-01-31", "2024-05-01", "2026-02-28"],
    ["SEMESTRIELLE", "2025-09-10", "2024-05-01", "2026-03-10"],
    ["TRIMESTRIELLE", null, "2026-02-01", "2026-05-01"],
    ["MENSUELLE", null, "2025-12-31", "2026-01-31"],
    ["AUCUNE", "2026-01-15", "2024-05-01", null],
    ["AUCUNE", null, "2024-05-01", null],
  ])("cadence %s, dernier envoi %s, depuis %s : prochaine attendue le %s", (cadence, last, since, expected) => {
    expect(newsletterDueOn(cadence, last, since)).toBe(expected);
  });

  it("compte depuis le dernier envoi et non depuis la création quand une lettre est déjà partie", () => {
    expect(newsletterDueOn("TRIMESTRIELLE", "2026-03-01", "2020-01-01")).toBe("2026-06-01");
  });

  it.each<[string | null, string, boolean]>([
    ["2026-04-15", "2026-04-14", false],
    ["2026-04-15", "2026-04-15", false],
    ["2026-04-15", "2026-04-16", true],
    [null, "2030-01-01", false],
  ])("échéance %s, le %s : en retard = %s", (due, at, late) => {
    expect(newsletterOverdue(due, at)).toBe(late);
  });
});

describe("libellés des cadences (montrés dans l'admin)", () => {
  it("chaque cadence a son libellé français et son nombre de mois", () => {
    expect(NEWSLETTER_CADENCE_LABELS).toEqual({ MENSUELLE: "mensuelle", TRIMESTRIELLE: "trimestrielle", SEMESTRIELLE: "semestrielle", AUCUNE: "sans périodicité" });
    expect(NEWSLETTER_CADENCE_MONTHS).toEqual({ MENSUELLE: 1, TRIMESTRIELLE: 3, SEMESTRIELLE: 6, AUCUNE: 0 });
  });
});
