// Indemnity boundaries (DOMAIN §7; issue 16 part 5): PASS of the meeting's year and its 1 January
// switch, running totals of a batch in meeting-date order, caps named, negative durations, envelopes.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SETTINGS,
  chargeToEnvelope,
  computeIndemnities,
  computeIndemnity,
  formatDurationFr,
  indemnityEligibility,
  rateFor,
  ruleAt,
  type Attendance,
  type IndemnityRule,
} from "../../../src/rules/index.ts";

const hourly: IndemnityRule = { validFrom: "2023-01-01", unit: "heure", rates: [{ professionGroup: "*", cents: 10_000 }] };
const meeting = (over: Partial<Attendance>): Attendance => ({ personId: "p1", professionGroup: "medecin", meetingDate: "2025-06-10", durationMinutes: 60, ...over });
const ok = (r: ReturnType<typeof computeIndemnity>) => {
  if (!r.ok) throw new Error(r.message);
  return r;
};

describe("plafond légal (PASS) de l'année de la réunion", () => {
  it.each([
    ["2023-12-31", 4_399_200],
    ["2024-01-01", 4_636_800],
    ["2024-12-31", 4_636_800],
    ["2025-01-01", 4_710_000],
    ["2025-12-31", 4_710_000],
    ["2026-01-01", 4_806_000],
  ])("le %s, le PASS est de %i centimes : tout au-delà est retenu", (meetingDate, pass) => {
    // already paid the PASS less 1 €: only 1 € of the 100 € is paid
    const r = ok(computeIndemnity([hourly], meeting({ meetingDate }), { indemnitiesCents: pass - 100 }));
    expect(r.amountCents).toBe(100);
    expect(r.reductions).toEqual([{ reason: "plafond_legal", cents: 9_900, message: expect.stringContaining(`(PASS, `) }]);
    expect(r.reductions[0]!.message).toContain(`Plafond légal ${meetingDate.slice(0, 4)}`);
  });

  it("exactement au PASS : rien n'est retenu ; un centime de plus l'est", () => {
    expect(ok(computeIndemnity([hourly], meeting({}), { indemnitiesCents: 4_710_000 - 10_000 })).reductions).toEqual([]);
    const r = ok(computeIndemnity([hourly], meeting({}), { indemnitiesCents: 4_710_000 - 9_999 }));
    expect(r.amountCents).toBe(9_999);
    expect(r.reductions[0]!.message).toBe("Plafond légal 2025 (PASS, 47 100,00 €) atteint : 0,01 € non versés, 99,99 € versés.");
  });

  it("au-delà du PASS, 0 € et le plafond nommé", () => {
    const r = ok(computeIndemnity([hourly], meeting({}), { indemnitiesCents: 0, allPaymentsCents: 5_000_000 }));
    expect(r.amountCents).toBe(0);
    expect(r.reductions[0]).toMatchObject({ reason: "plafond_legal", cents: 10_000 });
    expect(r.explanation).toBe("1 h × 100,00 €/h = 100,00 € ; Plafond légal 2025 (PASS, 47 100,00 €) atteint : 100,00 € non versés, 0,00 € versés.");
  });

  it("une année sans PASS est refusée, sans reprendre celui d'une autre année", () => {
    const r = computeIndemnity([hourly], meeting({ meetingDate: "2027-01-01" }));
    expect(r).toEqual({ ok: false, message: expect.stringContaining("Le plafond légal (PASS) de 2027 n'est pas renseigné") });
    const noPass = { ...DEFAULT_SETTINGS, passCeilings: [{ from: "2025-03-01", cents: 4_710_000 }] };
    expect(computeIndemnity([hourly], meeting({ meetingDate: "2025-02-28" }), undefined, noPass).ok).toBe(false);
    expect(computeIndemnity([hourly], meeting({ meetingDate: "2025-03-01" }), undefined, noPass).ok).toBe(true);
  });
});

