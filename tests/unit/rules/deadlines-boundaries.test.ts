// Deadline boundaries (DOMAIN §5, §5b; issue 16 part 5): crisis delays of contracts signed before or on
// 1 Dec 2022, contract end and its eve, contract years, states and alert days, association facts.
import { describe, expect, it } from "vitest";
import {
  DEFAULT_SETTINGS,
  alertDatesFor,
  alertsOn,
  contractEndDate,
  contractYearOf,
  crisisPlanDueDate,
  deadlineState,
  deadlines,
  imminentLeadDays,
  latestDeployDate,
  latestStartDate,
  terminationEffectiveDate,
  type Deadline,
} from "../../../src/rules/index.ts";

const due = (list: Deadline[], key: string) => list.find((d) => d.key === key)?.dueDate;

describe("délais de la mission crise selon la date de signature", () => {
  it.each([
    // signature, crisis start (6 months), crisis plan (18 months)
    ["2021-06-15", "2023-06-01", "2024-06-01"], // before the national template: from 1 Dec 2022
    ["2022-11-30", "2023-06-01", "2024-06-01"],
    ["2022-12-01", "2023-06-01", "2024-06-01"], // the day itself: from the signature, same dates
    ["2022-12-02", "2023-06-02", "2024-06-02"],
    ["2024-03-15", "2024-09-15", "2025-09-15"],
  ])("ACI signé le %s : démarrage au plus tard le %s, plan écrit le %s", (signature, start, plan) => {
    expect(latestStartDate(signature, "crise")).toBe(start);
    expect(crisisPlanDueDate(signature)).toBe(plan);
    expect(latestDeployDate(signature, "crise")).toBe(plan);
    const list = deadlines({ signatureDate: signature }, "2021-01-01");
    expect(due(list, "mission_start:crise")).toBe(start);
    expect(due(list, "crisis_plan:first")).toBe(plan);
  });

  it("les autres missions comptent toujours depuis la signature", () => {
    expect(latestStartDate("2021-06-15", "acces_soins")).toBe("2021-12-15");
    expect(latestDeployDate("2021-06-15", "acces_soins")).toBe("2022-12-15");
    expect(latestStartDate("2021-06-15", "parcours")).toBe("2022-06-15");
    expect(latestDeployDate("2021-06-15", "prevention")).toBe("2023-06-15");
    expect(latestDeployDate("2021-06-15", "qualite")).toBeNull();
    expect(latestStartDate("2021-06-15", { id: "qualite", startDueDate: "2022-01-31" })).toBe("2022-01-31");
    expect(latestDeployDate("2021-06-15", { id: "crise", deployDueDate: "2023-01-31" })).toBe("2023-01-31");
  });
});

describe("années du contrat et fin de l'ACI", () => {
  it.each([
    ["2024-03-15", "2029-03-14"],
    ["2024-02-29", "2029-02-27"], // 5 years later is 28 Feb 2029: the contract ends the eve
    ["2023-01-01", "2027-12-31"],
  ])("signé le %s, il finit le %s", (signature, end) => expect(contractEndDate(signature)).toBe(end));

  it.each([
    ["2024-03-14", null], // the eve of the signature
    ["2024-03-15", 1],
    ["2025-03-14", 1], // eve of the first anniversary
    ["2025-03-15", 2],
    ["2028-03-15", 5],
    ["2029-03-14", 5], // contract's last day
    ["2029-03-15", null], // contract over
  ])("le %s est dans l'année de contrat %s", (date, year) => expect(contractYearOf(date, "2024-03-15")).toBe(year));

  it("dialogues, indicateurs, versements CPAM, renouvellement et fin", () => {
    const list = deadlines({ signatureDate: "2024-03-15" }, "2024-03-15");
    expect([1, 2, 5].map((k) => [due(list, `indicators:${k}`), due(list, `dialogue:${k}`), due(list, `cpam_payment:${k}`)])).toEqual([
      ["2025-02-13", "2025-03-15", "2025-05-15"],
      ["2026-02-13", "2026-03-15", "2026-05-15"],
      ["2029-02-13", "2029-03-15", "2029-05-15"],
    ]);
    expect(due(list, "dialogue:6")).toBeUndefined();
    expect(due(list, "renewal_prep")).toBe("2028-09-14");
    expect(due(list, "contract_end")).toBe("2029-03-14");
    expect(list.find((d) => d.key === "contract_end")?.label).toBe("Fin de l'ACI signé le 15/03/2024");
  });

  it("les mises à jour du plan de crise, chaque année jusqu'à la fin du contrat", () => {
    const list = deadlines({ signatureDate: "2024-03-15", crisisPlan: { firstVersionDate: "2025-01-10", updateDates: ["2026-01-05"] } }, "2026-02-01");
    const updates = list.filter((d) => d.kind === "crisis_plan_update");
    expect(updates.map((d) => [d.key, d.dueDate, d.state])).toEqual([
      ["crisis_plan_update:1", "2026-01-10", "fait"],
      ["crisis_plan_update:2", "2027-01-10", "a_venir"],
      ["crisis_plan_update:3", "2028-01-10", "a_venir"],
      ["crisis_plan_update:4", "2029-01-10", "a_venir"],
    ]);
    expect(list.find((d) => d.key === "crisis_plan:first")?.state).toBe("fait");
  });
});

