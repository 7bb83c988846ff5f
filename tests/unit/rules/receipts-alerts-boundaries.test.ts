// Boundaries of receipts matching, the 153 000 € / 23 000 € thresholds, deadline-alert slots and the
// newsletter cadence (issue 16 part 5).
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SETTINGS,
  MATCH_LEAD_DAYS,
  PAYMENT_STATUS_LABELS,
  latePayments,
  matchReceipts,
  publicFundingAlerts,
  publicFundingOfYear,
  summarize,
  upcomingPayments,
  type ExpectedPayment,
} from "../../../src/rules/index.ts";
import { alertsDue, latestAlertSlot } from "../../../src/rules/deadline-alerts.ts";
import { NEWSLETTER_CADENCE_LABELS, newsletterDueOn, newsletterOverdue } from "../../../src/rules/newsletter-cadence.ts";
import type { Deadline } from "../../../src/rules/index.ts";

const line = (date: string, montant_cents: number, nature: ExpectedPayment["nature"], mission: ExpectedPayment["mission"], annee = 1): ExpectedPayment => ({
  date,
  montant_cents,
  nature,
  mission,
  annee,
  label: `${mission} ${nature} ${annee}`,
});

const calendar: ExpectedPayment[] = [
  line("2025-03-01", 1_000, "integral", "fonctionnement"),
  line("2025-04-01", 600, "avance", "acces_soins"),
  line("2025-06-01", 200, "solde", "acces_soins"),
  line("2025-06-01", 300, "variable", "acces_soins"),
];