describe("un lot de réunions", () => {
  const capped: IndemnityRule = { ...hourly, capPerPersonPerYearCents: 25_000 };

  it("suit l'ordre des réunions, pas celui de la saisie, et cumule par personne et par année", () => {
    const lines = computeIndemnities(
      [capped],
      [
        meeting({ meetingDate: "2025-06-12", durationMinutes: 120 }), // 200 €
        meeting({ meetingDate: "2025-06-10", durationMinutes: 120 }), // 200 €, first
        meeting({ personId: "p2", meetingDate: "2025-06-11", durationMinutes: 120 }),
        meeting({ meetingDate: "2026-01-05", durationMinutes: 120 }), // new year, new cap
      ],
    );
    expect(lines.map((l) => [l.attendance.personId, l.attendance.meetingDate, l.result.ok && l.result.amountCents])).toEqual([
      ["p1", "2025-06-10", 20_000],
      ["p2", "2025-06-11", 20_000],
      ["p1", "2025-06-12", 5_000],
      ["p1", "2026-01-05", 20_000],
    ]);
    const third = lines[2]!.result;
    expect(third.ok && third.reductions[0]!.message).toBe("Plafond annuel par personne de la CPTS (250,00 €) atteint : 150,00 € non versés, 50,00 € versés.");
  });

  it("le PASS cumule sur le lot, en partant de ce que la personne a déjà reçu dans l'année", () => {
    const lines = computeIndemnities(
      [hourly],
      [meeting({ meetingDate: "2025-06-10" }), meeting({ meetingDate: "2025-06-11" }), meeting({ meetingDate: "2026-01-02" })],
      { p1: { 2025: { indemnitiesCents: 0, allPaymentsCents: 4_710_000 - 15_000 } } },
    );
    expect(lines.map((l) => l.result.ok && l.result.amountCents)).toEqual([10_000, 5_000, 10_000]);
    expect(lines.map((l) => l.result.ok && l.result.reductions.map((r) => r.reason))).toEqual([[], ["plafond_legal"], []]);
  });

  it("le plafond CPTS part des indemnités déjà reçues ; le PASS par défaut aussi", () => {
    const lines = computeIndemnities([capped], [meeting({})], { p1: { 2025: { indemnitiesCents: 24_000 } } });
    expect(lines[0]!.result.ok && lines[0]!.result.amountCents).toBe(1_000);
    const nearPass = computeIndemnities([hourly], [meeting({})], { p1: { 2025: { indemnitiesCents: 4_710_000 - 3_000 } } });
    expect(nearPass[0]!.result.ok && nearPass[0]!.result.amountCents).toBe(3_000);
  });

  it("une ligne refusée (durée négative) n'entre pas dans le cumul", () => {
    const lines = computeIndemnities([capped], [meeting({ durationMinutes: -60 }), meeting({ meetingDate: "2025-06-11", durationMinutes: 150 })]);
    expect(lines[0]!.result).toEqual({ ok: false, message: "La durée de présence doit être un nombre entier de minutes, positif ou nul." });
    expect(lines[1]!.result.ok && lines[1]!.result.amountCents).toBe(25_000);
  });

  it.each([[-1], [1.5], [Number.NaN]])("refuse une durée de %f minutes", (durationMinutes) => {
    expect(computeIndemnity([hourly], meeting({ durationMinutes })).ok).toBe(false);
  });

  it("sans rien de reçu auparavant, le plafond CPTS est disponible en entier", () => {
    const r = ok(computeIndemnity([{ ...hourly, capPerPersonPerYearCents: 10_000 }], meeting({})));
    expect([r.amountCents, r.reductions]).toEqual([10_000, []]);
  });

  it("0 minute : 0 €, accepté", () => {
    expect(ok(computeIndemnity([hourly], meeting({ durationMinutes: 0 }))).amountCents).toBe(0);
  });
});

describe("unités, taux et règles en vigueur", () => {
  it.each([
    [1, 1],
    [240, 1],
    [241, 2],
    [480, 2],
    [481, 3],
  ])("demi-journées : %i minutes comptent %i demi-journée(s)", (durationMinutes, halfDays) => {
    const rule: IndemnityRule = { validFrom: "2023-01-01", unit: "demi_journee", rates: [{ professionGroup: "*", cents: 20_000 }] };
    const r = ok(computeIndemnity([rule], meeting({ durationMinutes })));
    expect([r.quantity, r.amountCents]).toEqual([halfDays, 20_000 * halfDays]);
    expect(r.explanation).toBe(`${halfDays} demi-journée${halfDays > 1 ? "s" : ""} × 200,00 €/demi-journée = ${halfDays * 200},00 €`);
  });

  it("forfait : une fois, quelle que soit la durée", () => {
    const rule: IndemnityRule = { validFrom: "2023-01-01", unit: "forfait", rates: [{ professionGroup: "*", cents: 15_000 }] };
    const r = ok(computeIndemnity([rule], meeting({ durationMinutes: 600 })));
    expect([r.quantity, r.amountCents, r.explanation]).toEqual([1, 15_000, "forfait × 150,00 € = 150,00 €"]);
  });

  it.each([
    [0, "0 min"],
    [45, "45 min"],
    [60, "1 h"],
    [90, "1 h 30"],
    [125, "2 h 05"],
    [600, "10 h"],
  ])("durée %i → « %s »", (m, text) => expect(formatDurationFr(m)).toBe(text));

  it("la règle en vigueur le jour de la réunion, même saisie dans le désordre", () => {
    const a: IndemnityRule = { validFrom: "2025-01-01", unit: "heure", rates: [] };
    const b: IndemnityRule = { validFrom: "2025-07-01", unit: "forfait", rates: [] };
    expect(ruleAt([b, a], "2025-06-30")).toBe(a);
    expect(ruleAt([b, a], "2025-07-01")).toBe(b);
    expect(ruleAt([a, b], "2025-07-01")).toBe(b);
    expect(ruleAt([b, a], "2024-12-31")).toBeNull();
    expect(computeIndemnity([a], meeting({ meetingDate: "2024-12-31" }))).toEqual({
      ok: false,
      message: "Aucune règle d'indemnisation n'est en vigueur le 31/12/2024 : ajoutez-la au règlement intérieur.",
    });
  });

  it("le taux le plus précis : groupe et rôle, puis rôle, puis groupe, puis générique", () => {
    const rule: IndemnityRule = {
      validFrom: "2023-01-01",
      unit: "heure",
      rates: [
        { professionGroup: "*", cents: 1 },
        { professionGroup: "medecin", cents: 2 },
        { professionGroup: "*", role: "animateur", cents: 3 },
        { professionGroup: "medecin", role: "animateur", cents: 4 },
      ],
    };
    expect(rateFor(rule, "medecin", "animateur")?.cents).toBe(4);
    expect(rateFor(rule, "autre", "animateur")?.cents).toBe(3);
    expect(rateFor(rule, "medecin", "secretaire")?.cents).toBe(2);
    expect(rateFor(rule, "medecin")?.cents).toBe(2);
    expect(rateFor(rule, "autre")?.cents).toBe(1);
    expect(rateFor({ ...rule, rates: [{ professionGroup: "medecin", role: "animateur", cents: 4 }] }, "medecin")).toBeNull();
    expect(computeIndemnity([{ ...rule, rates: [] }], meeting({ role: "animateur" }))).toEqual({
      ok: false,
      message: "Aucun taux n'est prévu pour le groupe « medecin » (rôle « animateur ») : complétez les taux du règlement intérieur.",
    });
    expect(computeIndemnity([{ ...rule, rates: [] }], meeting({}))).toEqual({
      ok: false,
      message: "Aucun taux n'est prévu pour le groupe « medecin » : complétez les taux du règlement intérieur.",
    });
  });
});

