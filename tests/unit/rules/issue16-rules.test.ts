// Rules corrected in issue 16 (DOMAIN §3, §4, §5, §5b), each checked through the pure functions and
// through the CLIs `coordo financement` / `coordo echeances` the maintainers' held-out cases use.
import { describe, expect, it } from "vitest";
import { runEcheances } from "../../../src/cli/echeances.ts";
import { runFinancement } from "../../../src/cli/financement.ts";
import {
  contractYearOf,
  crisisPlanDueDate,
  deadlines,
  entitlement,
  formatEuros,
  isIsoDate,
  latestStartDate,
  parseIsoDate,
  publicFundingAlerts,
  type DeadlineInput,
  type FundingInput,
} from "../../../src/rules/index.ts";
import { DEFAULT_SETTINGS } from "../../../src/rules/settings.ts";

const TODAY = "2026-12-01";

async function cli(run: typeof runFinancement | typeof runEcheances, argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await (run as (a: string[], io: { out: (s: string) => void; err: (s: string) => void }, t: string) => Promise<number>)(
    argv,
    { out: (s) => out.push(s), err: (s) => err.push(s) },
    TODAY,
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("délais de la mission crise (§5, §5b, fiche 13 du seed 002)", () => {
  // signature, crisis start at the latest, crisis plan at the latest
  const cases: [string, string, string][] = [
    ["2021-06-15", "2023-06-01", "2024-06-01"],
    ["2019-01-31", "2023-06-01", "2024-06-01"],
    ["2022-11-30", "2023-06-01", "2024-06-01"],
    ["2022-12-01", "2023-06-01", "2024-06-01"],
    ["2022-12-02", "2023-06-02", "2024-06-02"],
    ["2024-03-15", "2024-09-15", "2025-09-15"],
    ["2024-08-31", "2025-02-28", "2026-02-28"],
  ];

  it.each(cases)("ACI signé le %s : démarrage au plus tard le %s, plan au plus tard le %s (fonctions)", (signature, start, plan) => {
    expect(latestStartDate(signature, "crise")).toBe(start);
    expect(crisisPlanDueDate(signature)).toBe(plan);
    const list = deadlines({ signatureDate: signature }, "2023-01-01");
    const due = Object.fromEntries(list.map((d) => [d.key, d.dueDate]));
    expect(due["mission_start:crise"]).toBe(start);
    expect(due["crisis_plan:first"]).toBe(plan);
    // never a crisis deadline before the national template
    for (const d of list.filter((x) => x.mission === "crise")) expect(d.dueDate >= "2022-12-01").toBe(true);
  });

  it.each(cases)("ACI signé le %s : démarrage au plus tard le %s, plan au plus tard le %s (coordo echeances)", async (signature, start, plan) => {
    const r = await cli(runEcheances, ["--signature", signature, "--at", "2023-01-01", "--json"]);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out) as { cle: string; date: string }[];
    expect(rows.find((d) => d.cle === "mission_start:crise")?.date).toBe(start);
    expect(rows.find((d) => d.cle === "crisis_plan:first")?.date).toBe(plan);
  });

  it("les autres missions restent comptées depuis la signature", () => {
    expect(latestStartDate("2021-06-15", "acces_soins")).toBe("2021-12-15");
    expect(latestStartDate("2021-06-15", "parcours")).toBe("2022-06-15");
  });

  it("un démarrage choisi au contrat l'emporte, et le réglage reste modifiable", () => {
    expect(latestStartDate("2021-06-15", { id: "crise", startDueDate: "2023-03-01" })).toBe("2023-03-01");
    const settings = { ...DEFAULT_SETTINGS, crisis: { planDueMonths: 18, planCountedFromAtLeast: "2023-01-01" } };
    expect(latestStartDate("2021-06-15", "crise", settings)).toBe("2023-07-01");
  });

  it("le montant « premier plan » tombe l'année de contrat du plan dû (ACI signé en 2021)", async () => {
    const r = await cli(runFinancement, ["--taille", "2", "--signature", "2021-06-15", "--json"]);
    const json = JSON.parse(r.out) as { annees: { annee: number; lignes: { mission: string; part: string; montant_cents: number }[] }[] };
    // plan due 2024-06-01: contract year 3 (2023-06-15 .. 2024-06-14)
    const crise = json.annees.map((a) => a.lignes.filter((l) => l.mission === "crise" && l.part === "fixe").reduce((s, l) => s + l.montant_cents, 0));
    expect(crise).toEqual([0, 0, 3_500_000, 1_750_000, 1_750_000]);
  });
});


describe("majoration de 10 % (taille 4, au moins 100 adhérents)", () => {
  const cases: [number, number, number][] = [
    // members, size, accès-aux-soins fixed part of year 1 (started at signature) in cents
    [99, 4, 11_000_000],
    [100, 4, 12_100_000],
    [101, 4, 12_100_000],
    [100, 3, 9_000_000],
    [0, 4, 11_000_000],
  ];
  it.each(cases)("%i adhérents, taille %i : accès aux soins fixe année 1 = %i centimes (fonction)", (members, size, cents) => {
    const input: FundingInput = { signatureDate: "2024-01-01", size: size as 3 | 4, memberCount: members, missions: [{ id: "acces_soins", startDate: "2024-01-01" }] };
    const year1 = entitlement(input).annees[0]!;
    expect(year1.lignes.find((l) => l.mission === "acces_soins" && l.part === "fixe")!.montant_cents).toBe(cents);
    // never on fonctionnement
    expect(year1.lignes.find((l) => l.mission === "fonctionnement")!.majoration_cents).toBe(0);
  });

  it.each(cases)("%i adhérents, taille %i : accès aux soins fixe année 1 = %i centimes (coordo financement)", async (members, size, cents) => {
    const r = await cli(runFinancement, ["--taille", String(size), "--signature", "2024-01-01", "--membres", String(members), "--missions", "acces_soins", "--demarrage", "acces_soins=2024-01-01", "--json"]);
    const json = JSON.parse(r.out) as { annees: { lignes: { mission: string; part: string; montant_cents: number }[] }[] };
    expect(json.annees[0]!.lignes.find((l) => l.mission === "acces_soins" && l.part === "fixe")!.montant_cents).toBe(cents);
  });
});

describe("seuil de 153 000 € (commissaire aux comptes)", () => {
  it.each([
    [15_300_000, false],
    [15_300_001, true],
    [20_000_000, true],
  ])("%i centimes de financements publics : alerte %s", (cents, alert) => {
    const alerts = publicFundingAlerts([{ funder: "CPAM (ACI)", cents }]).filter((a) => a.kind === "commissaire_aux_comptes");
    expect(alerts.length === 1).toBe(alert);
  });

  it("dit « supérieur à 153 000 € », « commissaire aux comptes » et sur quelle base le total est calculé", () => {
    const [alert] = publicFundingAlerts([
      { funder: "CPAM (ACI)", cents: 14_000_000 },
      { funder: "ARS (FIR)", cents: 2_400_000 },
    ]);
    expect(alert!.kind).toBe("commissaire_aux_comptes");
    expect(alert!.label).toContain("164 000,00 €");
    expect(alert!.label).toContain("supérieur à 153 000,00 €");
    expect(alert!.label).toContain("commissaire aux comptes");
    expect(alert!.label).toContain("CPAM (ACI) 140 000,00 € + ARS (FIR) 24 000,00 €");
  });
});

describe("décalage de la première année (seed 000)", () => {
  it("le CLI présente le calendrier comme attendu, jamais comme reçu", async () => {
    const r = await cli(runFinancement, ["--taille", "1", "--signature", "2024-03-15"]);
    expect(r.out).toContain("Calendrier des versements attendus");
    expect(r.out).toContain("décalage");
    expect(r.out).not.toMatch(/\breçu\b/);
    expect(r.out).not.toMatch(/déjà versé/i);
  });
});

describe("dates et montants aux limites", () => {
  it.each(["2025-01-32", "2025-02-29", "2025-13-01", "2025-00-10", "2025-1-01", "2024-02-30", " 2025-01-01", "2025-01-01T00:00"])("refuse la date « %s »", (value) => {
    expect(parseIsoDate(value)).toBeNull();
    expect(isIsoDate(value)).toBe(false);
  });

  it("accepte le 29 février d'une année bissextile et le 31 janvier", () => {
    expect(parseIsoDate("2024-02-29")).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseIsoDate("2025-01-31")).toEqual({ year: 2025, month: 1, day: 31 });
  });

  it("coordo echeances refuse --at 2025-01-32 en français", async () => {
    const r = await cli(runEcheances, ["--signature", "2024-01-01", "--at", "2025-01-32"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("2025-01-32");
    expect(r.err).toContain("AAAA-MM-JJ");
  });

  it.each([
    [0, "0,00 €"],
    [-0, "0,00 €"],
    [-0.4, "0,00 €"],
    [0.4, "0,00 €"],
    [-1, "-0,01 €"],
    [-100, "-1,00 €"],
    [99_999_999, "999 999,99 €"],
    [100_000_000, "1 000 000,00 €"],
    [123_456_789, "1 234 567,89 €"],
    [-123_456_789, "-1 234 567,89 €"],
    [100_000_000_000, "1 000 000 000,00 €"],
  ])("formatEuros(%d) = « %s »", (cents, text) => {
    expect(formatEuros(cents)).toBe(text);
  });
});

describe("contractYearOf", () => {
  it.each([
    ["2024-03-15", "2024-03-14", null],
    ["2024-03-15", "2024-03-15", 1],
    ["2024-03-15", "2025-03-14", 1],
    ["2024-03-15", "2025-03-15", 2],
    ["2024-03-15", "2029-03-14", 5],
    ["2024-03-15", "2029-03-15", null],
    ["2024-02-29", "2025-02-27", 1],
    ["2024-02-29", "2025-02-28", 2],
    ["2024-02-29", "2028-02-28", 4],
    ["2024-02-29", "2028-02-29", 5],
  ] as [string, string, number | null][])("ACI signé le %s : le %s est dans l'année %s", (signature, date, year) => {
    expect(contractYearOf(date, signature)).toBe(year);
  });

  it("suit la durée du contrat réglée", () => {
    const settings = { ...DEFAULT_SETTINGS, contractYears: 3 };
    expect(contractYearOf("2026-03-15", "2024-03-15", settings)).toBe(3);
    expect(contractYearOf("2027-03-15", "2024-03-15", settings)).toBeNull();
  });
});

describe("une échéance saisie est une entrée de DeadlineInput (type)", () => {
  it("accepte l'entrée vide", () => {
    const input: DeadlineInput = {};
    expect(deadlines(input, TODAY).map((d) => d.kind)).toEqual(["ag", "dues_year"]);
  });
});
