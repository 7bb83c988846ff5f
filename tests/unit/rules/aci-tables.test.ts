// ACI tables (DOMAIN §3): mission names and socle, the table in force at a signature date.
// Cases found by mutation testing (issue 16 part 5). The mission list and labels are built when the
// module loads: the first tests import a fresh copy so that a mutant of that data is evaluated.
import { describe, expect, it, vi } from "vitest";
import { AVENANT_2, aciTableAt, isMissionId, type AciTable } from "../../../src/rules/aci-tables.ts";

async function freshTables() {
  vi.resetModules();
  return import("../../../src/rules/aci-tables.ts");
}

describe("tables ACI : missions et table en vigueur", () => {
  it("liste les six missions de l'avenant 2 dans l'ordre du tableau, les quatre premières au socle", async () => {
    const t = await freshTables();
    expect(t.MISSION_IDS).toEqual(["acces_soins", "parcours", "prevention", "crise", "qualite", "accompagnement"]);
    expect(t.SOCLE_MISSION_IDS).toEqual(["acces_soins", "parcours", "prevention", "crise"]);
  });

  it.each([
    ["acces_soins", "Accès aux soins", true],
    ["parcours", "Parcours pluriprofessionnels", true],
    ["prevention", "Prévention", true],
    ["crise", "Crises sanitaires graves", true],
    ["qualite", "Qualité et pertinence des soins", false],
    ["accompagnement", "Accompagnement des professionnels", false],
  ] as const)("la mission %s s'appelle « %s » (socle : %s)", async (id, label, socle) => {
    const t = await freshTables();
    expect(t.MISSIONS[id]).toEqual({ id, label, socle });
    expect(t.LINE_LABELS[id]).toBe(label);
  });

  it("la ligne de fonctionnement s'appelle « Fonctionnement » et la table porte le nom de l'avenant 2", async () => {
    const t = await freshTables();
    expect(t.LINE_LABELS.fonctionnement).toBe("Fonctionnement");
    expect(Object.keys(t.LINE_LABELS)).toHaveLength(7);
    expect(t.AVENANT_2.label).toMatch(/avenant 2/);
  });

  it.each([
    ["acces_soins", true],
    ["accompagnement", true],
    ["fonctionnement", false],
    ["", false],
    [null, false],
    [["crise"], false],
    [{ toString: (): string => "crise" }, false],
  ])("isMissionId(%o) = %s", (value, expected) => {
    expect(isMissionId(value)).toBe(expected);
  });

  // Hypothetical later avenants: a new avenant is a new table (DOMAIN §3, « avenant 2 » today).
  const avenant3: AciTable = { ...AVENANT_2, id: "avenant_3", effectiveFrom: "2026-01-01" };
  const avenant4: AciTable = { ...AVENANT_2, id: "avenant_4", effectiveFrom: "2028-07-01" };
  const unsorted = [avenant4, AVENANT_2, avenant3];

  it.each([
    ["2019-03-01", "avenant_2"],
    ["2022-01-01", "avenant_2"],
    ["2025-12-31", "avenant_2"],
    ["2026-01-01", "avenant_3"],
    ["2028-06-30", "avenant_3"],
    ["2028-07-01", "avenant_4"],
    ["2031-01-01", "avenant_4"],
  ])("un contrat signé le %s relève de %s, tables données dans le désordre", (signedOn, id) => {
    expect(aciTableAt(signedOn, unsorted).id).toBe(id);
    expect(aciTableAt(signedOn, [...unsorted].reverse()).id).toBe(id);
  });

  it("refuse de choisir sans aucune table", () => {
    expect(() => aciTableAt("2025-01-01", [])).toThrow("No ACI table configured");
  });
});
