// Deadlines repeated over the years (DOMAIN §5): crisis plan updates, dialogues, AGs. The loops are over
// bounded ranges (issue 16 part 5: a mutant must not make them run forever); these cases pin their ends.
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, deadlines, type Deadline } from "../../../src/rules/index.ts";

const keysAndDates = (list: Deadline[], kind: Deadline["kind"]) => list.filter((d) => d.kind === kind).map((d) => [d.key, d.dueDate]);

describe("échéances répétées : bornes des boucles", () => {
  it("une mise à jour du plan de crise qui tombe le dernier jour du contrat est comptée", () => {
    // signed 15/03/2024: 5 years, last day 14/03/2029; first version 14/03/2025
    const list = deadlines({ signatureDate: "2024-03-15", crisisPlan: { firstVersionDate: "2025-03-14" } }, "2025-04-01");
    expect(keysAndDates(list, "crisis_plan_update")).toEqual([
      ["crisis_plan_update:1", "2026-03-14"],
      ["crisis_plan_update:2", "2027-03-14"],
      ["crisis_plan_update:3", "2028-03-14"],
      ["crisis_plan_update:4", "2029-03-14"],
    ]);
  });

  it("une mise à jour un jour après la fin du contrat n'est pas comptée", () => {
    const list = deadlines({ signatureDate: "2024-03-15", crisisPlan: { firstVersionDate: "2025-03-15" } }, "2025-04-01");
    expect(keysAndDates(list, "crisis_plan_update").map(([, d]) => d)).toEqual(["2026-03-15", "2027-03-15", "2028-03-15"]);
  });

  it("première version un 29 février : chaque mise à jour est comptée depuis elle (28 février, puis 29 en année bissextile)", () => {
    const list = deadlines({ signatureDate: "2023-09-01", crisisPlan: { firstVersionDate: "2024-02-29" } }, "2024-03-01");
    expect(keysAndDates(list, "crisis_plan_update").map(([, d]) => d)).toEqual(["2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"]);
  });

  it("plan écrit dans la dernière année du contrat : aucune mise à jour", () => {
    const list = deadlines({ signatureDate: "2024-03-15", crisisPlan: { firstVersionDate: "2028-06-01" } }, "2028-07-01");
    expect(keysAndDates(list, "crisis_plan_update")).toEqual([]);
  });

  it.each([
    [1, ["dialogue:1"]],
    [3, ["dialogue:1", "dialogue:2", "dialogue:3"]],
    [0, []],
  ])("un contrat de %i an(s) : un dialogue de gestion par anniversaire", (contractYears, keys) => {
    const list = deadlines({ signatureDate: "2024-03-15" }, "2024-04-01", { ...DEFAULT_SETTINGS, contractYears });
    expect(keysAndDates(list, "dialogue").map(([k]) => k)).toEqual(keys);
  });

  it("sans ACI : la seule AG de l'année en cours", () => {
    const list = deadlines({}, "2025-09-01");
    expect(keysAndDates(list, "ag")).toEqual([["ag:2025", "2025-06-30"]]);
  });

  it("AG de l'année de la signature à celle de la fin du contrat", () => {
    const list = deadlines({ signatureDate: "2024-03-15" }, "2024-04-01");
    expect(keysAndDates(list, "ag").map(([k]) => k)).toEqual(["ag:2024", "ag:2025", "ag:2026", "ag:2027", "ag:2028", "ag:2029"]);
  });
});
