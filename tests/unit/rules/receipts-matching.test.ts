// Receipts matched to the payment calendar (DOMAIN §4; the order is the choice written in receipts.ts:
// fixed lines first, then variable parts). Cases found by mutation testing (issue 16 part 5).
import { describe, expect, it } from "vitest";
import { matchReceipts, type ExpectedPayment } from "../../../src/rules/index.ts";

const line = (date: string, montant_cents: number, nature: ExpectedPayment["nature"], mission: ExpectedPayment["mission"]): ExpectedPayment => ({
  date,
  montant_cents,
  nature,
  mission,
  annee: 1,
  label: `${mission} ${nature}`,
});

describe("rapprochement d'un reçu sans ligne : les parts fixes avant les parts variables", () => {
  // the prevention variable part is dated before the access-to-care balance
  const calendar = [line("2025-06-01", 30_000, "variable", "prevention"), line("2025-06-20", 20_000, "solde", "acces_soins")];

  it.each([
    // receipt, paid on [variable, solde], not matched
    [20_000, [0, 20_000], 0],
    [5_000, [0, 5_000], 0],
    [26_000, [6_000, 20_000], 0],
    [55_000, [30_000, 20_000], 5_000],
  ])("un reçu de %i c le 10/06/2025 paie d'abord le solde fixe du 20/06 : %o, non rapproché %i c", (cents, paid, unmatched) => {
    const m = matchReceipts(calendar, [{ date: "2025-06-10", cents }], "2025-06-10");
    expect(m.payments.map((p) => p.recu_cents)).toEqual(paid);
    expect(m.non_rapproche_cents).toBe(unmatched);
  });

  it("un second reçu ne repaie pas une ligne déjà soldée", () => {
    const m = matchReceipts(calendar, [{ date: "2025-06-10", cents: 20_000 }, { date: "2025-06-12", cents: 20_000 }], "2025-06-30");
    expect(m.payments.map((p) => [p.recu_cents, p.reste_cents, p.recu_le])).toEqual([
      [20_000, 10_000, ["2025-06-12"]],
      [20_000, 0, ["2025-06-10"]],
    ]);
    expect(m.non_rapproche_cents).toBe(0);
  });
});
