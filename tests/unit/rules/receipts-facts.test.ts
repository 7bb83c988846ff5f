// Money received vs expected (receipts matched to the calendar) and the deadlines of the dated facts
// entered in the admin (issue 16): termination, hire, governance change with what changed.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SETTINGS,
  HIRE_DUTIES,
  deadlines,
  latePayments,
  matchReceipts,
  paymentCalendar,
  paymentKey,
  publicFundingAlerts,
  publicFundingOfYear,
  summarize,
  terminationEffectiveDate,
  upcomingPayments,
  type FundingInput,
} from "../../../src/rules/index.ts";

// T2 signed 2025-12-01, all socle missions started at signature: year 1 = 2025-12-01 .. 2026-11-30.
const input: FundingInput = {
  signatureDate: "2025-12-01",
  size: 2,
  missions: [
    { id: "acces_soins", startDate: "2025-12-01" },
    { id: "parcours", startDate: "2025-12-01" },
    { id: "prevention", startDate: "2025-12-01" },
    { id: "crise", startDate: "2025-12-01" },
  ],
};
const calendar = paymentCalendar(input);
const at = (key: string) => calendar.find((p) => paymentKey(p) === key)!;

describe("versements reçus et attendus", () => {
  it("sans reçu, rien n'est « reçu » : le passé non versé est en retard, le reste attendu, les parts variables potentielles", () => {
    const { payments } = matchReceipts(calendar, [], "2026-01-15");
    expect(payments.every((p) => p.recu_cents === 0)).toBe(true);
    expect(payments.find((p) => p.key === "fonctionnement:integral:1")!.status).toBe("en_retard");
    expect(payments.find((p) => p.key === "acces_soins:avance:1")!.status).toBe("en_retard");
    expect(payments.find((p) => p.key === "acces_soins:solde:1")!.status).toBe("attendu");
    expect(payments.filter((p) => p.nature === "variable").every((p) => p.status === "potentiel")).toBe(true);
    const s = summarize(payments.filter((p) => p.annee === 1));
    expect(s.recu_cents).toBe(0);
    expect(s.potentiel_cents).toBe(calendar.filter((p) => p.annee === 1 && p.nature === "variable").reduce((t, p) => t + p.montant_cents, 0));
    expect(s.en_retard_cents + s.attendu_cents).toBe(calendar.filter((p) => p.annee === 1 && p.nature !== "variable").reduce((t, p) => t + p.montant_cents, 0));
  });

  it("un versement à la date du jour est attendu, pas en retard", () => {
    const { payments } = matchReceipts(calendar, [], "2025-12-01");
    expect(payments.find((p) => p.key === "fonctionnement:integral:1")!.status).toBe("attendu");
  });

  it("un reçu sans ligne paie les plus anciennes lignes fixes ; l'excédent est « non rapproché »", () => {
    const fonct = at("fonctionnement:integral:1").montant_cents;
    const r = matchReceipts(calendar, [{ date: "2025-12-20", cents: fonct + 1_000 }], "2026-01-15");
    const f = r.payments.find((p) => p.key === "fonctionnement:integral:1")!;
    expect(f).toMatchObject({ status: "recu", recu_cents: fonct, reste_cents: 0, recu_le: ["2025-12-20"] });
    // the rest goes to the next fixed line of the same date (accès aux soins advance), partly
    const acces = r.payments.find((p) => p.key === "acces_soins:avance:1")!;
    expect(acces.recu_cents).toBe(1_000);
    expect(acces.status).toBe("en_retard");
    expect(r.non_rapproche_cents).toBe(0);
  });

  it("un reçu qui nomme ses lignes ne paie qu'elles, l'excédent n'est pas rapproché", () => {
    const key = "parcours:avance:1";
    const r = matchReceipts(calendar, [{ date: "2026-01-10", cents: at(key).montant_cents + 500, lines: [key] }], "2026-01-15");
    expect(r.payments.find((p) => p.key === key)!.status).toBe("recu");
    expect(r.payments.find((p) => p.key === "fonctionnement:integral:1")!.recu_cents).toBe(0);
    expect(r.non_rapproche_cents).toBe(500);
  });

  it("avant sa date, un versement reçu en partie est « partiel »", () => {
    const key = "acces_soins:solde:1";
    const r = matchReceipts(calendar, [{ date: "2026-01-10", cents: 100, lines: [key] }], "2026-01-15");
    expect(r.payments.find((p) => p.key === key)!.status).toBe("partiel");
  });

  it("« Prochains versements » : ceux du jour et après ; le total dit ce qui est coupé ; les retards à part", () => {
    const { payments } = matchReceipts(calendar, [], "2025-12-01");
    const next = upcomingPayments(payments, "2025-12-01", 3);
    expect(next.shown[0]!.key).toBe("fonctionnement:integral:1");
    expect(next.shown).toHaveLength(3);
    expect(next.total).toBe(calendar.filter((p) => p.nature !== "variable").length);
    const later = matchReceipts(calendar, [], "2026-01-15").payments;
    expect(upcomingPayments(later, "2026-01-15", 100).shown.some((p) => p.status === "en_retard")).toBe(false);
    const late = latePayments(later, 2);
    expect(late.shown.map((p) => p.key)).toEqual(["fonctionnement:integral:1", "acces_soins:avance:1"]);
    expect(late.total).toBe(calendar.filter((p) => p.nature !== "variable" && p.date < "2026-01-15").length);
    // the year-1 balance due on the anniversary + 2 months is listed on its own date
    const dueDay = at("acces_soins:solde:1").date;
    const onDay = upcomingPayments(matchReceipts(calendar, [], dueDay).payments, dueDay, 100).shown;
    expect(onDay.some((p) => p.key === "acces_soins:solde:1")).toBe(true);
  });
});