describe("qui est indemnisé", () => {
  const settings = { partnersEligible: false, unpaidDuesExcluded: true };
  const pro = { personKind: "physique" as const, staff: false, partner: false, dues: { upToDate: true, label: "à jour" } };
  it.each([
    ["un professionnel à jour", pro, settings, null],
    ["une personne morale", { ...pro, personKind: "morale" as const }, settings, "personne_morale"],
    ["un salarié", { ...pro, staff: true }, settings, "salarie"],
    ["un partenaire", { ...pro, partner: true }, settings, "partenaire"],
    ["un partenaire si le règlement le permet", { ...pro, partner: true }, { ...settings, partnersEligible: true }, null],
    ["un adhérent en retard", { ...pro, dues: { upToDate: false, label: "partiel" } }, settings, "cotisation"],
    ["un adhérent en retard si le règlement l'accepte", { ...pro, dues: { upToDate: false, label: "partiel" } }, { ...settings, unpaidDuesExcluded: false }, null],
    ["un non-adhérent sans cotisation due", { ...pro, dues: null }, settings, null],
  ])("%s", (_, p, s, reason) => {
    const r = indemnityEligibility(p, s, 2025);
    if (reason === null) expect(r).toEqual({ eligible: true });
    else expect(r).toMatchObject({ eligible: false, reason });
  });

  it("dit pourquoi une cotisation exclut", () => {
    const r = indemnityEligibility({ ...pro, dues: { upToDate: false, label: "partiel" } }, settings, 2025);
    expect(r.eligible === false && r.message).toMatch(/^Cotisation 2025 non à jour \(partiel\) : /);
  });
});

describe("enveloppes", () => {
  it("refuse au-delà du reste, dit de combien, accepte pile le reste", () => {
    const env = { key: "prevention" as const, allocatedCents: 10_000, carriedOverCents: 500, expenses: [{ amountCents: 4_000 }] };
    expect(chargeToEnvelope(env, 6_500)).toEqual({ ok: true, forced: false, remainingCents: 0, overrunCents: 0 });
    const r = chargeToEnvelope(env, 6_501);
    expect(r).toMatchObject({ ok: false, remainingCents: 6_500, overrunCents: 1 });
    expect(!r.ok && r.message).toBe(
      "L'enveloppe « prevention » n'a plus que 65,00 € : la dépense de 65,01 € la dépasserait de 0,01 €. Imputez-la sur une autre mission ou forcez l'imputation (elle sera enregistrée comme forcée).",
    );
    expect(chargeToEnvelope(env, 6_501, { force: true })).toEqual({ ok: true, forced: true, remainingCents: -1, overrunCents: 1 });
    const overdrawn = { allocatedCents: 100, expenses: [{ amountCents: 300 }] };
    expect(chargeToEnvelope(overdrawn, 1)).toMatchObject({ ok: false, message: expect.stringMatching(/^L'enveloppe n'a plus que 0,00 € : .* de 2,01 €/) });
  });
});
