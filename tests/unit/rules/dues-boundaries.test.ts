// Dues boundaries (DOMAIN §6; issue 16 part 5): reminder cap, join day, refund day, partial payments,
// checks of what people type.
import { describe, expect, it } from "vitest";
import {
  DUES_STATUS_LABELS,
  MAX_PAYMENT_CENTS,
  categoryOfFormula,
  checkPaymentAmount,
  checkPaymentDate,
  hasPaidYear,
  isPaymentValid,
  latestDueStep,
  memberDuesBalance,
  paymentDueMismatch,
  paymentYear,
  remindersDue,
  type DuesMember,
  type DuesPayment,
  type ReminderPolicy,
  type SentReminder,
} from "../../../src/rules/index.ts";

const policy: ReminderPolicy = { offsetsDays: [15, 45, 90] };
const alice: DuesMember = { id: "alice", dueCents: 5_000 };

describe("relances : le jour où chaque étape devient due", () => {
  it.each([
    ["2025-01-15", 0],
    ["2025-01-16", 1], // 1 January + 15 days
    ["2025-02-14", 1],
    ["2025-02-15", 2], // + 45 days
    ["2025-04-01", 3], // + 90 days (2025 is not a leap year)
    ["2024-03-31", 3], // + 90 days in a leap year
    ["2024-03-30", 2],
    ["2025-12-31", 3],
  ])("le %s, l'étape due est %i", (at, step) => expect(latestDueStep(policy, at)).toBe(step));

  it("des étapes données dans le désordre : la plus avancée déjà échue", () => {
    expect(latestDueStep({ offsetsDays: [90, 15] }, "2025-02-01")).toBe(2);
    expect(latestDueStep({ offsetsDays: [90, 15] }, "2025-04-01")).toBe(2);
    expect(latestDueStep({ offsetsDays: [] }, "2025-12-31")).toBe(0);
  });
});

