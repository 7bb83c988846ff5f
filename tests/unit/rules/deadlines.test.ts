import { describe, expect, it } from "vitest";
import { alertsOn, deadlines, type DeadlineInput } from "../../../src/rules/index.ts";

const dueOf = (input: DeadlineInput, at: string) => Object.fromEntries(deadlines(input, at).map((d) => [d.key, d.dueDate]));
const stateOf = (input: DeadlineInput, at: string, key: string) => deadlines(input, at).find((d) => d.key === key)?.state;

describe("échéances", () => {
  const input: DeadlineInput = { signatureDate: "2024-03-15" };
  const due = dueOf(input, "2024-04-01");

  it.each([
    ["mission_start:acces_soins", "2024-09-15"],
    ["mission_deploy:acces_soins", "2025-09-15"],
    ["mission_start:parcours", "2025-03-15"],
    ["mission_deploy:parcours", "2026-03-15"],
    ["mission_start:prevention", "2025-03-15"],
    ["mission_deploy:prevention", "2026-03-15"],
    ["mission_start:crise", "2024-09-15"],
    ["crisis_plan:first", "2025-09-15"],
    ["crisis_plan_update:1", "2026-09-15"],
    ["indicators:1", "2025-02-13"],
    ["dialogue:1", "2025-03-15"],
    ["cpam_payment:1", "2025-05-15"],
    ["dialogue:5", "2029-03-15"],
    ["contract_end", "2029-03-14"],
    ["renewal_prep", "2028-09-14"],
    ["ag:2024", "2024-06-30"],
    ["ag:2029", "2029-06-30"],
    ["dues_year:2024", "2024-12-31"],
  ])("fixe l'échéance %s au %s", (key, date) => {
    expect(due[key]).toBe(date);
  });

  it("compte le plan de crise depuis le 1er décembre 2022 pour un ACI signé avant", () => {
    expect(dueOf({ signatureDate: "2022-06-01" }, "2023-01-01")["crisis_plan:first"]).toBe("2024-06-01");
  });

  it("n'invente pas d'échéance pour une mission optionnelle sans date choisie au contrat", () => {
    const keys = deadlines({ signatureDate: "2024-03-15", missions: [{ id: "qualite" }] }, "2024-04-01").map((d) => d.key);
    expect(keys).not.toContain("mission_start:qualite");
    const withDates = dueOf({ signatureDate: "2024-03-15", missions: [{ id: "qualite", startDueDate: "2025-01-01", deployDueDate: "2026-01-01" }] }, "2024-04-01");
    expect(withDates["mission_start:qualite"]).toBe("2025-01-01");
    expect(withDates["mission_deploy:qualite"]).toBe("2026-01-01");
  });

  it.each([
    ["2025-01-10", "2025-04-10"],
    ["2024-11-30", "2025-02-28"],
  ])("demande de déclarer au greffe un changement du %s avant le %s", (change, date) => {
    expect(dueOf({ governanceChanges: [change] }, "2024-12-01")[`governance:${change}`]).toBe(date);
  });

  it("donne 9 mois après l'aide mission précoce et 2 mois pour la réponse sur le projet de santé", () => {
    const d = dueOf({ missionPrecoceAidDate: "2024-01-15", projetSanteFiledDate: "2024-01-31" }, "2024-02-01");
    expect(d["mission_precoce"]).toBe("2024-10-15");
    expect(d["projet_sante"]).toBe("2024-03-31");
  });

  it("liste sans ACI les seules échéances de l'association", () => {
    const kinds = new Set(deadlines({}, "2025-02-01").map((d) => d.kind));
    expect([...kinds].sort()).toEqual(["ag", "dues_year"]);
  });

  it.each([
    ["2025-03-07", "a_venir"],
    ["2025-03-08", "imminent"],
    ["2025-03-15", "imminent"],
    ["2025-03-16", "en_retard"],
  ])("le dialogue du 15/03/2025 est, le %s, %s", (at, state) => {
    expect(stateOf(input, at, "dialogue:1")).toBe(state);
  });

  it("passe une échéance à « fait » quand elle est cochée, même en retard", () => {
    expect(stateOf({ ...input, done: ["dialogue:1"] }, "2025-06-01", "dialogue:1")).toBe("fait");
  });

  it("considère fait ce qui est enregistré : démarrage, premier plan, AG tenue", () => {
    const recorded: DeadlineInput = {
      signatureDate: "2024-03-15",
      missions: [{ id: "acces_soins", startDate: "2024-06-01" }, { id: "parcours" }, { id: "crise", startDate: "2024-12-01" }],
      crisisPlan: { firstVersionDate: "2025-01-20" },
      agDates: ["2025-06-12"],
    };
    expect(stateOf(recorded, "2025-07-01", "mission_start:acces_soins")).toBe("fait");
    expect(stateOf(recorded, "2025-07-01", "crisis_plan:first")).toBe("fait");
    expect(stateOf(recorded, "2025-07-01", "ag:2025")).toBe("fait");
    expect(stateOf(recorded, "2025-07-01", "mission_start:parcours")).toBe("en_retard");
    expect(dueOf(recorded, "2025-07-01")["crisis_plan_update:1"]).toBe("2026-01-20");
  });

  it("ne considère pas fait un démarrage seulement prévu", () => {
    expect(stateOf({ signatureDate: "2024-03-15", missions: [{ id: "acces_soins", startDate: "2024-09-01" }] }, "2024-08-01", "mission_start:acces_soins")).toBe("a_venir");
  });

  it("prévoit les alertes 90, 30, 7 jours avant et le jour même", () => {
    const dialogue = deadlines(input, "2024-04-01").find((d) => d.key === "dialogue:1")!;
    expect(dialogue.alertDates).toEqual(["2024-12-15", "2025-02-13", "2025-03-08", "2025-03-15"]);
    expect(dialogue.ownerRole).toBe("bureau");
    expect(dialogue.label).toMatch(/Dialogue de gestion/);
  });

  it("alerte aux dates prévues puis chaque semaine de retard, jamais une fois fait", () => {
    const keysOn = (at: string, done: string[] = []) => alertsOn(deadlines({ ...input, done }, at), at).map((a) => a.deadline.key);
    expect(keysOn("2025-02-13")).toContain("dialogue:1");
    expect(keysOn("2025-02-14")).not.toContain("dialogue:1");
    expect(keysOn("2025-03-22")).toContain("dialogue:1");
    expect(keysOn("2025-03-23")).not.toContain("dialogue:1");
    expect(keysOn("2025-03-22", ["dialogue:1"])).not.toContain("dialogue:1");
  });

  it("trie les échéances par date", () => {
    const dates = deadlines(input, "2024-04-01").map((d) => d.dueDate);
    expect([...dates].sort()).toEqual(dates);
  });
});
