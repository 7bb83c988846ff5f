// The accent folding of the member search (rules/search-fold.ts), without a database: what the text
// typed becomes. The stored side (triggers on both engines) is checked by tests/integration/search-accents.
import { describe, expect, it, vi } from "vitest";

// The table is built when the module loads: a fresh copy of the module, so that a mutation of the
// table (Stryker switches mutants at run time, without reloading modules) is seen by these tests.
// (imported inside each test: Stryker counts what a beforeAll runs as nobody's coverage)
async function fresh() {
  vi.resetModules();
  return import("../../../src/rules/search-fold.ts");
}

describe("recherche sans accents : le texte tapé", () => {
  it.each([
    ["Hélène", "helene"],
    ["FRANÇOIS", "francois"],
    ["Œil-de-Bœuf", "oeil-de-boeuf"],
    ["Lætitia ÆSA", "laetitia aesa"],
    ["Inès Diallo", "ines diallo"],
    ["Noël Ÿvon", "noel yvon"],
    ["Ñuñez Ángel Ìsa Òscar Úrsula Ýves", "nunez angel isa oscar ursula yves"],
    ["Åsa Ãna Õla", "asa ana ola"],
    ["He\u0301le\u0300ne", "helene"], // decomposed: the combining marks are dropped
    ["c\u0327a\u0302o\u0303u\u0308a\u030a", "caoua"],
    ["MARTIN", "martin"],
    ["martin", "martin"],
    ["", ""],
    ["06 12 34 56 78", "06 12 34 56 78"],
    ["jean.dupont@exemple-sante.fr", "jean.dupont@exemple-sante.fr"],
    ["Straße Łódź", "straße Łodź"], // outside the table (ß, Ł, ź) kept as typed: only « ó » folds, « S » is lowered
    ["ÀÉÎÕÜ", "aeiou"],
  ])("« %s » → « %s »", async (typed, folded) => {
    const { foldSearch } = await fresh();
    expect(foldSearch(typed)).toBe(folded);
  });

  it("chaque caractère du tableau devient sa lettre de base (ou rien pour un accent seul)", async () => {
    const { foldSearch, SEARCH_FOLDS } = await fresh();
    expect(SEARCH_FOLDS.length).toBe(65); // 54 letters, 4 ligatures, 7 combining marks
    for (const [c, to] of SEARCH_FOLDS) {
      const expected = /[œŒ]/.test(c) ? "oe" : /[æÆ]/.test(c) ? "ae" : c.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
      expect(to, c).toBe(expected);
      expect(foldSearch(c), c).toBe(expected);
      expect(foldSearch(`x${c}x`), c).toBe(`x${expected}x`);
    }
  });

  it("plusieurs occurrences sont toutes remplacées, les capitales ASCII toutes mises en minuscules", async () => {
    const { foldSearch } = await fresh();
    expect(foldSearch("ÉÉÉ éé AB cD")).toBe("eee ee ab cd");
  });
});