describe("relances : qui en reçoit une", () => {
  const at = "2025-02-20"; // step 2 due
  const base = (over: { members?: DuesMember[]; payments?: DuesPayment[]; sent?: SentReminder[]; p?: ReminderPolicy; at?: string } = {}) =>
    remindersDue(over.p ?? policy, over.members ?? [alice], over.payments ?? [], over.sent ?? [], over.at ?? at);

  it("rien avant la première étape", () => expect(base({ at: "2025-01-10" })).toEqual([]));

  it("relance un adhérent qui n'a pas payé, à l'étape due", () => {
    expect(base()).toEqual([{ memberId: "alice", year: 2025, step: 2 }]);
  });

  it.each<[string, SentReminder[], number | null]>([
    ["aucune relance envoyée", [], 2],
    ["l'étape 1 envoyée", [{ memberId: "alice", year: 2025, step: 1 }], 2],
    ["l'étape 2 déjà envoyée", [{ memberId: "alice", year: 2025, step: 2 }], null],
    ["une étape plus avancée déjà envoyée", [{ memberId: "alice", year: 2025, step: 3 }], null],
    ["les relances d'un autre adhérent", [{ memberId: "bob", year: 2025, step: 2 }], 2],
    ["les relances de l'an dernier", [{ memberId: "alice", year: 2024, step: 3 }, { memberId: "alice", year: 2024, step: 2 }], 2],
  ])("avec %s", (_, sent, step) => {
    expect(base({ sent })).toEqual(step === null ? [] : [{ memberId: "alice", year: 2025, step }]);
  });

  it.each([
    [1, 1, false],
    [2, 1, true],
    [2, 2, false],
    [3, 2, true],
  ])("plafond de %i relance(s) par an, %i déjà envoyée(s) : relance = %s", (maxCount, count, expected) => {
    const sent = [1, 2, 3].slice(0, count).map((step) => ({ memberId: "alice", year: 2025, step: step - 5 }));
    const out = base({ p: { offsetsDays: [15, 45, 90], maxCount }, sent, at: "2025-06-01" });
    expect(out.length).toBe(expected ? 1 : 0);
  });

  it("sans plafond donné, pas plus de relances que d'étapes", () => {
    const sent = [-3, -2, -1].map((step) => ({ memberId: "alice", year: 2025, step }));
    expect(base({ sent, at: "2025-06-01" })).toEqual([]);
    expect(base({ sent: sent.slice(0, 2), at: "2025-06-01" })).toHaveLength(1);
  });

  it.each([
    ["adhère le jour même", "2025-02-20", 1],
    ["a adhéré la veille", "2025-02-19", 1],
    ["adhère le lendemain", "2025-02-21", 0],
  ])("un adhérent qui %s", (_, joinedDate, n) => {
    expect(base({ members: [{ ...alice, joinedDate }] })).toHaveLength(n);
  });

  it.each([
    ["part le jour même", "2025-02-20", 0],
    ["partira le lendemain", "2025-02-21", 1],
  ])("un adhérent qui %s", (_, leftDate, n) => {
    expect(base({ members: [{ ...alice, leftDate }] })).toHaveLength(n);
  });

  it.each([
    ["remboursé le jour même", "2025-02-20", 1],
    ["remboursé le lendemain", "2025-02-21", 0],
    ["remboursé la veille", "2025-02-19", 1],
  ])("un paiement complet %s", (_, refundedDate, n) => {
    expect(base({ payments: [{ memberId: "alice", date: "2025-01-05", amountCents: 5_000, refundedDate }] })).toHaveLength(n);
  });

  it("un paiement daté du lendemain ne compte pas encore", () => {
    expect(base({ payments: [{ memberId: "alice", date: "2025-02-21", amountCents: 5_000 }] })).toHaveLength(1);
    expect(base({ payments: [{ memberId: "alice", date: "2025-02-20", amountCents: 5_000 }] })).toHaveLength(0);
  });

  it("un paiement partiel : relancé avec ce qui a été reçu et le reste dû", () => {
    const payments: DuesPayment[] = [
      { memberId: "alice", date: "2025-01-05", amountCents: 2_000 },
      { memberId: "alice", date: "2025-01-06", amountCents: 1_000 },
    ];
    expect(base({ payments })).toEqual([{ memberId: "alice", year: 2025, step: 2, paidCents: 3_000, balanceCents: 2_000 }]);
    expect(base({ payments: [...payments, { memberId: "alice", date: "2025-01-07", amountCents: 2_000 }] })).toEqual([]);
  });

  it("les paiements d'une autre année, d'un autre adhérent ou nuls ne comptent pas", () => {
    const payments: DuesPayment[] = [
      { memberId: "alice", date: "2024-12-20", amountCents: 5_000 },
      { memberId: "bob", date: "2025-01-05", amountCents: 5_000 },
      { memberId: "alice", date: "2025-01-05", amountCents: 0 },
    ];
    expect(base({ payments })).toEqual([{ memberId: "alice", year: 2025, step: 2 }]);
    expect(base({ payments: [{ memberId: "alice", date: "2024-12-20", amountCents: 5_000, duesYear: 2025 }] })).toEqual([]);
  });

  it("un paiement sans montant (données anciennes) vaut la cotisation entière", () => {
    expect(base({ payments: [{ memberId: "alice", date: "2025-01-05" }] })).toEqual([]);
  });

  it("sans cotisation fixée, n'importe quel paiement de l'année suffit ; sinon relance simple", () => {
    const free: DuesMember = { id: "alice" };
    expect(base({ members: [free], payments: [{ memberId: "alice", date: "2025-01-05", amountCents: 100 }] })).toEqual([]);
    expect(base({ members: [free] })).toEqual([{ memberId: "alice", year: 2025, step: 2 }]);
  });

  it("jamais les exonérés, ni une catégorie à 0 €", () => {
    expect(base({ members: [{ ...alice, exempt: true }] })).toEqual([]);
    expect(base({ members: [{ id: "p", category: "PARTENAIRE", dueCents: 5_000 }], p: { ...policy, exemptCategories: ["PARTENAIRE"] } })).toEqual([]);
    expect(base({ members: [{ id: "p", category: "PARTENAIRE", dueCents: 0 }] })).toEqual([]);
    expect(base({ members: [{ id: "p", category: "PROFESSIONNEL", dueCents: 5_000 }], p: { ...policy, exemptCategories: ["PARTENAIRE"] } })).toHaveLength(1);
  });
});

