// What the deadlines show (DOMAIN §1, §5; seed 002 for the employer duties): kinds, owners and duties are
// data built when the module loads, so each test imports a fresh copy of it (a mutant of that data is
// then evaluated; issue 16 part 5).
import { describe, expect, it, vi } from "vitest";

async function freshDeadlines() {
  vi.resetModules();
  return import("../../../src/rules/deadlines.ts");
}

describe("échéances : libellés, responsables et obligations d'employeur", () => {
  it("chaque sorte d'échéance a son nom français (DOMAIN §5)", async () => {
    const { DEADLINE_KIND_LABELS } = await freshDeadlines();
    expect(DEADLINE_KIND_LABELS).toEqual({
      mission_start: "Démarrage de mission",
      mission_deploy: "Déploiement de mission",
      crisis_plan: "Plan de gestion de crise",
      crisis_plan_update: "Mise à jour du plan de crise",
      indicators: "Indicateurs",
      dialogue: "Dialogue de gestion",
      cpam_payment: "Versement CPAM",
      renewal_prep: "Renouvellement de l'ACI",
      contract_end: "Fin de l'ACI",
      ag: "Assemblée générale",
      governance: "Déclaration au greffe",
      dues_year: "Cotisations",
      mission_precoce: "Mission précoce",
      projet_sante: "Projet de santé",
      termination: "Résiliation de l'ACI",
      hire_duty: "Obligations d'employeur",
    });
  });

  it("les responsables sont nommés en français, avec leurs accents", async () => {
    const { OWNER_ROLE_LABELS } = await freshDeadlines();
    expect(OWNER_ROLE_LABELS).toEqual({ coordonnateur: "coordonnateur", bureau: "bureau", tresorier: "trésorier", secretaire: "secrétaire", president: "président" });
  });

  it("embauche : les sept obligations du seed 002, leur délai et leur responsable, dans l'ordre", async () => {
    const { HIRE_DUTIES } = await freshDeadlines();
    expect(HIRE_DUTIES.map((d) => [d.id, d.delay, d.ownerRole])).toEqual([
      ["urssaf_association", "hire", "president"],
      ["urssaf_salarie", "declaration", "president"],
      ["registre_personnel", "hire", "bureau"],
      ["document_unique", "hire", "bureau"],
      ["retraite_complementaire", "other", "tresorier"],
      ["formation", "other", "tresorier"],
      ["sante_prevoyance", "other", "tresorier"],
    ]);
    const labels = HIRE_DUTIES.map((d) => d.label);
    expect(labels[0]).toMatch(/^Déclarer l'association .*URSSAF/);
    expect(labels[1]).toMatch(/^Déclarer le salarié à l'URSSAF \(dans les 8 jours\)$/);
    expect(labels[2]).toMatch(/registre unique du personnel/);
    expect(labels[3]).toMatch(/document unique d'évaluation des risques/);
    expect(labels[4]).toMatch(/retraite complémentaire/);
    expect(labels[5]).toMatch(/formation/);
    expect(labels[6]).toMatch(/complémentaire santé et de prévoyance/);
  });

  it("après une résiliation, chaque échéance du contrat postérieure tombe, les autres restent", async () => {
    const { deadlines } = await freshDeadlines();
    // signed 15/03/2024, letter received 10/01/2025: effective 10/03/2025; without it the parcours mission
    // would start by 15/03/2025 and the first dialogue be held on 15/03/2025
    const list = deadlines(
      { signatureDate: "2024-03-15", terminations: [{ date: "2025-01-10", direction: "recue" }], missions: [{ id: "acces_soins" }, { id: "parcours" }, { id: "crise" }] },
      "2025-01-15",
    );
    const kinds = new Set(list.filter((d) => d.dueDate > "2025-03-10").map((d) => d.kind));
    for (const contractKind of ["mission_start", "mission_deploy", "crisis_plan", "crisis_plan_update", "indicators", "dialogue", "cpam_payment", "renewal_prep", "contract_end"]) {
      expect(kinds.has(contractKind as never), contractKind).toBe(false);
    }
    expect([...kinds].sort()).toEqual(["ag", "dues_year"]);
  });
});
