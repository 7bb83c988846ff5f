// Deadlines: what each item says and who owns it (DOMAIN §5: alerts to the coordinator and the bureau;
// the treasurer checks CPAM payments and dues; the secretary files greffe declarations), alert order,
// termination edges. Cases found by mutation testing (issue 16 part 5).
import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS, alertsOn, deadlines } from "../../../src/rules/index.ts";

describe("échéances : libellés, responsables, bornes (tests de mutation)", () => {
  it("chaque échéance d'un contrat d'un an dit ce qu'il faut faire, avec son responsable", () => {
    const list = deadlines(
      {
        signatureDate: "2024-03-15",
        missions: [{ id: "acces_soins" }, { id: "crise" }, { id: "qualite", contracted: false, startDueDate: "2024-06-01" }],
        missionPrecoceAidDate: "2023-09-01",
        projetSanteFiledDate: "2024-01-10",
        governanceChanges: ["2024-03-20"],
      },
      "2024-04-01",
      { ...DEFAULT_SETTINGS, contractYears: 1 },
    );
    expect(list.map((d) => [d.key, d.ownerRole, d.label])).toEqual([
      ["projet_sante", "coordonnateur", "Réponse de l'ARS et de la CPAM sur le projet de santé"],
      ["mission_precoce", "bureau", "Déposer le projet de santé et signer l'ACI (engagement de la mission précoce)"],
      ["governance:2024-03-20", "secretaire", "Déclarer au greffe des associations le changement du 20/03/2024"],
      ["ag:2024", "bureau", "Tenir l'assemblée générale 2024 (rapport d'activité, comptes, budget prévisionnel)"],
      ["renewal_prep", "bureau", "Préparer le renouvellement de l'ACI"],
      ["mission_start:acces_soins", "coordonnateur", "Démarrer la mission « Accès aux soins »"],
      ["mission_start:crise", "coordonnateur", "Démarrer la mission « Crises sanitaires graves »"],
      ["dues_year:2024", "tresorier", "Fin de l'année de cotisation 2024"],
      ["indicators:1", "coordonnateur", "Préparer les indicateurs de l'année 1 avant le dialogue de gestion"],
      ["contract_end", "bureau", "Fin de l'ACI signé le 15/03/2024"],
      ["dialogue:1", "bureau", "Dialogue de gestion de l'année 1 (anniversaire de l'ACI)"],
      ["cpam_payment:1", "tresorier", "Vérifier le versement CPAM après le dialogue de gestion de l'année 1"],
      ["ag:2025", "bureau", "Tenir l'assemblée générale 2025 (rapport d'activité, comptes, budget prévisionnel)"],
      ["crisis_plan:first", "coordonnateur", "Rédiger la première version du plan de gestion de crise"],
      ["mission_deploy:acces_soins", "coordonnateur", "Déployer la mission « Accès aux soins »"],
    ]);
    // each item's kind is its key's first part
    for (const d of list) expect(d.kind, d.key).toBe(d.key.split(":")[0]);
    // nothing recorded: a greffe declaration or the dues year is not done by itself
    expect(list.find((d) => d.key === "governance:2024-03-20")!.state).toBe("a_venir");
    expect(list.find((d) => d.key === "dues_year:2024")!.state).toBe("a_venir");
    // an item of no mission has no mission field at all
    expect(Object.keys(list.find((d) => d.key === "dialogue:1")!)).not.toContain("mission");
  });

  it("mise à jour du plan de crise : son libellé, faite quand une mise à jour est datée avant le jour vu", () => {
    const input = { signatureDate: "2024-03-15", missions: [{ id: "crise" as const }], crisisPlan: { firstVersionDate: "2024-03-01", updateDates: ["2025-02-20"] } };
    const update = (at: string) => deadlines(input, at, { ...DEFAULT_SETTINGS, contractYears: 1 }).find((d) => d.key === "crisis_plan_update:1")!;
    expect(update("2025-03-01")).toMatchObject({ label: "Mettre à jour le plan de gestion de crise (mise à jour n° 1)", ownerRole: "coordonnateur", dueDate: "2025-03-01", state: "fait" });
    expect(update("2025-02-19").state).toBe("a_venir");
  });

  it("deux changements de gouvernance : chaque libellé dit le sien", () => {
    const list = deadlines({ governanceChangeDetails: [{ date: "2026-01-20", what: "nouveau bureau" }, { date: "2026-02-03", what: "siège" }] }, "2026-01-21");
    expect(list.filter((d) => d.kind === "governance").map((d) => d.label)).toEqual([
      "Déclarer au greffe des associations le changement du 20/01/2026 (nouveau bureau)",
      "Déclarer au greffe des associations le changement du 03/02/2026 (siège)",
    ]);
  });

  it("les dates d'alerte vont de la plus éloignée au jour même, quel que soit l'ordre du réglage", () => {
    const settings = { ...DEFAULT_SETTINGS, alertLeadDays: [7, 90, 0, 30] };
    const ag = deadlines({}, "2025-01-10", settings).find((d) => d.key === "ag:2025")!;
    expect(ag.alertDates).toEqual(["2025-04-01", "2025-05-31", "2025-06-23", "2025-06-30"]);
  });

  it("résiliation effective le jour d'un dialogue : ce dialogue et son versement restent ; la liste reste dans l'ordre des dates", () => {
    // signed 15/03/2024; letter received 15/01/2025: effective 15/03/2025, the first anniversary
    const list = deadlines({ signatureDate: "2024-03-15", terminations: [{ date: "2025-01-15", direction: "recue" }] }, "2025-01-20");
    expect(list.find((d) => d.key === "dialogue:1")?.dueDate).toBe("2025-03-15");
    expect(list.find((d) => d.key === "cpam_payment:1")?.dueDate).toBe("2025-05-15");
    expect(list.find((d) => d.key === "dialogue:2")).toBeUndefined();
    const dates = list.map((d) => d.dueDate);
    expect(dates).toEqual([...dates].sort());
    expect(list.at(-1)!.key).toBe("ag:2029");
  });

  it("en retard, un rappel tous les 7 jours ; sans rappel réglé (0), seulement aux dates d'alerte", () => {
    const list = deadlines({ governanceChanges: ["2025-01-10"] }, "2025-04-24");
    const gov = list.filter((d) => d.kind === "governance"); // due 10/04/2025, 14 days late
    expect(alertsOn(gov, "2025-04-24").map((a) => a.daysLeft)).toEqual([-14]);
    expect(alertsOn(gov, "2025-04-23")).toEqual([]);
  });
});
