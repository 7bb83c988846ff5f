import { describe, expect, it } from "vitest";
import { checkPaymentAmount, checkPaymentDate, memberDuesBalance, paymentDueMismatch, remindersDue, type DuesMember, type DuesPayment } from "../../../src/rules/index.ts";

const pro: DuesMember = { id: "pro", category: "professionnel", dueCents: 5000 };
const ehpad: DuesMember = { id: "ehpad", category: "structure", dueCents: 10_000 };
const pay = (memberId: string, date: string, amountCents: number, refundedDate?: string): DuesPayment => ({ memberId, date, amountCents, refundedDate });

describe("solde de cotisation (paiements de l'année moins remboursements)", () => {
  it.each<[string, DuesMember, DuesPayment[], { status: string; paidCents: number; balanceCents: number }]>([
    ["0,01 € sur 50 € : partiel, reste 49,99 €", pro, [pay("pro", "2026-02-01", 1)], { status: "partiel", paidCents: 1, balanceCents: 4999 }],
    ["30 € sur les 100 € d'une structure : partiel, reste 70 €", ehpad, [pay("ehpad", "2026-02-01", 3000)], { status: "partiel", paidCents: 3000, balanceCents: 7000 }],
    ["30 € + 70 € : à jour", ehpad, [pay("ehpad", "2026-02-01", 3000), pay("ehpad", "2026-03-01", 7000)], { status: "a_jour", paidCents: 10_000, balanceCents: 0 }],
    ["50 € puis remboursé : jamais payé, reste 50 €", pro, [pay("pro", "2026-02-01", 5000, "2026-02-10")], { status: "jamais_paye", paidCents: 0, balanceCents: 5000 }],
    ["50 € + 50 € dont un remboursé : à jour", pro, [pay("pro", "2026-02-01", 5000, "2026-02-10"), pay("pro", "2026-02-11", 5000)], { status: "a_jour", paidCents: 5000, balanceCents: 0 }],
    ["100 € sur 50 € : à jour", pro, [pay("pro", "2026-02-01", 10_000)], { status: "a_jour", paidCents: 10_000, balanceCents: 0 }],
    ["payé l'an dernier seulement : en retard, reste 50 €", pro, [pay("pro", "2025-02-01", 5000)], { status: "en_retard", paidCents: 0, balanceCents: 5000 }],
    ["un paiement de 0 € ne compte pas", pro, [pay("pro", "2026-02-01", 0)], { status: "jamais_paye", paidCents: 0, balanceCents: 5000 }],
    ["sans montant fixé pour l'année, tout paiement valide met à jour", { id: "pro" }, [pay("pro", "2026-02-01", 1)], { status: "a_jour", paidCents: 1, balanceCents: 0 }],
    ["exonéré : rien à payer", { ...pro, exempt: true }, [], { status: "exonere", paidCents: 0, balanceCents: 0 }],
  ])("%s", (_, member, payments, expected) => {
    expect(memberDuesBalance(member, payments, "2026-04-01")).toMatchObject(expected);
  });
});

describe("montants et dates saisis", () => {
  it.each<[unknown, RegExp | null]>([
    [1, null],
    [5000, null],
    [10_000_000, null],
    [0, /supérieur à 0 €/],
    [-500, /supérieur à 0 €/],
    [10_000_001, /dépasse le maximum accepté pour une cotisation \(100 000,00 €\)/],
    [1e15, /dépasse le maximum/],
    [12.5, /deux décimales/],
    [Number.NaN, /deux décimales/],
    ["30", /deux décimales/],
  ])("montant %s centimes", (cents, message) => {
    const r = checkPaymentAmount(cents);
    if (message === null) expect(r).toBeNull();
    else expect(r).toMatch(message);
  });

  it.each<[unknown, RegExp | null]>([
    ["2026-03-01", null],
    ["2026-03-10", null],
    ["2000-01-01", null],
    ["2026-02-30", /n'existe pas dans le calendrier/],
    ["2025-02-29", /n'existe pas/],
    ["1900-05-01", /trop ancienne/],
    ["9999-01-01", /dans le futur/],
    ["2026-03-11", /dans le futur/],
    ["01/03/2026", /AAAA-MM-JJ/],
    [undefined, /AAAA-MM-JJ/],
  ])("date %s", (date, message) => {
    const r = checkPaymentDate(date, "2026-03-10");
    if (message === null) expect(r).toBeNull();
    else expect(r).toMatch(message);
  });
});

describe("un paiement HelloAsso correspond-il à une cotisation ?", () => {
  it.each<[string, number, Parameters<typeof paymentDueMismatch>[2], RegExp | null]>([
    ["la cotisation de sa catégorie", 5000, { member: { dueCents: 5000, balanceCents: 5000 }, yearDuesCents: [5000, 10_000] }, null],
    ["le reste dû", 7000, { member: { dueCents: 10_000, balanceCents: 7000 }, yearDuesCents: [5000, 10_000] }, null],
    ["un autre montant", 3000, { member: { dueCents: 10_000, balanceCents: 10_000 }, yearDuesCents: [5000, 10_000] }, /ne correspond ni à la cotisation 2026 de sa catégorie \(100,00 €\)/],
    ["un paiement de plus après être à jour", 5000, { member: { dueCents: 5000, balanceCents: 0 }, yearDuesCents: [5000] }, /déjà à jour/],
    ["payeur inconnu, montant d'une cotisation", 10_000, { member: null, yearDuesCents: [5000, 10_000] }, null],
    ["payeur inconnu, montant d'aucune cotisation", 1234, { member: null, yearDuesCents: [5000, 10_000] }, /aucune cotisation 2026 \(50,00 €, 100,00 €\)/],
    ["aucune cotisation fixée pour l'année", 1234, { member: { dueCents: null, balanceCents: 0 }, yearDuesCents: [] }, null],
  ])("%s", (_, amount, dues, message) => {
    const r = paymentDueMismatch(amount, 2026, dues);
    if (message === null) expect(r).toBeNull();
    else expect(r).toMatch(message);
  });
});

describe("relances d'un paiement partiel", () => {
  const policy = { offsetsDays: [15, 45, 90], maxCount: 3 };
  it("relance en demandant le reste dû, et plus du tout une fois le solde réglé", () => {
    const partial = [pay("ehpad", "2026-01-10", 3000)];
    expect(remindersDue(policy, [ehpad], partial, [], "2026-01-16")).toEqual([{ memberId: "ehpad", year: 2026, step: 1, paidCents: 3000, balanceCents: 7000 }]);
    expect(remindersDue(policy, [ehpad], [...partial, pay("ehpad", "2026-01-12", 7000)], [], "2026-01-16")).toEqual([]);
    expect(remindersDue(policy, [pro], [pay("pro", "2026-01-10", 1)], [], "2026-01-16")).toEqual([{ memberId: "pro", year: 2026, step: 1, paidCents: 1, balanceCents: 4999 }]);
  });
});