describe("état et alertes d'une échéance", () => {
  it.each([
    ["2025-06-30", "a_venir"], // 8 days left
    ["2025-07-01", "imminent"], // 7 days left
    ["2025-07-08", "imminent"], // the day itself
    ["2025-07-09", "en_retard"],
  ])("une échéance du 08/07/2025 vue le %s : %s", (at, state) => {
    expect(deadlineState("2025-07-08", false, at)).toBe(state);
    expect(deadlineState("2025-07-08", true, at)).toBe("fait");
  });

  it("le délai imminent est la plus petite avance non nulle", () => {
    expect(imminentLeadDays()).toBe(7);
    expect(imminentLeadDays({ ...DEFAULT_SETTINGS, alertLeadDays: [0, 14, 3] })).toBe(3);
    expect(imminentLeadDays({ ...DEFAULT_SETTINGS, alertLeadDays: [0] })).toBe(0);
    expect(imminentLeadDays({ ...DEFAULT_SETTINGS, alertLeadDays: [7, 1] })).toBe(1);
  });

  it("alerte à 90, 30 et 7 jours et le jour même, puis chaque semaine de retard", () => {
    expect(alertDatesFor("2025-07-08")).toEqual(["2025-04-09", "2025-06-08", "2025-07-01", "2025-07-08"]);
    expect(alertDatesFor("2025-07-08", { ...DEFAULT_SETTINGS, alertLeadDays: [7, 30, 7] })).toEqual(["2025-06-08", "2025-07-01"]);
    const list = deadlines({ governanceChanges: ["2025-04-08"] }, "2025-01-01");
    const item = list.find((d) => d.kind === "governance")!;
    expect(item.dueDate).toBe("2025-07-08");
    expect(item.alertDates).toEqual(["2025-04-09", "2025-06-08", "2025-07-01", "2025-07-08"]);
    const alerted = (at: string) => alertsOn([{ ...item, state: "en_retard" }], at).map((a) => a.daysLeft);
    expect(alerted("2025-07-01")).toEqual([7]);
    expect(alerted("2025-07-02")).toEqual([]);
    expect(alerted("2025-07-14")).toEqual([]);
    expect(alerted("2025-07-15")).toEqual([-7]);
    expect(alerted("2025-07-22")).toEqual([-14]);
    expect(alertsOn([{ ...item, state: "en_retard" }], "2025-07-15", { ...DEFAULT_SETTINGS, overdueRepeatDays: 0 })).toEqual([]);
    expect(alertsOn([{ ...item, state: "fait" }], "2025-07-08")).toEqual([]);
    // without a lead of 0 days, nothing on the due day itself; a repeat of 1 day alerts every day late
    const noDueDay = { ...DEFAULT_SETTINGS, alertLeadDays: [7] };
    expect(alertsOn([{ ...item, alertDates: ["2025-07-01"] }], "2025-07-08", noDueDay)).toEqual([]);
    const daily = { ...DEFAULT_SETTINGS, overdueRepeatDays: 1 };
    expect(alertsOn([{ ...item, state: "en_retard" }], "2025-07-10", daily).map((a) => a.daysLeft)).toEqual([-2]);
  });
});

