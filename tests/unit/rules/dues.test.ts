import { describe, expect, it } from "vitest";
import { duesYearOf, latestDueStep, memberDuesStatus, remindersDue, type DuesMember, type DuesPayment, type ReminderPolicy } from "../../../src/rules/index.ts";

const policy: ReminderPolicy = { offsetsDays: [15, 45, 90], maxCount: 3 };
const alice: DuesMember = { id: "alice", category: "professionnel" };
const ehpad: DuesMember = { id: "ehpad", category: "structure" };

describe("année de cotisation", () => {
  it.each([
    ["2025-01-01", 2025],
    ["2025-12-31", 2025],
    ["2026-01-01", 2026],
  ])("un paiement du %s couvre l'année %i", (date, year) => expect(duesYearOf(date)).toBe(year));

  it("garde à jour jusqu'au 31 décembre un adhérent qui paie le 31 décembre, puis le passe en retard", () => {
    const payments: DuesPayment[] = [{ memberId: "alice", date: "2025-12-31" }];
    expect(memberDuesStatus(alice, payments, "2025-12-31")).toBe("a_jour");
    expect(memberDuesStatus(alice, payments, "2026-01-01")).toBe("en_retard");
  });

  it("accepte un paiement de décembre explicitement affecté à l'année suivante", () => {
    expect(memberDuesStatus(alice, [{ memberId: "alice", date: "2025-12-20", duesYear: 2026 }], "2026-01-05")).toBe("a_jour");
  });
});

describe("statut de cotisation", () => {
  it.each<[string, DuesPayment[], string]>([
    ["à jour s'il a payé cette année", [{ memberId: "alice", date: "2025-02-01" }], "a_jour"],
    ["en retard s'il a payé l'an dernier seulement", [{ memberId: "alice", date: "2024-02-01" }], "en_retard"],
    ["jamais payé sans paiement", [], "jamais_paye"],
    ["jamais payé si son seul paiement a été remboursé", [{ memberId: "alice", date: "2025-02-01", refundedDate: "2025-02-10" }], "jamais_paye"],
    ["en retard si le paiement de l'année a été remboursé", [{ memberId: "alice", date: "2024-02-01" }, { memberId: "alice", date: "2025-02-01", refundedDate: "2025-03-01" }], "en_retard"],
    ["à jour si le remboursement est postérieur à la date", [{ memberId: "alice", date: "2025-02-01", refundedDate: "2025-09-01" }], "a_jour"],
    ["jamais payé si le paiement est postérieur à la date", [{ memberId: "alice", date: "2025-06-01" }], "jamais_paye"],
    ["insensible aux paiements des autres", [{ memberId: "bob", date: "2025-02-01" }], "jamais_paye"],
  ])("un adhérent est %s", (_, payments, status) => {
    expect(memberDuesStatus(alice, payments, "2025-04-01")).toBe(status);
  });

  it("exonère une catégorie exemptée ou un adhérent marqué exonéré", () => {
    expect(memberDuesStatus(ehpad, [], "2025-04-01", { exemptCategories: ["structure"] })).toBe("exonere");
    expect(memberDuesStatus({ id: "x", exempt: true }, [], "2025-04-01")).toBe("exonere");
  });
});

describe("relances de cotisation", () => {
  it.each([
    ["2025-01-15", 0],
    ["2025-01-16", 1],
    ["2025-02-15", 2],
    ["2025-04-01", 3],
  ])("le %s, l'étape de relance due est %i", (at, step) => expect(latestDueStep(policy, at)).toBe(step));

  it("relance un adhérent qui n'a pas payé à l'étape due", () => {
    expect(remindersDue(policy, [alice], [], [], "2025-01-16")).toEqual([{ memberId: "alice", year: 2025, step: 1 }]);
  });

  it("ne relance pas un adhérent qui a payé", () => {
    expect(remindersDue(policy, [alice], [{ memberId: "alice", date: "2025-01-10" }], [], "2025-01-16")).toEqual([]);
  });

  it("relance un adhérent dont le paiement a été remboursé", () => {
    expect(remindersDue(policy, [alice], [{ memberId: "alice", date: "2025-01-10", refundedDate: "2025-01-12" }], [], "2025-01-16")).toHaveLength(1);
  });

  it("ne renvoie pas une étape déjà envoyée", () => {
    expect(remindersDue(policy, [alice], [], [{ memberId: "alice", year: 2025, step: 1 }], "2025-01-20")).toEqual([]);
  });

  it("après un jour manqué par le planificateur, n'envoie que la dernière étape due", () => {
    expect(remindersDue(policy, [alice], [], [], "2025-02-20")).toEqual([{ memberId: "alice", year: 2025, step: 2 }]);
    expect(remindersDue(policy, [alice], [], [{ memberId: "alice", year: 2025, step: 2 }], "2025-02-21")).toEqual([]);
  });

  it("respecte le nombre maximal de relances", () => {
    const ledger = [{ memberId: "alice", year: 2025, step: 1 }];
    expect(remindersDue({ ...policy, maxCount: 1 }, [alice], [], ledger, "2025-02-20")).toEqual([]);
  });

  it("repart de zéro chaque année", () => {
    const ledger = [1, 2, 3].map((step) => ({ memberId: "alice", year: 2024, step }));
    expect(remindersDue(policy, [alice], [{ memberId: "alice", date: "2024-05-01" }], ledger, "2025-01-16")).toEqual([{ memberId: "alice", year: 2025, step: 1 }]);
  });

  it("ne relance ni les exonérés, ni les adhérents partis, ni les futurs adhérents", () => {
    const members: DuesMember[] = [ehpad, { id: "gone", leftDate: "2024-12-31" }, { id: "future", joinedDate: "2025-03-01" }];
    expect(remindersDue({ ...policy, exemptCategories: ["structure"] }, members, [], [], "2025-01-16")).toEqual([]);
  });
});