describe("solde d'un adhérent", () => {
  it.each<[string, DuesPayment[], { status: string; paidCents: number; balanceCents: number }]>([
    ["rien payé", [], { status: "jamais_paye", paidCents: 0, balanceCents: 5_000 }],
    ["payé 49,99 €", [{ memberId: "alice", date: "2025-02-01", amountCents: 4_999 }], { status: "partiel", paidCents: 4_999, balanceCents: 1 }],
    ["payé exactement", [{ memberId: "alice", date: "2025-02-01", amountCents: 5_000 }], { status: "a_jour", paidCents: 5_000, balanceCents: 0 }],
    ["payé plus", [{ memberId: "alice", date: "2025-02-01", amountCents: 6_000 }], { status: "a_jour", paidCents: 6_000, balanceCents: 0 }],
    ["payé sans montant connu", [{ memberId: "alice", date: "2025-02-01" }], { status: "a_jour", paidCents: 5_000, balanceCents: 0 }],
    ["payé l'an dernier", [{ memberId: "alice", date: "2024-02-01", amountCents: 5_000 }], { status: "en_retard", paidCents: 0, balanceCents: 5_000 }],
    ["payé 0 € l'an dernier", [{ memberId: "alice", date: "2024-02-01", amountCents: 0 }], { status: "jamais_paye", paidCents: 0, balanceCents: 5_000 }],
    ["payé l'an dernier, remboursé", [{ memberId: "alice", date: "2024-02-01", amountCents: 5_000, refundedDate: "2024-03-01" }], { status: "jamais_paye", paidCents: 0, balanceCents: 5_000 }],
  ])("%s", (_, payments, expected) => {
    expect(memberDuesBalance(alice, payments, "2025-04-01")).toMatchObject(expected);
  });

  it("exonéré : rien à payer, ce qui a été payé reste affiché", () => {
    const b = memberDuesBalance({ ...alice, exempt: true }, [{ memberId: "alice", date: "2025-02-01", amountCents: 1_000 }], "2025-04-01");
    expect(b).toEqual({ status: "exonere", year: 2025, dueCents: 5_000, paidCents: 1_000, balanceCents: 0 });
    expect(memberDuesBalance({ id: "x", category: "PARTENAIRE" }, [], "2025-04-01", { exemptCategories: ["PARTENAIRE"] }).status).toBe("exonere");
  });

  it("sans cotisation fixée : à jour dès un paiement, rien dû sinon", () => {
    expect(memberDuesBalance({ id: "alice" }, [{ memberId: "alice", date: "2025-02-01", amountCents: 100 }], "2025-04-01")).toEqual({
      status: "a_jour",
      year: 2025,
      dueCents: null,
      paidCents: 100,
      balanceCents: 0,
    });
    expect(memberDuesBalance({ id: "alice" }, [], "2025-04-01")).toMatchObject({ status: "jamais_paye", balanceCents: 0 });
  });

  it("un paiement sans montant connu, sans cotisation fixée : à jour, rien affiché comme payé", () => {
    expect(memberDuesBalance({ id: "alice" }, [{ memberId: "alice", date: "2025-02-01" }], "2025-04-01")).toEqual({
      status: "a_jour",
      year: 2025,
      dueCents: null,
      paidCents: 0,
      balanceCents: 0,
    });
  });

  it("une cotisation de 0,01 € est due (seul 0 € vaut exonération)", () => {
    expect(memberDuesBalance({ id: "alice", dueCents: 1 }, [], "2025-04-01")).toMatchObject({ status: "jamais_paye", balanceCents: 1 });
  });

  it("les libellés des statuts", () => {
    expect(DUES_STATUS_LABELS).toEqual({ a_jour: "à jour", partiel: "partiel", en_retard: "en retard", jamais_paye: "jamais payé", exonere: "exonéré" });
  });
});

describe("validité d'un paiement à une date", () => {
  const p: DuesPayment = { memberId: "alice", date: "2025-03-10", refundedDate: "2025-03-20" };
  it.each([
    ["2025-03-09", false],
    ["2025-03-10", true],
    ["2025-03-19", true],
    ["2025-03-20", false], // refund day: no longer counts
  ])("le %s : %s", (at, ok) => expect(isPaymentValid(p, at)).toBe(ok));

  it("année du paiement : celle nommée, sinon celle de la date", () => {
    expect(paymentYear({ memberId: "a", date: "2025-12-20", duesYear: 2026 })).toBe(2026);
    expect(paymentYear({ memberId: "a", date: "2025-12-20" })).toBe(2025);
    expect(hasPaidYear("alice", 2025, [p], "2025-03-15")).toBe(true);
    expect(hasPaidYear("alice", 2025, [p], "2025-03-20")).toBe(false);
    expect(hasPaidYear("bob", 2025, [p], "2025-03-15")).toBe(false);
    expect(hasPaidYear("alice", 2024, [p], "2025-03-15")).toBe(false);
  });
});