describe("seuil de 153 000 € sur les financements publics attendus de l'année", () => {
  it("compte les parts fixes de l'ACI de l'année civile et le FIR, montre la base, laisse les parts variables à part", () => {
    // signed 2025-12-01: in 2025 fonctionnement in full + the missions' 75 % advances; nothing dated in 2026
    const aci2025 = calendar.filter((p) => p.date.startsWith("2025") && p.nature !== "variable").reduce((t, p) => t + p.montant_cents, 0);
    expect(aci2025).toBe(6_000_000 + 0.75 * (7_000_000 + 3_500_000 + 1_500_000));
    const base = publicFundingOfYear(2025, calendar, [{ funder: "ARS (FIR)", cents: 2_400_000 }]);
    expect(base.subsidies).toEqual([
      { funder: "CPAM (ACI)", cents: aci2025, label: "versements ACI attendus en 2025, parts fixes" },
      { funder: "ARS (FIR)", cents: 2_400_000 },
    ]);
    expect(publicFundingAlerts(base.subsidies).some((a) => a.kind === "commissaire_aux_comptes")).toBe(aci2025 + 2_400_000 > 15_300_000);
    const y2027 = publicFundingOfYear(2027, calendar, []);
    expect(y2027.potentiel_cents).toBe(calendar.filter((p) => p.date.startsWith("2027") && p.nature === "variable").reduce((t, p) => t + p.montant_cents, 0));
    expect(y2027.potentiel_cents).toBeGreaterThan(0);
  });
});

