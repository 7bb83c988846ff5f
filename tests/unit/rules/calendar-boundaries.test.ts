// Boundaries of the payment calendar that mutation testing showed untested (calendar.ts: the last day
// of a contract year, the fonctionnement branch).
import { describe, expect, it } from "vitest";
import { paymentCalendar, paymentKey, type FundingInput } from "../../../src/rules/index.ts";

const byKey = (input: FundingInput) => Object.fromEntries(paymentCalendar(input).map((p) => [paymentKey(p), p]));

describe("calendrier : début et fin d'une année de contrat", () => {
  // Crisis plan written in year 1; the crisis mission starts on the first anniversary (first day of year
  // 2) or on its eve (last day of year 1): the first-plan amount belongs to the year the mission starts,
  // and its advance is paid on the start date.
  const base: FundingInput = {
    signatureDate: "2024-03-15",
    size: 1,
    missions: [{ id: "crise", startDate: "2025-03-15" }],
    crisisPlan: { firstVersionDate: "2024-10-01" },
  };

  it("une mission qui démarre le jour anniversaire démarre l'année suivante (rien l'année qui se termine la veille)", () => {
    const p = byKey(base);
    expect(p["crise:avance:1"]).toBeUndefined();
    expect(p["crise:solde:1"]).toBeUndefined();
    expect(p["crise:avance:2"]).toMatchObject({ date: "2025-03-15", montant_cents: 1_875_000 });
    expect(p["crise:solde:2"]).toMatchObject({ date: "2026-05-15", montant_cents: 625_000 });
    expect(p["crise:avance:3"]).toMatchObject({ date: "2026-05-15", montant_cents: 937_500 });
  });

  it("une mission qui démarre la veille de l'anniversaire démarre bien cette année-là", () => {
    const p = byKey({ ...base, missions: [{ id: "crise", startDate: "2025-03-14" }] });
    expect(p["crise:avance:1"]).toMatchObject({ date: "2025-03-14", montant_cents: 1_875_000 });
    expect(p["crise:solde:1"]).toMatchObject({ date: "2025-05-15", montant_cents: 625_000 });
    expect(p["crise:avance:2"]).toMatchObject({ date: "2025-05-15", montant_cents: 937_500 });
  });

  it("le fonctionnement est versé en entier à la signature la première année, puis 75 % / 25 %", () => {
    const p = byKey({ signatureDate: "2024-03-15", size: 1 });
    expect(p["fonctionnement:integral:1"]).toMatchObject({ date: "2024-03-15", montant_cents: 5_000_000 });
    expect(p["fonctionnement:avance:1"]).toBeUndefined();
    expect(p["fonctionnement:avance:2"]).toMatchObject({ date: "2025-05-15", montant_cents: 3_750_000 });
    expect(p["fonctionnement:solde:2"]).toMatchObject({ date: "2026-05-15", montant_cents: 1_250_000 });
  });
});
