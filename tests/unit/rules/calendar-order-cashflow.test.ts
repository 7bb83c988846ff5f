// Payment calendar order and cash-flow forecast (DOMAIN §4; issue 16 part 5).
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, cashFlow, entitlement, paymentCalendar, type FundingInput } from "../../../src/rules/index.ts";

const LINE_ORDER = ["fonctionnement", "acces_soins", "parcours", "prevention", "crise", "qualite", "accompagnement"];
const NATURE_ORDER = ["integral", "solde", "variable", "avance"];

const full: FundingInput = {
  signatureDate: "2024-02-29",
  size: 4,
  memberCount: 120,
  graveCrisisYears: [3],
  missions: [
    { id: "acces_soins", startDate: "2024-02-29" },
    { id: "parcours", startDate: "2024-09-01" },
    { id: "prevention", startDate: "2025-01-15" },
    { id: "crise", startDate: "2024-06-01" },
    { id: "qualite", startDate: "2025-03-01" },
    { id: "accompagnement", startDate: "2026-02-28" },
  ],
};

describe("ordre des versements attendus", () => {
  it.each([
    ["un contrat complet de taille 4", full],
    ["un contrat de taille 1 sans mission démarrée", { signatureDate: "2023-12-31", size: 1 } as FundingInput],
    ["un contrat de taille 2 signé le 31 janvier", { signatureDate: "2025-01-31", size: 2, missions: [{ id: "acces_soins", startDate: "2025-03-31" }] } as FundingInput],
    // far dates and long contracts take the comparator path of the sort: same rule
    ["un contrat signé en 3500", { ...full, signatureDate: "3500-03-01", missions: full.missions!.map((m) => ({ ...m, startDate: m.startDate!.replace(/^202/, "350") })) } as FundingInput],
    ["un contrat de 15 ans (réglage)", { ...full, contractYearsForTest: 15 } as FundingInput],
  ])("%s : par date, puis année du contrat, ligne, nature ; jamais un versement de 0 €", (_, input) => {
    const years = (input as { contractYearsForTest?: number }).contractYearsForTest;
    const list = paymentCalendar(input, years ? { ...DEFAULT_SETTINGS, contractYears: years } : DEFAULT_SETTINGS);
    expect(list.every((p) => p.montant_cents > 0)).toBe(true);
    if (years) expect(list.length).toBeGreaterThan(256);
    expect(list.length).toBeGreaterThan(5);
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1]!;
      const b = list[i]!;
      const key = (p: typeof a) => [p.date, p.annee, LINE_ORDER.indexOf(p.mission), NATURE_ORDER.indexOf(p.nature)] as const;
      const [ka, kb] = [key(a), key(b)];
      const cmp = ka[0] < kb[0] ? -1 : ka[0] > kb[0] ? 1 : ka[1] - kb[1] || ka[2] - kb[2] || ka[3] - kb[3];
      expect(cmp, `${a.label} (${a.date}) avant ${b.label} (${b.date})`).toBeLessThan(0);
    }
  });

  it("chaque versement porte un libellé en français qui dit la ligne, la nature et l'année", () => {
    const labels = paymentCalendar({ signatureDate: "2024-03-15", size: 1, missions: [{ id: "acces_soins", startDate: "2024-03-15" }] }).map((p) => p.label);
    expect(labels).toContain("Fonctionnement – versement intégral année 1");
    expect(labels.some((l) => /^Accès aux soins.* – avance année 1$/.test(l))).toBe(true);
    expect(labels.some((l) => / – part variable année 1$/.test(l))).toBe(true);
    expect(labels.some((l) => / – solde année 2$/.test(l))).toBe(true);
  });
});