describe("échéances des faits saisis", () => {
  it("résiliation : effective 2 mois après la lettre, les échéances du contrat d'après disparaissent", () => {
    const base = { signatureDate: "2024-03-15" };
    const list = deadlines({ ...base, terminations: [{ date: "2025-01-10", direction: "recue" as const }] }, "2025-01-11");
    const t = list.find((d) => d.kind === "termination")!;
    expect(t).toMatchObject({ key: "termination:2025-01-10", dueDate: "2025-03-10", ownerRole: "bureau" });
    expect(t.label).toContain("reçue le 10/01/2025");
    expect(terminationEffectiveDate({ terminations: [{ date: "2025-01-10", direction: "envoyee" }] })).toBe("2025-03-10");
    // dialogue 1 (2025-03-15) falls after the effective day: gone, with its CPAM payment
    expect(list.some((d) => d.key === "dialogue:1" || d.key === "cpam_payment:1")).toBe(false);
    expect(list.find((d) => d.key === "mission_start:acces_soins")?.dueDate).toBe("2024-09-15");
    const later = deadlines({ ...base, terminations: [{ date: "2025-02-20", direction: "envoyee" as const }] }, "2025-02-21");
    expect(later.some((d) => d.key === "dialogue:1")).toBe(true);
    expect(later.some((d) => d.key === "cpam_payment:1")).toBe(true);
    expect(later.some((d) => d.key === "dialogue:2")).toBe(false);
    expect(list.filter((d) => ["dialogue", "contract_end", "renewal_prep", "indicators"].includes(d.kind)).every((d) => d.dueDate <= "2025-03-10")).toBe(true);
    expect(list.some((d) => d.key === "contract_end")).toBe(false);
    expect(list.some((d) => d.kind === "ag")).toBe(true);
  });

  it("embauche : les 7 obligations de l'employeur du seed 002, avec leurs délais", () => {
    const list = deadlines({ hires: [{ id: "h1", date: "2026-02-02", role: "coordonnatrice" }] }, "2026-01-15");
    const duties = list.filter((d) => d.kind === "hire_duty");
    expect(duties.map((d) => d.key).sort()).toEqual(HIRE_DUTIES.map((h) => `hire:h1:${h.id}`).sort());
    const due = Object.fromEntries(duties.map((d) => [d.key, d.dueDate]));
    expect(due["hire:h1:urssaf_association"]).toBe("2026-02-02");
    expect(due["hire:h1:urssaf_salarie"]).toBe("2026-02-10");
    expect(due["hire:h1:registre_personnel"]).toBe("2026-02-02");
    expect(due["hire:h1:document_unique"]).toBe("2026-02-02");
    expect(due["hire:h1:retraite_complementaire"]).toBe("2026-03-04");
    expect(due["hire:h1:formation"]).toBe("2026-03-04");
    expect(due["hire:h1:sante_prevoyance"]).toBe("2026-03-04");
    expect(duties[0]!.label).toContain("coordonnatrice");
    const settings = { ...DEFAULT_SETTINGS, hire: { employeeDeclarationDays: 3, otherDutiesDays: 10 } };
    const custom = Object.fromEntries(deadlines({ hires: [{ id: "h1", date: "2026-02-02", role: "x" }] }, "2026-01-15", settings).map((d) => [d.key, d.dueDate]));
    expect(custom["hire:h1:urssaf_salarie"]).toBe("2026-02-05");
    expect(custom["hire:h1:formation"]).toBe("2026-02-12");
    const done = deadlines({ hires: [{ id: "h1", date: "2026-02-02", role: "x" }], done: ["hire:h1:formation"] }, "2026-01-15");
    expect(done.find((d) => d.key === "hire:h1:formation")!.state).toBe("fait");
  });

  it("changement de gouvernance : le libellé dit ce qui a changé, déclaration sous 3 mois", () => {
    const list = deadlines({ governanceChangeDetails: [{ date: "2026-01-20", what: "nouveau bureau" }] }, "2026-01-21");
    expect(list.find((d) => d.key === "governance:2026-01-20")).toMatchObject({ dueDate: "2026-04-20", ownerRole: "secretaire" });
    expect(list.find((d) => d.key === "governance:2026-01-20")!.label).toContain("(nouveau bureau)");
    // a date in both lists is one deadline
    expect(deadlines({ governanceChanges: ["2026-01-20"], governanceChangeDetails: [{ date: "2026-01-20", what: "siège" }] }, "2026-01-21").filter((d) => d.kind === "governance")).toHaveLength(1);
  });
});
