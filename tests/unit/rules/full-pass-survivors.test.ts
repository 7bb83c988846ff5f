// Rules left unpinned by the full Stryker pass over src/rules (2026-12-02): each test names the rule it
// checks. DEFAULT_SETTINGS is data built when settings.ts loads, so the tests of its defaults import a
// fresh copy of the module (a mutant of that data is then evaluated, see aci-tables.test.ts).
import { describe, expect, it, vi } from "vitest";
import {
  checkPaymentDate,
  computeIndemnities,
  computeIndemnity,
  hasPaidYear,
  indemnityEligibility,
  isExempt,
  memberDuesBalance,
  passCeilingAt,
  rateFor,
  remindersDue,
  resolveSettings,
  latestDeployDate,
  latestStartDate,
  type Attendance,
  type DatedCeiling,
  type DuesPayment,
  type IndemnityParticipant,
  type IndemnityRate,
  type IndemnityRule,
  type RulesSettingsOverrides,
} from "../../../src/rules/index.ts";
import { owesDues } from "../../../src/rules/membership.ts";

async function freshSettings() {
  vi.resetModules();
  return import("../../../src/rules/settings.ts");
}

async function freshFunding() {
  vi.resetModules();
  return import("../../../src/rules/funding.ts");
}

describe("PASS : deux valeurs la même année", () => {
  const jan = { from: "2026-01-01", cents: 4_806_000 };
  const jul = { from: "2026-07-01", cents: 4_900_000 };
  it.each<[string, DatedCeiling[], string, number]>([
    ["révision de juillet donnée avant celle de janvier, réunion en septembre", [jul, jan], "2026-09-01", 4_900_000],
    ["révision de juillet donnée après celle de janvier, réunion en septembre", [jan, jul], "2026-09-01", 4_900_000],
    ["révision de juillet donnée avant celle de janvier, réunion le 1er juillet", [jul, jan], "2026-07-01", 4_900_000],
    ["révision de juillet donnée avant celle de janvier, réunion en mars", [jul, jan], "2026-03-01", 4_806_000],
  ])("%s : le plafond en vigueur ce jour-là", (_, passCeilings, date, cents) => {
    expect(passCeilingAt(date, resolveSettings({ passCeilings }))).toBe(cents);
  });
});

describe("indemnisation : réglages par défaut (règlement intérieur) et leur changement", () => {
  const professional: IndemnityParticipant = { personKind: "physique", staff: false, partner: false, dues: { upToDate: true, label: "à jour" } };
  const partner: IndemnityParticipant = { ...professional, partner: true, dues: null };
  const unpaid: IndemnityParticipant = { ...professional, dues: { upToDate: false, label: "jamais payé" } };

  it.each<[string, IndemnityParticipant, RulesSettingsOverrides["indemnityEligibility"], string | null]>([
    ["un partenaire n'est pas indemnisé par défaut", partner, undefined, "partenaire"],
    ["un adhérent dont la cotisation n'est pas à jour est exclu par défaut", unpaid, undefined, "cotisation"],
    ["un professionnel à jour est indemnisé par défaut", professional, undefined, null],
    ["une CPTS qui indemnise les partenaires les indemnise", partner, { partnersEligible: true }, null],
    ["une CPTS qui indemnise les partenaires exclut toujours les cotisations impayées", unpaid, { partnersEligible: true }, "cotisation"],
    ["une CPTS qui n'exclut pas les cotisations impayées indemnise l'adhérent non à jour", unpaid, { unpaidDuesExcluded: false }, null],
    ["une CPTS qui n'exclut pas les cotisations impayées n'indemnise toujours pas les partenaires", partner, { unpaidDuesExcluded: false }, "partenaire"],
  ])("%s", async (_, participant, override, reason) => {
    const { DEFAULT_SETTINGS, resolveSettings: resolveFresh } = await freshSettings();
    const settings = override === undefined ? DEFAULT_SETTINGS : resolveFresh({ indemnityEligibility: override });
    const r = indemnityEligibility(participant, settings.indemnityEligibility, 2026);
    if (reason === null) expect(r).toEqual({ eligible: true });
    else expect(r).toMatchObject({ eligible: false, reason });
  });
});