describe("faits de l'association", () => {
  const at = "2025-06-01";
  it("greffe 3 mois après un changement, avec ce qui a changé", () => {
    const list = deadlines({ governanceChangeDetails: [{ date: "2025-01-31", what: "nouveau bureau" }, { date: "2025-01-31", what: "siège" }] }, at);
    const g = list.filter((d) => d.kind === "governance");
    expect(g.map((d) => [d.dueDate, d.label, d.ownerRole])).toEqual([
      ["2025-04-30", "Déclarer au greffe des associations le changement du 31/01/2025 (nouveau bureau ; siège)", "secretaire"],
    ]);
  });

  it("mission précoce : 9 mois, faite une fois l'ACI signé", () => {
    expect(due(deadlines({ missionPrecoceAidDate: "2025-05-31" }, at), "mission_precoce")).toBe("2026-02-28");
    const signed = deadlines({ missionPrecoceAidDate: "2025-05-31", signatureDate: "2025-06-01" }, at);
    expect(signed.find((d) => d.key === "mission_precoce")?.state).toBe("fait");
    const signedLater = deadlines({ missionPrecoceAidDate: "2025-05-31", signatureDate: "2025-06-02" }, at);
    expect(signedLater.find((d) => d.key === "mission_precoce")?.state).toBe("a_venir");
  });

  it("projet de santé : réponse 2 mois après le dépôt", () => {
    const list = deadlines({ projetSanteFiledDate: "2024-12-31" }, at);
    expect(list.find((d) => d.key === "projet_sante")).toMatchObject({ dueDate: "2025-02-28", state: "en_retard" });
    expect(deadlines({ projetSanteFiledDate: "2024-12-31", projetSanteValidatedDate: "2025-02-01" }, at).find((d) => d.key === "projet_sante")?.state).toBe("fait");
  });

  it("embauche : le jour même, 8 jours, 30 jours", () => {
    const list = deadlines({ hires: [{ id: "h1", date: "2025-05-28", role: "coordinatrice" }] }, at);
    expect(list.filter((d) => d.kind === "hire_duty").map((d) => [d.key, d.dueDate])).toEqual([
      ["hire:h1:document_unique", "2025-05-28"],
      ["hire:h1:registre_personnel", "2025-05-28"],
      ["hire:h1:urssaf_association", "2025-05-28"],
      ["hire:h1:urssaf_salarie", "2025-06-05"],
      ["hire:h1:formation", "2025-06-27"],
      ["hire:h1:retraite_complementaire", "2025-06-27"],
      ["hire:h1:sante_prevoyance", "2025-06-27"],
    ]);
    expect(list.find((d) => d.key === "hire:h1:urssaf_salarie")?.label).toBe("Déclarer le salarié à l'URSSAF (dans les 8 jours) — embauche du 28/05/2025 (coordinatrice)");
  });

  it("AG de chaque année du contrat, faite l'année où elle s'est tenue ; cotisations au 31 décembre", () => {
    const list = deadlines({ signatureDate: "2023-01-01", agDates: ["2024-05-20", "2025-06-15"] }, "2025-06-01");
    expect(list.filter((d) => d.kind === "ag").map((d) => [d.key, d.dueDate, d.state])).toEqual([
      ["ag:2023", "2023-06-30", "en_retard"],
      ["ag:2024", "2024-06-30", "fait"],
      ["ag:2025", "2025-06-30", "a_venir"], // held on 15 June, after `at`: not yet
      ["ag:2026", "2026-06-30", "a_venir"],
      ["ag:2027", "2027-06-30", "a_venir"],
    ]);
    expect(due(list, "dues_year:2025")).toBe("2025-12-31");
  });

  it("résiliation : effective 2 mois après la lettre, les échéances du contrat après cette date tombent", () => {
    const input = { signatureDate: "2024-03-15", terminations: [{ date: "2025-02-10", direction: "recue" as const }, { date: "2025-01-31", direction: "envoyee" as const }] };
    expect(terminationEffectiveDate(input)).toBe("2025-03-31");
    const list = deadlines(input, "2025-02-15");
    expect(list.filter((d) => d.kind === "termination").map((d) => [d.dueDate, d.label])).toEqual([
      ["2025-03-31", "Résiliation de l'ACI effective (lettre recommandée envoyée le 31/01/2025) : arrêter les dépenses ACI et préparer les comptes de fin de contrat"],
      ["2025-04-10", "Résiliation de l'ACI effective (lettre recommandée reçue le 10/02/2025) : arrêter les dépenses ACI et préparer les comptes de fin de contrat"],
    ]);
    // the first dialogue (15/03/2025) is before the effective day: it and its CPAM payment stay
    expect(due(list, "dialogue:1")).toBe("2025-03-15");
    expect(due(list, "cpam_payment:1")).toBe("2025-05-15");
    expect(due(list, "dialogue:2")).toBeUndefined();
    expect(due(list, "cpam_payment:2")).toBeUndefined();
    expect(due(list, "contract_end")).toBeUndefined();
    expect(due(list, "ag:2026")).toBe("2026-06-30");
    expect(terminationEffectiveDate({})).toBeNull();
  });

  it("trié par date d'échéance, puis par clé", () => {
    const list = deadlines({ signatureDate: "2024-03-15", hires: [{ id: "h", date: "2024-03-15", role: "x" }] }, "2024-03-15");
    const keys = list.map((d) => `${d.dueDate} ${d.key}`);
    expect(keys).toEqual([...keys].sort());
  });
});
