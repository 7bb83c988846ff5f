import { describe, expect, it } from "vitest";
import { carryOver, chargeToEnvelope, computeIndemnities, computeIndemnity, envelopeBalance, ruleAt, type Attendance, type IndemnityRule } from "../../../src/rules/index.ts";

const hourly: IndemnityRule = {
  validFrom: "2024-01-01",
  unit: "heure",
  rates: [
    { professionGroup: "medecin", cents: 5_000 },
    { professionGroup: "autre", cents: 3_000 },
    { professionGroup: "*", role: "animateur", cents: 6_000 },
  ],
  capPerPersonPerYearCents: 100_000,
};
const halfDay: IndemnityRule = { validFrom: "2025-01-01", unit: "demi_journee", rates: [{ professionGroup: "*", cents: 20_000 }] };
const flat: IndemnityRule = { validFrom: "2026-01-01", unit: "forfait", rates: [{ professionGroup: "*", cents: 15_000 }] };
const rules = [halfDay, hourly, flat];

const attend = (over: Partial<Attendance>): Attendance => ({ personId: "p1", professionGroup: "medecin", meetingDate: "2024-05-10", durationMinutes: 90, ...over });
const amount = (a: Attendance, prior = 0, all?: number) => {
  const r = computeIndemnity(rules, a, { indemnitiesCents: prior, allPaymentsCents: all });
  if (!r.ok) throw new Error(r.message);
  return r;
};

describe("indemnités", () => {
  it.each([
    ["un médecin 1 h 30 au taux horaire", attend({}), 7_500],
    ["un autre professionnel 95 min, au prorata de la minute", attend({ professionGroup: "autre", durationMinutes: 95 }), 4_750],
    ["une minute arrondie au centime", attend({ durationMinutes: 1 }), 83],
    ["le taux d'un rôle avant celui du groupe générique", attend({ professionGroup: "autre", role: "animateur", durationMinutes: 60 }), 6_000],
    ["une demi-journée commencée comptée entière (241 min = 2)", attend({ meetingDate: "2025-03-01", durationMinutes: 241 }), 40_000],
    ["exactement 4 h = une demi-journée", attend({ meetingDate: "2025-03-01", durationMinutes: 240 }), 20_000],
    ["un forfait quelle que soit la durée", attend({ meetingDate: "2026-03-01", durationMinutes: 10 }), 15_000],
  ])("calcule %s", (_, attendance, cents) => {
    expect(amount(attendance).amountCents).toBe(cents);
  });

  it("applique la règle en vigueur à la date de la réunion", () => {
    expect(ruleAt(rules, "2024-12-31")?.unit).toBe("heure");
    expect(ruleAt(rules, "2025-01-01")?.unit).toBe("demi_journee");
    expect(computeIndemnity(rules, attend({ meetingDate: "2023-12-31" })).ok).toBe(false);
  });

  it("écrête au plafond annuel par personne de la CPTS et l'explique", () => {
    const r = amount(attend({}), 95_000);
    expect(r.amountCents).toBe(5_000);
    expect(r.reductions).toEqual([expect.objectContaining({ reason: "plafond_cpts", cents: 2_500 })]);
    expect(r.explanation).toContain("Plafond annuel par personne de la CPTS (1 000,00 €)");
    expect(amount(attend({}), 100_000).amountCents).toBe(0);
  });

  it("écrête au plafond légal (PASS de l'année) en comptant tout ce que la CPTS a versé", () => {
    const r = amount(attend({ meetingDate: "2025-03-01", durationMinutes: 480 }), 0, 4_700_000);
    expect(r.baseCents).toBe(40_000);
    expect(r.amountCents).toBe(10_000);
    expect(r.reductions[0]).toMatchObject({ reason: "plafond_legal", cents: 30_000 });
    expect(r.explanation).toContain("47 100,00 €");
  });

  it("utilise le PASS 2023 pour une réunion de 2023", () => {
    const r = computeIndemnity([{ ...flat, validFrom: "2023-01-01" }], attend({ meetingDate: "2023-06-01" }), { indemnitiesCents: 0, allPaymentsCents: 4_399_000 });
    expect(r.ok && r.amountCents).toBe(200);
  });

  it("refuse sans taux pour le groupe et le dit en français", () => {
    const r = computeIndemnity([{ validFrom: "2024-01-01", unit: "heure", rates: [{ professionGroup: "medecin", cents: 1 }] }], attend({ professionGroup: "autre" }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/Aucun taux/);
  });

  it("cumule les réunions d'une même année pour le plafond, et repart à zéro l'année suivante", () => {
    const meetings = [1, 2, 3].map((m) => attend({ meetingDate: `2024-0${m}-15`, durationMinutes: 600 }));
    const lines = computeIndemnities(rules, [...meetings, attend({ meetingDate: "2024-12-31", durationMinutes: 60 })]);
    expect(lines.map((l) => l.result.ok && l.result.amountCents)).toEqual([50_000, 50_000, 0, 0]);
    const nextYear = computeIndemnities([hourly], [attend({ meetingDate: "2025-01-02", durationMinutes: 60 })], { p1: { 2024: { indemnitiesCents: 100_000 } } });
    expect(nextYear[0]!.result.ok && nextYear[0]!.result.amountCents).toBe(5_000);
  });
});

describe("enveloppes par mission", () => {
  const envelope = { key: "parcours" as const, label: "Parcours pluriprofessionnels", allocatedCents: 100_000, carriedOverCents: 20_000, expenses: [{ amountCents: 90_000 }] };

  it("calcule le reste avec le report de l'année précédente", () => {
    expect(envelopeBalance(envelope)).toEqual({ availableCents: 120_000, spentCents: 90_000, remainingCents: 30_000 });
    expect(carryOver(envelope)).toBe(30_000);
  });

  it("accepte une dépense qui tient dans l'enveloppe", () => {
    expect(chargeToEnvelope(envelope, 30_000)).toMatchObject({ ok: true, forced: false, remainingCents: 0 });
  });

  it("refuse une dépense qui dépasse l'enveloppe avec un message clair", () => {
    const r = chargeToEnvelope(envelope, 30_001);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toContain("Parcours pluriprofessionnels n'a plus que 300,00 €");
    expect(r.overrunCents).toBe(1);
  });

  it("accepte un dépassement forcé en le signalant", () => {
    expect(chargeToEnvelope(envelope, 50_000, { force: true })).toMatchObject({ ok: true, forced: true, remainingCents: -20_000, overrunCents: 20_000 });
    expect(carryOver({ ...envelope, expenses: [{ amountCents: 150_000, forced: true }] })).toBe(0);
  });
});
