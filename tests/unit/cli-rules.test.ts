import { describe, expect, it } from "vitest";
import { runEcheances } from "../../src/cli/echeances.ts";
import { runFinancement } from "../../src/cli/financement.ts";
import type { DeadlineInput, FundingInput } from "../../src/rules/index.ts";

function capture<T>(loadCpts?: (slug: string) => Promise<T | null>) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s), ...(loadCpts ? { loadCpts } : {}) } };
}

const TODAY = "2026-11-23";

interface FinancementJson {
  taille: number;
  annees: Array<{ annee: number; debut: string; fin: string; total_cents: number; budget_cents: number; lignes: Array<{ mission: string; part: string; montant_cents: number }> }>;
  versements: Array<{ date: string; montant_cents: number; nature: string; mission: string }>;
}

async function financementJson(argv: string[]): Promise<FinancementJson> {
  const c = capture<FundingInput>();
  expect(await runFinancement([...argv, "--json"], c.io, TODAY)).toBe(0);
  return JSON.parse(c.out.join("\n")) as FinancementJson;
}

describe("coordo financement", () => {
  it("donne en JSON la taille, les 5 années et les versements", async () => {
    const json = await financementJson(["--population", "60000", "--signature", "2024-03-15"]);
    expect(json.taille).toBe(2);
    expect(json.annees.map((a) => [a.annee, a.debut, a.fin])).toEqual([
      [1, "2024-03-15", "2025-03-14"],
      [2, "2025-03-15", "2026-03-14"],
      [3, "2026-03-15", "2027-03-14"],
      [4, "2027-03-15", "2028-03-14"],
      [5, "2028-03-15", "2029-03-14"],
    ]);
    const year2 = json.annees[1]!;
    expect(year2.total_cents).toBe(year2.lignes.reduce((s, l) => s + l.montant_cents, 0));
    expect(year2.budget_cents).toBe(year2.lignes.filter((l) => l.part === "fixe").reduce((s, l) => s + l.montant_cents, 0));
    expect(new Set(year2.lignes.map((l) => l.mission))).toEqual(new Set(["fonctionnement", "acces_soins", "parcours", "prevention", "crise"]));
    expect(json.versements[0]).toEqual({ date: "2024-03-15", montant_cents: 6_000_000, nature: "integral", mission: "fonctionnement", annee: 1 });
  });

  it("prend en compte les missions, les démarrages et la majoration", async () => {
    const json = await financementJson([
      "--taille", "4", "--signature", "2024-01-01", "--membres", "120",
      "--missions", "acces_soins,qualite", "--demarrage", "acces_soins=2024-01-01", "--demarrage=qualite=2024-07-01",
    ]);
    const year1 = json.annees[0]!;
    expect(year1.lignes.find((l) => l.mission === "acces_soins" && l.part === "fixe")!.montant_cents).toBe(12_100_000);
    expect(year1.lignes.find((l) => l.mission === "qualite" && l.part === "fixe")!.montant_cents).toBe(1_106_011);
    expect(json.versements.find((v) => v.mission === "qualite")).toMatchObject({ date: "2024-07-01", nature: "avance", montant_cents: 829_508 });
    expect(year1.lignes.some((l) => l.mission === "parcours")).toBe(false);
  });

  it("affiche un tableau lisible en français avec les montants en euros", async () => {
    const c = capture<FundingInput>();
    expect(await runFinancement(["--taille", "1", "--signature", "2024-03-15"], c.io, TODAY)).toBe(0);
    const text = c.out.join("\n");
    expect(text).toContain("Année 1 : du 15/03/2024 au 14/03/2025");
    expect(text).toContain("50 000,00 €");
    expect(text).toContain("Calendrier des versements attendus");
    expect(text).toContain("Besoin de trésorerie");
  });

  it.each([
    [["--taille", "5", "--signature", "2024-01-01"], "--taille"],
    [["--taille", "deux", "--signature", "2024-01-01"], "--taille"],
    [["--population", "-3", "--signature", "2024-01-01"], "--population"],
    [["--taille", "2", "--population", "50000", "--signature", "2024-01-01"], "--population"],
    [["--taille", "2", "--signature", "2023-02-29"], "--signature"],
    [["--taille", "2", "--signature", "15/03/2024"], "AAAA-MM-JJ"],
    [["--signature", "2024-01-01"], "--taille"],
    [["--taille", "2"], "--signature"],
    [["--taille", "2", "--signature", "2024-01-01", "--missions", "acces_soins,urgences"], "--missions"],
    [["--taille", "2", "--signature", "2024-01-01", "--demarrage", "acces_soins"], "--demarrage"],
    [["--taille", "2", "--signature", "2024-01-01", "--demarrage", "qualite=2024-05-01"], "--demarrage"],
    [["--taille", "2", "--signature", "2024-01-01", "--membres", "beaucoup"], "--membres"],
    [["--taille", "2", "--signature", "2024-01-01", "--inconnu"], "--inconnu"],
    [["--taille"], "--taille"],
  ])("refuse les arguments %j avec un message qui nomme %s (code 2)", async (argv, name) => {
    const c = capture<FundingInput>();
    expect(await runFinancement(argv, c.io, TODAY)).toBe(2);
    expect(c.err.join("\n")).toContain(name);
    expect(c.err.join("\n")).toContain("Usage : coordo financement");
    expect(c.out).toEqual([]);
  });

  it("utilise la CPTS de démonstration de la base sans --signature", async () => {
    const slugs: string[] = [];
    const c = capture<FundingInput>(async (slug) => {
      slugs.push(slug);
      return { signatureDate: "2023-06-01", size: 3, memberCount: 80 };
    });
    expect(await runFinancement(["--json"], c.io, TODAY)).toBe(0);
    expect(slugs).toEqual(["demo"]);
    expect(JSON.parse(c.out.join("")).taille).toBe(3);
  });

  it("signale une CPTS introuvable", async () => {
    const c = capture<FundingInput>(async () => null);
    expect(await runFinancement(["--cpts", "nulle-part"], c.io, TODAY)).toBe(1);
    expect(c.err.join("")).toContain("« nulle-part » introuvable");
  });
});