describe("rapprochement des versements reçus", () => {
  it("un reçu sans ligne paie les lignes fixes dues jusqu'à 31 jours après sa date, pas au-delà", () => {
    expect(MATCH_LEAD_DAYS).toBe(31);
    // 2025-03-01 + 31 days = 2025-04-01: the avance is within reach
    const within = matchReceipts(calendar, [{ date: "2025-03-01", cents: 1_600 }], "2025-03-02");
    expect(within.payments.map((p) => [p.nature, p.recu_cents])).toEqual([
      ["integral", 1_000],
      ["avance", 600],
      ["solde", 0],
      ["variable", 0],
    ]);
    expect(within.non_rapproche_cents).toBe(0);
    // one day earlier, the avance is 32 days ahead: the rest is not matched
    const before = matchReceipts(calendar, [{ date: "2025-02-28", cents: 1_600 }], "2025-03-02");
    expect(before.payments.map((p) => p.recu_cents)).toEqual([1_000, 0, 0, 0]);
    expect(before.non_rapproche_cents).toBe(600);
  });

  it("les parts fixes d'abord, puis les parts variables, dans l'ordre du calendrier", () => {
    const m = matchReceipts(calendar, [{ date: "2025-06-01", cents: 1_900 }], "2025-06-02");
    expect(m.payments.map((p) => [p.nature, p.recu_cents, p.reste_cents, p.status])).toEqual([
      ["integral", 1_000, 0, "recu"],
      ["avance", 600, 0, "recu"],
      ["solde", 200, 0, "recu"],
      ["variable", 100, 200, "potentiel"],
    ]);
    expect(m.payments[0]!.recu_le).toEqual(["2025-06-01"]);
  });

  it("les reçus sont pris dans l'ordre de leur date ; une même date n'est notée qu'une fois", () => {
    const m = matchReceipts(
      calendar,
      [
        { date: "2025-04-01", cents: 500 },
        { date: "2025-03-01", cents: 700 },
        { date: "2025-04-01", cents: 100 },
      ],
      "2025-04-01",
    );
    expect(m.payments[0]).toMatchObject({ recu_cents: 1_000, recu_le: ["2025-03-01", "2025-04-01"], status: "recu" });
    expect(m.payments[1]).toMatchObject({ recu_cents: 300, reste_cents: 300, status: "partiel" });
    expect(m.payments[1]!.recu_le).toEqual(["2025-04-01"]);
  });

  it("un reçu qui nomme ses lignes ne paie qu'elles, même une part variable ; un nom inconnu ne paie rien", () => {
    const named = matchReceipts(calendar, [{ date: "2025-01-10", cents: 400, lines: ["acces_soins:variable:1", "inconnu:avance:9"] }], "2025-01-11");
    expect(named.payments.map((p) => p.recu_cents)).toEqual([0, 0, 0, 300]);
    expect(named.payments[3]!.status).toBe("recu");
    expect(named.non_rapproche_cents).toBe(100);
    const unknownOnly = matchReceipts(calendar, [{ date: "2025-03-01", cents: 400, lines: ["inconnu:avance:9"] }], "2025-03-02");
    expect(unknownOnly.payments[0]!.recu_cents).toBe(400); // no known line named: paid like an unnamed receipt
  });

  it.each([
    ["2025-03-31", "partiel"], // due 2025-04-01, still ahead
    ["2025-04-01", "partiel"], // due today: not late yet
    ["2025-04-02", "en_retard"],
  ])("un versement en partie reçu, vu le %s : %s", (today, status) => {
    const m = matchReceipts(calendar, [{ date: "2025-03-01", cents: 1_100 }], today);
    expect(m.payments[1]!.status).toBe(status);
  });

  it("résumé : reçu, attendu, en retard, potentiel ; prochains et retards avec le total coupé", () => {
    const m = matchReceipts(calendar, [{ date: "2025-03-01", cents: 1_100 }], "2025-04-02");
    expect(summarize(m.payments)).toEqual({ recu_cents: 1_100, attendu_cents: 200, en_retard_cents: 500, potentiel_cents: 300 });
    expect(upcomingPayments(m.payments, "2025-06-01", 5)).toMatchObject({ total: 1, shown: [{ nature: "solde" }] });
    expect(upcomingPayments(m.payments, "2025-06-02", 5).total).toBe(0);
    expect(upcomingPayments(m.payments, "2025-01-01", 0)).toEqual({ shown: [], total: 2 });
    expect(latePayments(m.payments, 0)).toEqual({ shown: [], total: 1 });
    expect(latePayments(m.payments, 1).shown.map((p) => p.nature)).toEqual(["avance"]);
    expect(PAYMENT_STATUS_LABELS).toEqual({ recu: "reçu", partiel: "reçu en partie", attendu: "attendu", en_retard: "en retard", potentiel: "potentiel" });
  });

  it("un centime compte : reçu en partie, reste à recevoir, subvention", () => {
    const m = matchReceipts(calendar, [{ date: "2025-03-01", cents: 1_001 }], "2025-03-02");
    expect(m.payments[1]).toMatchObject({ recu_cents: 1, reste_cents: 599, status: "partiel" });
    const late = matchReceipts(calendar, [{ date: "2025-06-01", cents: 1_799 }], "2025-05-02");
    expect(late.payments.map((p) => p.reste_cents)).toEqual([0, 0, 1, 300]);
    expect(upcomingPayments(late.payments, "2025-05-02", 5).total).toBe(1);
    expect(publicFundingOfYear(2025, [line("2025-01-01", 1, "solde", "parcours")], [{ funder: "Commune", cents: 1 }]).subsidies.map((x) => x.cents)).toEqual([1, 1]);
  });

  it("financements publics d'une année civile : parts fixes de l'ACI datées cette année, le reste à part", () => {
    const y = publicFundingOfYear(2025, [...calendar, line("2026-01-01", 5_000, "avance", "parcours", 2)], [
      { funder: "ARS (FIR)", cents: 2_400 },
      { funder: "Commune", cents: 0 },
    ]);
    expect(y).toEqual({
      subsidies: [
        { funder: "CPAM (ACI)", cents: 1_800, label: "versements ACI attendus en 2025, parts fixes" },
        { funder: "ARS (FIR)", cents: 2_400 },
      ],
      potentiel_cents: 300,
    });
    expect(publicFundingOfYear(2024, calendar, []).subsidies).toEqual([]);
  });
});

