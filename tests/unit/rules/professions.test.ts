// Professions of the members (DOMAIN §9): labels, search, indemnity group, regional split.
import { describe, expect, it } from "vitest";
import { PROFESSIONS, distributeByShare, isKnownProfession, professionGroup, professionLabel, professionsMatching } from "../../../src/rules/professions.ts";

describe("professions", () => {
  it.each([
    ["infirmier", "Infirmier·e"],
    ["medecin_specialiste", "Médecin spécialiste"],
    ["art_therapeute", "art therapeute"],
    ["psychomotricien_en_liberal", "psychomotricien en liberal"],
    [null, "Non renseignée"],
    [undefined, "Non renseignée"],
    ["", "Non renseignée"],
  ])("professionLabel(%o) = %s", (key, label) => {
    expect(professionLabel(key)).toBe(label);
  });

  it.each([
    ["infirm", ["infirmier"]],
    ["  INFIRM  ", ["infirmier"]],
    ["médecin", ["medecin_generaliste", "medecin_specialiste"]],
    ["medecin", ["medecin_generaliste", "medecin_specialiste"]],
    ["kine", ["masseur_kinesitherapeute"]],
    ["pedicure_", ["pedicure_podologue"]],
    ["sage", ["sage_femme"]],
    ["masseur-kiné", ["masseur_kinesitherapeute"]],
    ["médecin généraliste", ["medecin_generaliste"]],
    ["ki", ["masseur_kinesitherapeute"]],
    ["masseur-kinesi", ["masseur_kinesitherapeute"]],
    ["medecin generaliste", ["medecin_generaliste"]],
    ["i", []],
    ["", []],
    ["  o  ", []],
    ["zz", []],
  ])("professionsMatching(%o) = %o", (text, keys) => {
    expect(professionsMatching(text)).toEqual(keys);
  });

  it.each([
    ["medecin_generaliste", "medecin"],
    ["medecin_specialiste", "medecin"],
    ["infirmier", "autre"],
    ["inconnue", "autre"],
    [null, "autre"],
    [undefined, "autre"],
  ] as const)("professionGroup(%o) = %s", (key, group) => {
    expect(professionGroup(key)).toBe(group);
  });

  it("isKnownProfession : la liste connue seulement", () => {
    expect(isKnownProfession("pharmacien")).toBe(true);
    expect(isKnownProfession("ergotherapeute")).toBe(true);
    expect(isKnownProfession("Pharmacien")).toBe(false);
    expect(isKnownProfession("")).toBe(false);
  });

  it.each([0, 1, 3, 7, 100, 1000, 1003, 12_345])("distributeByShare(%i) : total exact, au prorata des parts, plus forts restes", (total) => {
    const split = distributeByShare(total);
    const weighted = PROFESSIONS.filter((p) => p.sharePerMille > 0);
    expect(split.map((s) => s.key)).toEqual(weighted.map((p) => p.key));
    expect(split.reduce((s, r) => s + r.count, 0)).toBe(total);
    const sum = weighted.reduce((s, p) => s + p.sharePerMille, 0);
    split.forEach((s, i) => {
      const exact = (total * weighted[i]!.sharePerMille) / sum;
      expect(s.count === Math.floor(exact) || s.count === Math.floor(exact) + 1).toBe(true);
    });
  });

  it("distributeByShare : les restes les plus forts d'abord", () => {
    // shares 270, 260, 170, 110, 70, 50, 20, 20, 20, 10, 4 (sum 1004): 3 members go to the 3 largest shares
    expect(distributeByShare(3).filter((s) => s.count > 0).map((s) => s.key)).toEqual(["infirmier", "medecin_generaliste", "pharmacien"]);
    expect(distributeByShare(1004).map((s) => s.count)).toEqual([270, 260, 170, 110, 70, 50, 20, 20, 20, 10, 4]);
    expect(distributeByShare(1).filter((s) => s.count > 0)).toEqual([{ key: "infirmier", count: 1 }]);
    // 1000 × share / 1004: the 9 members left after the floors go to the largest remainders
    // (4 ‰: 3.98, 10 ‰: 9.96 …), not to the largest shares (170 ‰: 169.32 and 110 ‰: 109.56 stay down)
    expect(distributeByShare(1000).map((s) => s.count)).toEqual([269, 259, 169, 109, 70, 50, 20, 20, 20, 10, 4]);
    expect(distributeByShare(10).map((s) => s.count)).toEqual([3, 3, 2, 1, 1, 0, 0, 0, 0, 0, 0]);
    expect(distributeByShare(17).map((s) => s.count)).toEqual([5, 5, 3, 2, 1, 1, 0, 0, 0, 0, 0]);
  });
});
