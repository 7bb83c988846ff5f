import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { main } from "../../src/cli/main.ts";
import { fixedClock } from "../../src/app/context.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { parisToday } from "../../src/rules/dates.ts";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  await loadDemo(t.db, parisToday(new Date()));
});
afterAll(async () => t?.cleanup());

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const context = async () => ({ config: loadConfig({ DATABASE_URL: t.url }), db: t.db, engine: t.engine, log: silentLogger, clock: fixedClock(new Date()) });
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s), context });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("coordo financement / echeances sur la CPTS en base", () => {
  it("calcule les droits de la CPTS de démonstration (taille 2, 5 années, totaux sommés des lignes)", async () => {
    const r = await run(["financement", "--cpts", "demo", "--json"]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.taille).toBe(2);
    expect(json.annees).toHaveLength(5);
    for (const a of json.annees) expect(a.total_cents).toBe(a.lignes.reduce((s: number, l: { montant_cents: number }) => s + l.montant_cents, 0));
    expect(json.versements.length).toBeGreaterThan(5);
    expect(json.versements[0]).toMatchObject({ nature: "integral", mission: "fonctionnement", montant_cents: 6_000_000 });
  });

  it("liste les échéances de la CPTS avec leur état", async () => {
    const r = await run(["echeances", "--cpts", "demo", "--json"]);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.out) as { type: string; etat: string; cle: string }[];
    expect(list.find((d) => d.cle === "dialogue:1")?.etat).toBe("fait");
    expect(list.find((d) => d.cle === "crisis_plan:first")?.etat).not.toBe("fait");
  });

  it("répond en français quand la CPTS n'existe pas", async () => {
    const r = await run(["financement", "--cpts", "inconnue"]);
    expect(r.code).toBe(1);
    expect(r.out).toBe("");
    expect(r.err).toBe("CPTS « inconnue » introuvable ou sans ACI signé : vérifiez --cpts, ou indiquez --taille et --signature.");
    const e = await run(["echeances", "--cpts", "inconnue"]);
    expect(e.code).toBe(1);
    expect(e.out).toBe("");
    expect(e.err).toBe("CPTS « inconnue » introuvable : vérifiez --cpts, ou indiquez --signature AAAA-MM-JJ.");
  });

  it("refuse une commande inconnue avec le code 2", async () => {
    const r = await run(["vole"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Commande inconnue/);
  });
});