describe("contrôle de ce qui est saisi", () => {
  it.each<[unknown, RegExp | null]>([
    [1, null],
    [MAX_PAYMENT_CENTS, null],
    [MAX_PAYMENT_CENTS + 1, /100 000,01 € dépasse le maximum accepté pour une cotisation \(100 000,00 €\)/],
    [0, /supérieur à 0 €/],
    [-500, /supérieur à 0 €/],
    [12.5, /au plus deux décimales/],
    [Number.NaN, /au plus deux décimales/],
    [Number.POSITIVE_INFINITY, /au plus deux décimales/],
    ["5000", /au plus deux décimales/],
  ])("montant %s", (cents, message) => {
    const r = checkPaymentAmount(cents);
    if (message === null) expect(r).toBeNull();
    else expect(r).toMatch(message);
  });

  it.each<[unknown, RegExp | null]>([
    ["2026-11-23", null],
    ["2000-01-01", null],
    ["1999-12-31", /31\/12\/1999 est trop ancienne : une cotisation est datée de 2000 ou après/],
    ["2026-11-24", /24\/11\/2026 est dans le futur/],
    ["2026-02-30", /2026-02-30 n'existe pas dans le calendrier/],
    ["2025-01-32", /n'existe pas dans le calendrier/],
    ["23/11/2026", /format AAAA-MM-JJ/],
    ["2026-11-23 ", /format AAAA-MM-JJ/],
    [20261123, /format AAAA-MM-JJ/],
  ])("date %s", (date, message) => {
    const r = checkPaymentDate(date, "2026-11-23");
    if (message === null) expect(r).toBeNull();
    else expect(r).toMatch(message);
  });
});

describe("paiement HelloAsso face à la cotisation", () => {
  it("adhérent connu : la cotisation ou le reste dû, sinon à vérifier", () => {
    const m = { dueCents: 5_000, balanceCents: 2_000 };
    expect(paymentDueMismatch(5_000, 2025, { member: m, yearDuesCents: [] })).toBeNull();
    expect(paymentDueMismatch(2_000, 2025, { member: m, yearDuesCents: [] })).toBeNull();
    expect(paymentDueMismatch(3_000, 2025, { member: m, yearDuesCents: [] })).toBe(
      "le montant 30,00 € ne correspond ni à la cotisation 2025 de sa catégorie (50,00 €) ni au reste dû (20,00 €)",
    );
    expect(paymentDueMismatch(3_000, 2025, { member: { dueCents: 5_000, balanceCents: 5_000 }, yearDuesCents: [] })).toBe(
      "le montant 30,00 € ne correspond ni à la cotisation 2025 de sa catégorie (50,00 €)",
    );
    expect(paymentDueMismatch(5_000, 2025, { member: { dueCents: 5_000, balanceCents: 0 }, yearDuesCents: [] })).toMatch(/déjà à jour de sa cotisation 2025/);
  });

  it("payeur inconnu : une des cotisations de l'année", () => {
    expect(paymentDueMismatch(5_000, 2025, { member: null, yearDuesCents: [] })).toBeNull();
    expect(paymentDueMismatch(5_000, 2025, { member: { dueCents: null, balanceCents: 0 }, yearDuesCents: [5_000] })).toBeNull();
    expect(paymentDueMismatch(7_000, 2025, { yearDuesCents: [10_000, 5_000, 5_000] })).toBe(
      "le montant 70,00 € ne correspond à aucune cotisation 2025 (50,00 €, 100,00 €)",
    );
  });

  it.each([
    ["Adhésion professionnel de santé", "PROFESSIONNEL"],
    ["Cotisation structure (EHPAD, MSP…)", "STRUCTURE"],
    ["Établissement", "STRUCTURE"],
    ["Partenaire associatif", "PARTENAIRE"],
    ["Infirmière libérale", "PROFESSIONNEL"],
    ["Don libre", null],
  ])("formule « %s » → %s", (name, key) => expect(categoryOfFormula(name)).toBe(key));
});