describe("prévision de trésorerie", () => {
  it.each([
    ["taille 4 complète", full],
    ["taille 1, accès aux soins seul", { signatureDate: "2024-03-15", size: 1, missions: [{ id: "acces_soins", startDate: "2024-06-01" }] } as FundingInput],
  ])("%s : tout ce qui est attendu est reçu pendant ou après le contrat, et les dépenses sont les parts fixes", (_, input) => {
    const flow = cashFlow(input);
    const payments = paymentCalendar(input);
    const total = payments.reduce((s, p) => s + p.montant_cents, 0);
    expect(flow.annees.reduce((s, y) => s + y.recu_cents, 0) + flow.apres_contrat_cents).toBe(total);
    const fixed = entitlement(input).annees.map((y) => y.lignes.filter((l) => l.part === "fixe").reduce((s, l) => s + l.montant_cents, 0));
    flow.annees.forEach((y, i) => expect(y.depense_cents).toBe(fixed[i]));
    let cumulative = 0;
    for (const y of flow.annees) {
      cumulative += y.recu_cents - y.depense_cents;
      expect(Math.abs(y.solde_cumule_cents - cumulative)).toBeLessThanOrEqual(flow.annees.length);
      expect(y.point_bas_cents).toBeLessThanOrEqual(y.solde_cumule_cents);
      expect(y.point_bas_date >= y.debut && y.point_bas_date <= y.fin).toBe(true);
    }
    const worst = Math.min(0, ...flow.annees.map((y) => y.point_bas_cents));
    expect(flow.besoin_tresorerie_cents).toBe(-worst);
    const end = flow.annees.at(-1)!.fin;
    expect(flow.apres_contrat_cents).toBe(payments.filter((p) => p.date > end).reduce((s, p) => s + p.montant_cents, 0));
    expect(flow.apres_contrat_cents).toBeGreaterThan(0);
  });

  it("une mission dépense à partir de son démarrage : en année 1, le seul trou est le solde de 25 %, le dernier jour", () => {
    const input: FundingInput = { signatureDate: "2024-03-15", size: 1, missions: [{ id: "acces_soins", startDate: "2024-09-15" }] };
    const solde = paymentCalendar(input).find((p) => p.mission === "acces_soins" && p.nature === "solde" && p.annee === 1)!;
    const y1 = cashFlow(input).annees[0]!;
    expect(y1.point_bas_date).toBe("2025-03-14");
    expect(Math.abs(y1.point_bas_cents + solde.montant_cents)).toBeLessThanOrEqual(1);
  });

  // A spending start wrongly taken as the year's first day would put the lowest point on the eve of
  // the missions' start (advance not yet received) instead of the year's last day (balance still owed).
  it.each([
    [1, -1_544_862],
    [4, -2_868_492],
  ])("taille %i, cinq missions démarrées le 01/02/2026 (année 2) : elles dépensent à partir de ce jour, le point bas est le dernier jour", (size, low) => {
    const missions = ["acces_soins", "parcours", "prevention", "qualite", "accompagnement"].map((id) => ({ id, startDate: "2026-02-01" }));
    const y2 = cashFlow({ signatureDate: "2024-03-15", size, memberCount: 50, missions } as FundingInput).annees[1]!;
    expect(y2.point_bas_date).toBe("2026-03-14");
    expect(Math.abs(y2.point_bas_cents - low)).toBeLessThanOrEqual(1);
  });

  it("la part fixe de la mission crise est dépensée dès le début de l'année de son plan, pas à partir du démarrage", () => {
    const y2 = cashFlow({ signatureDate: "2024-03-15", size: 1, memberCount: 50, missions: [{ id: "crise", startDate: "2026-02-01" }] }).annees[1]!;
    expect(y2.point_bas_date).toBe("2026-01-31");
    expect(Math.abs(y2.point_bas_cents - -2_886_986)).toBeLessThanOrEqual(1);
  });

  it("avance réglée à 100 % : pas de solde, jamais un versement de 0 €", () => {
    const all = { ...DEFAULT_SETTINGS, advancePercent: 100 };
    const list = paymentCalendar({ signatureDate: "2024-03-15", size: 1, missions: [{ id: "acces_soins", startDate: "2024-06-01" }] }, all);
    expect(list.filter((p) => p.nature === "solde")).toEqual([]);
    expect(list.every((p) => p.montant_cents > 0)).toBe(true);
    expect(list.some((p) => p.mission === "acces_soins" && p.nature === "avance" && p.annee === 1)).toBe(true);
  });

  it("l'année 3, le point bas est la veille du versement d'après le dialogue", () => {
    const y3 = cashFlow({ signatureDate: "2024-03-15", size: 1, missions: [] }).annees[2]!;
    expect(y3.debut).toBe("2026-03-15");
    expect(y3.point_bas_date).toBe("2026-05-14");
  });

  it("un versement daté du dernier jour du contrat est reçu pendant le contrat", () => {
    const input: FundingInput = { signatureDate: "2024-03-15", size: 1, missions: [{ id: "prevention", startDate: "2029-03-14" }] };
    const lastDay = paymentCalendar(input).filter((p) => p.date === "2029-03-14");
    expect(lastDay.map((p) => [p.mission, p.nature])).toEqual([["prevention", "avance"]]);
    const flow = cashFlow(input);
    const after = paymentCalendar(input).filter((p) => p.date > "2029-03-14").reduce((s, p) => s + p.montant_cents, 0);
    expect(flow.apres_contrat_cents).toBe(after);
    expect(flow.annees[4]!.recu_cents).toBeGreaterThanOrEqual(lastDay[0]!.montant_cents);
  });

  it("sans année de contrat (réglage à 0), aucun versement ; une CPTS sans taille est refusée", () => {
    const none = { ...DEFAULT_SETTINGS, contractYears: 0 };
    expect(paymentCalendar({ signatureDate: "2024-03-15", size: 1 }, none)).toEqual([]);
    expect(() => paymentCalendar({ signatureDate: "2024-03-15" } as FundingInput, none)).toThrow();
  });

  it("le fonctionnement de l'année 1 est reçu le jour de la signature ; l'année 2, la trésorerie est avancée jusqu'au versement", () => {
    const flow = cashFlow({ signatureDate: "2024-03-15", size: 1, missions: [] });
    expect(flow.annees[0]).toMatchObject({ annee: 1, debut: "2024-03-15", fin: "2025-03-14", recu_cents: 5_000_000 });
    expect(flow.annees[0]!.point_bas_cents).toBeGreaterThanOrEqual(0);
    // year 2: only the 75 % advance is received (after the dialogue, 15/05/2025); the 25 % balance comes in
    // year 3, so the lowest point is the year's last day, the balance still owed
    expect(flow.annees[1]!.point_bas_date).toBe("2026-03-14");
    expect(Math.abs(flow.annees[1]!.point_bas_cents - -1_250_000)).toBeLessThanOrEqual(1);
    expect(flow.besoin_tresorerie_cents).toBeGreaterThanOrEqual(1_250_000);
  });

  it("un contrat d'une seule année (réglage) : son calendrier, et aucun besoin de trésorerie", () => {
    const oneYear = { ...DEFAULT_SETTINGS, contractYears: 1 };
    const input: FundingInput = { signatureDate: "2024-03-15", size: 1, missions: [] };
    expect(paymentCalendar(input, oneYear).map((p) => [p.date, p.nature, p.montant_cents])).toEqual([["2024-03-15", "integral", 5_000_000]]);
    const flow = cashFlow(input, oneYear);
    expect(flow.annees).toHaveLength(1);
    expect(flow.besoin_tresorerie_cents).toBe(0);
    expect(flow.annees[0]!.solde_cumule_cents).toBe(0);
    expect(flow.apres_contrat_cents).toBe(0);
  });
});