describe("coordo echeances", () => {
  it("liste en JSON les échéances avec leur état à la date demandée", async () => {
    const c = capture<DeadlineInput>();
    expect(await runEcheances(["--signature", "2024-03-15", "--at", "2025-03-10", "--json"], c.io, TODAY)).toBe(0);
    const list = JSON.parse(c.out.join("\n")) as Array<{ date: string; type: string; libelle: string; mission: string | null; etat: string }>;
    expect(list.find((d) => d.type === "dialogue" && d.date === "2025-03-15")).toMatchObject({ etat: "imminent", mission: null });
    expect(list.find((d) => d.type === "mission_start" && d.mission === "acces_soins")).toMatchObject({ date: "2024-09-15", etat: "en_retard" });
    expect(list.find((d) => d.type === "crisis_plan")).toMatchObject({ date: "2025-09-15", etat: "a_venir", mission: "crise" });
    for (const d of list) expect(Object.keys(d)).toEqual(expect.arrayContaining(["date", "type", "libelle", "mission", "etat"]));
  });

  it("prend la date du jour sans --at et affiche un tableau en français", async () => {
    const c = capture<DeadlineInput>();
    expect(await runEcheances(["--signature", "2024-03-15"], c.io, TODAY)).toBe(0);
    const text = c.out.join("\n");
    expect(text).toContain("Échéances au 23/11/2026");
    expect(text).toContain("en retard");
  });

  it("lit la CPTS de la base sans --signature", async () => {
    const c = capture<DeadlineInput>(async (slug) => (slug === "cpts-nord" ? { signatureDate: "2025-01-10", done: ["dialogue:1"] } : null));
    expect(await runEcheances(["--cpts", "cpts-nord", "--at", "2026-02-01", "--json"], c.io, TODAY)).toBe(0);
    const list = JSON.parse(c.out.join("")) as Array<{ type: string; date: string; etat: string }>;
    expect(list.find((d) => d.type === "dialogue" && d.date === "2026-01-10")!.etat).toBe("fait");
  });

  it.each([
    [["--signature", "2024-3-15"], "--signature"],
    [["--signature", "2024-03-15", "--at", "demain"], "--at"],
    [["--signature"], "--signature"],
    [["--bof"], "--bof"],
  ])("refuse les arguments %j (code 2)", async (argv, name) => {
    const c = capture<DeadlineInput>();
    expect(await runEcheances(argv, c.io, TODAY)).toBe(2);
    expect(c.err.join("")).toContain(name);
  });
});
