// Date rules: cases found by mutation testing (issue 16 part 5).
import { describe, expect, it } from "vitest";
import { addDays, isIsoDate, partsOfDayNumber, toDayNumber } from "../../../src/rules/dates.ts";

describe("dates : cas trouvés par les tests de mutation", () => {
  it.each([
    [new String("2025-01-01"), false],
    [20250101, false],
    [null, false],
    [undefined, false],
    [{ toString: () => "2025-01-01" }, false],
    ["2025-01-01", true],
  ])("isIsoDate(%o) = %s : seule une chaîne est une date", (value, expected) => {
    expect(isIsoDate(value)).toBe(expected);
  });

  it("une date impossible est refusée avec la valeur fautive dans le message", () => {
    expect(() => addDays("2025-02-30", 1)).toThrow(RangeError);
    expect(() => addDays("2025-02-30", 1)).toThrow(/"2025-02-30"/);
  });

  it.each(["2000-02-29", "2400-02-29", "1600-02-29", "2000-03-01", "1999-12-31", "2100-02-28", "2100-03-01"])(
    "partsOfDayNumber retrouve %s (dernier jour d'une ère de 400 ans compris)",
    (iso) => {
      const [y, m, d] = iso.split("-").map(Number);
      expect(partsOfDayNumber(toDayNumber(iso))).toEqual({ year: y, month: m, day: d });
    },
  );
});