describe("délais des missions : réglages par défaut et réglages nuls d'une CPTS", () => {
  it("la mission accompagnement n'a par défaut ni délai de démarrage ni délai de déploiement (dates du contrat)", async () => {
    const f = await freshFunding();
    expect(f.latestStartDate("2026-03-15", "accompagnement")).toBe("2026-03-15");
    expect(f.latestDeployDate("2026-03-15", "accompagnement")).toBeNull();
  });

  it.each<[string, RulesSettingsOverrides, "acces_soins" | "qualite", string, string | null]>([
    ["démarrage « date du contrat » (null) pour l'accès aux soins : plus de délai de 6 mois", { missionDelays: { acces_soins: { startMonths: null } } }, "acces_soins", "2026-03-15", "2027-09-15"],
    ["démarrage null redit pour la qualité, déjà sans délai", { missionDelays: { qualite: { startMonths: null } } }, "qualite", "2026-03-15", null],
    ["démarrage et déploiement null redits pour la qualité", { missionDelays: { qualite: { startMonths: null, deployMonths: null } } }, "qualite", "2026-03-15", null],
  ])("%s", (_, overrides, mission, start, deploy) => {
    const settings = resolveSettings(overrides);
    expect(latestStartDate("2026-03-15", mission, settings)).toBe(start);
    expect(latestDeployDate("2026-03-15", mission, settings)).toBe(deploy);
  });

  it("un réglage enregistré que cette version ne connaît plus n'empêche pas de lire les autres", () => {
    const stored = { ancienReglage: { delaiJours: 10 }, majoration: { minMembers: 80 } } as unknown as RulesSettingsOverrides;
    const settings = resolveSettings(stored);
    expect(settings.majoration).toEqual({ enabled: true, ratePercent: 10, size: 4, minMembers: 80 });
    expect(settings.contractYears).toBe(5);
  });
});

describe("indemnités : choix du taux, prior par défaut, lots", () => {
  const rule = (rates: IndemnityRate[], cap?: number): IndemnityRule => ({ validFrom: "2023-01-01", unit: "heure", rates, ...(cap === undefined ? {} : { capPerPersonPerYearCents: cap }) });

  it.each<[string, IndemnityRate[], "medecin" | "autre", string | undefined, number | null]>([
    ["le taux « bureau » des médecins ne s'applique pas aux autres professions", [{ professionGroup: "medecin", role: "bureau", cents: 12_000 }, { professionGroup: "*", cents: 5_000 }], "autre", "bureau", 5_000],
    ["le taux « bureau » des médecins s'applique à un médecin du bureau", [{ professionGroup: "medecin", role: "bureau", cents: 12_000 }, { professionGroup: "*", cents: 5_000 }], "medecin", "bureau", 12_000],
    ["le taux d'un rôle ne s'applique pas à qui n'a pas de rôle", [{ professionGroup: "*", role: "bureau", cents: 12_000 }, { professionGroup: "*", cents: 5_000 }], "autre", undefined, 5_000],
    ["le taux d'un rôle ne s'applique pas à un autre rôle", [{ professionGroup: "*", role: "bureau", cents: 12_000 }, { professionGroup: "*", cents: 5_000 }], "autre", "ca", 5_000],
    ["sans taux général, qui n'a pas le rôle n'a pas de taux", [{ professionGroup: "*", role: "bureau", cents: 12_000 }], "medecin", undefined, null],
  ])("%s", (_, rates, group, role, cents) => {
    expect(rateFor(rule(rates), group, role)?.cents ?? null).toBe(cents);
  });

  const attendance = (over: Partial<Attendance>): Attendance => ({ personId: "p1", professionGroup: "medecin", meetingDate: "2026-05-12", durationMinutes: 180, ...over });

  it.each<[string, IndemnityRule, number, "plafond_cpts" | "plafond_legal"]>([
    ["le plafond de la CPTS s'applique sans totaux antérieurs donnés (rien reçu)", rule([{ professionGroup: "*", cents: 5_000 }], 10_000), 10_000, "plafond_cpts"],
    ["le PASS s'applique sans totaux antérieurs donnés (rien reçu)", { validFrom: "2023-01-01", unit: "forfait", rates: [{ professionGroup: "*", cents: 5_000_000 }] }, 4_806_000, "plafond_legal"],
  ])("%s", (_, r, amount, reason) => {
    const result = computeIndemnity([r], attendance({}));
    expect(result).toMatchObject({ ok: true, amountCents: amount, reductions: [{ reason }] });
  });

  it.each<[string, Partial<Attendance>]>([
    ["une durée négative", { durationMinutes: -30 }],
    ["une durée non entière", { durationMinutes: 90.5 }],
    ["un groupe sans taux", { professionGroup: "autre" }],
  ])("une présence refusée (%s) ne compte pas dans les totaux du lot : le plafond s'applique ensuite", (_, refused) => {
    const medecinsOnly = rule([{ professionGroup: "medecin", cents: 5_000 }], 10_000);
    const lines = computeIndemnities(
      [medecinsOnly],
      [attendance({ meetingDate: "2026-06-01", durationMinutes: 120 }), attendance({ meetingDate: "2026-03-01", ...refused })],
      { p1: { 2026: { indemnitiesCents: 8_000 } } },
    );
    expect(lines.map((l) => l.result.ok)).toEqual([false, true]);
    expect(lines[1]!.result).toMatchObject({ ok: true, baseCents: 10_000, amountCents: 2_000, reductions: [{ reason: "plafond_cpts", cents: 8_000 }] });
  });
});