describe("seuils des financements publics", () => {
  it.each([
    [15_300_000, false],
    [15_300_001, true],
  ])("total de %i centimes : commissaire aux comptes = %s", (total, alert) => {
    const alerts = publicFundingAlerts([
      { funder: "CPAM (ACI)", cents: total - 2_000_000 },
      { funder: "ARS (FIR)", cents: 2_000_000 },
    ]);
    expect(alerts.some((a) => a.kind === "commissaire_aux_comptes")).toBe(alert);
  });

  it("l'alerte dit sa base", () => {
    const [cac] = publicFundingAlerts([
      { funder: "CPAM (ACI)", cents: 14_000_000 },
      { funder: "Commune", cents: 0 },
      { funder: "ARS (FIR)", cents: 2_400_000 },
    ]).filter((a) => a.kind === "commissaire_aux_comptes");
    expect(cac).toMatchObject({ totalCents: 16_400_000, thresholdCents: 15_300_000, basis: "CPAM (ACI) 140 000,00 € + ARS (FIR) 24 000,00 €" });
    expect(cac!.label).toMatch(/^Financements publics de l'année : 164 000,00 € \(CPAM \(ACI\) 140 000,00 € \+ ARS \(FIR\) 24 000,00 €\), supérieur à 153 000,00 € : /);
  });

  it.each([
    [2_300_000, 0],
    [2_300_001, 1],
  ])("une subvention de %i centimes : %i convention écrite", (cents, n) => {
    const alerts = publicFundingAlerts([{ funder: "Département", cents }]).filter((a) => a.kind === "convention_ecrite");
    expect(alerts).toHaveLength(n);
    if (n) expect(alerts[0]!.label).toBe("La subvention de Département (23 000,01 €) dépasse 23 000,00 € : une convention écrite avec le financeur est obligatoire.");
  });
});

describe("créneaux d'alerte des échéances", () => {
  const d = (over: Partial<Deadline> = {}): Deadline => ({
    key: "governance:2025-04-08",
    kind: "governance",
    label: "x",
    ownerRole: "secretaire",
    dueDate: "2025-07-08",
    alertDates: ["2025-04-09", "2025-06-08", "2025-07-01", "2025-07-08"],
    state: "a_venir",
    ...over,
  });

  it.each([
    ["2025-04-08", null],
    ["2025-04-09", "2025-04-09"],
    ["2025-06-07", "2025-04-09"],
    ["2025-07-07", "2025-07-01"],
    ["2025-07-08", "2025-07-08"],
    ["2025-07-14", "2025-07-08"], // 6 days late: still the due-day slot
    ["2025-07-15", "2025-07-15"], // 7 days late: weekly slot
    ["2025-07-21", "2025-07-15"],
    ["2025-07-22", "2025-07-22"],
  ])("le %s, le dernier créneau est %s", (at, slot) => expect(latestAlertSlot(d(), at)).toBe(slot));

  it("un rappel de retard quotidien : le créneau est chaque jour de retard", () => {
    const daily = { ...DEFAULT_SETTINGS, overdueRepeatDays: 1 };
    expect(latestAlertSlot(d(), "2025-07-09", daily)).toBe("2025-07-09");
    expect(latestAlertSlot(d(), "2025-07-12", daily)).toBe("2025-07-12");
    expect(latestAlertSlot(d(), "2025-07-08", daily)).toBe("2025-07-08");
  });

  it("sans rappel de retard, le dernier créneau reste le jour de l'échéance", () => {
    expect(latestAlertSlot(d(), "2025-08-30", { ...DEFAULT_SETTINGS, overdueRepeatDays: 0 })).toBe("2025-07-08");
  });

  it("un créneau déjà enregistré n'est jamais renvoyé ; le retard est signalé au CA", () => {
    expect(alertsDue([d()], [{ key: "governance:2025-04-08", alertOn: "2025-07-01" }], "2025-07-03")).toEqual([]);
    expect(alertsDue([d()], [{ key: "autre", alertOn: "2025-07-01" }], "2025-07-03")).toEqual([{ deadline: d(), alertOn: "2025-07-01", daysLeft: 5, escalated: false }]);
    expect(alertsDue([d()], [], "2025-07-16")).toEqual([{ deadline: d(), alertOn: "2025-07-15", daysLeft: -8, escalated: true }]);
    expect(alertsDue([d()], [], "2025-07-08")[0]!.escalated).toBe(false);
    expect(alertsDue([d({ state: "fait" })], [], "2025-07-16")).toEqual([]);
    expect(alertsDue([d()], [], "2025-01-01")).toEqual([]);
  });
});

describe("périodicité de la lettre d'information", () => {
  it.each([
    ["MENSUELLE", "2025-01-31", "2025-02-28"],
    ["TRIMESTRIELLE", "2025-01-31", "2025-04-30"],
    ["SEMESTRIELLE", "2025-01-31", "2025-07-31"],
    ["AUCUNE", "2025-01-31", null],
  ] as const)("%s, dernière lettre le %s : la suivante le %s", (cadence, last, next) => {
    expect(newsletterDueOn(cadence, last, "2020-01-01")).toBe(next);
  });

  it("sans lettre envoyée, une période après la création ; en retard seulement après le jour dû", () => {
    expect(newsletterDueOn("MENSUELLE", null, "2025-03-15")).toBe("2025-04-15");
    expect(newsletterOverdue("2025-04-15", "2025-04-15")).toBe(false);
    expect(newsletterOverdue("2025-04-15", "2025-04-16")).toBe(true);
    expect(newsletterOverdue(null, "2025-04-16")).toBe(false);
    expect(NEWSLETTER_CADENCE_LABELS.AUCUNE).toBe("sans périodicité");
  });
});