describe("cotisations : paiements, statuts, relances", () => {
  const pay = (over: Partial<DuesPayment>): DuesPayment => ({ memberId: "m1", date: "2026-02-10", amountCents: 5_000, ...over });

  it.each<[string, DuesPayment[], boolean]>([
    ["aucun paiement", [], false],
    ["son paiement de l'année", [pay({})], true],
    ["son paiement parmi ceux d'autres adhérents", [pay({ memberId: "m2" }), pay({}), pay({ memberId: "m3" })], true],
    ["son paiement et un de l'année précédente", [pay({ date: "2025-02-10" }), pay({})], true],
    ["seulement le paiement d'un autre adhérent", [pay({ memberId: "m2" })], false],
  ])("a payé 2026 : %s", (_, payments, paid) => {
    expect(hasPaidYear("m1", 2026, payments, "2026-06-01")).toBe(paid);
  });

  it.each<[string, unknown]>([
    ["un caractère avant la date", "x2026-01-15"],
    ["un mot avant la date", "le 2026-01-15"],
    ["une liste d'une date (champ envoyé en liste)", ["2026-01-15"]],
    ["un nombre", 20260115],
    ["rien", null],
  ])("date de paiement refusée pour son format : %s", (_, date) => {
    expect(checkPaymentDate(date, "2026-06-01")).toBe("La date de paiement doit être au format AAAA-MM-JJ.");
  });

  it.each<[string, DuesPayment[], string]>([
    ["cotisation de 0 € sans paiement : exonéré", [], "exonere"],
    ["cotisation de 0 € avec un paiement : exonéré", [pay({})], "exonere"],
  ])("%s", (_, payments, status) => {
    expect(memberDuesBalance({ id: "m1", dueCents: 0 }, payments, "2026-06-01")).toMatchObject({ status, balanceCents: 0 });
  });

  it.each<[string, DuesPayment[], string]>([
    ["seul un paiement d'avance pour l'année suivante : jamais payé (pas « en retard »)", [pay({ date: "2026-12-15", duesYear: 2027 })], "jamais_paye"],
    ["un paiement de l'année précédente : en retard", [pay({ date: "2025-03-01" })], "en_retard"],
  ])("%s", (_, payments, status) => {
    expect(memberDuesBalance({ id: "m1", dueCents: 5_000 }, payments, "2026-12-20").status).toBe(status);
  });

  it.each<[string, { offsetsDays: number[]; maxCount?: number }]>([
    ["une seule relance prévue", { offsetsDays: [15] }],
    ["au plus une relance sur trois étapes", { offsetsDays: [15, 45, 90], maxCount: 1 }],
  ])("%s : l'adhérent jamais relancé reçoit la première", (_, policy) => {
    expect(remindersDue(policy, [{ id: "m1", dueCents: 5_000 }], [], [], "2026-02-01")).toEqual([{ memberId: "m1", year: 2026, step: 1 }]);
  });

  it.each(["PROFESSIONNEL", "STRUCTURE", "PARTENAIRE"])("sans liste de catégories exonérées, la catégorie %s n'est pas exonérée", (category) => {
    expect(isExempt({ id: "m1", category })).toBe(false);
    expect(owesDues(["ADHERENT"], category, false)).toBe(true);
  });
});
