// Boundaries of the date, money and size rules (issue 16, part 5: tests that would catch a wrong rule).
import { describe, expect, it } from "vitest";
import {
  SIZES,
  addDays,
  addMonths,
  addMonthsToDayNumber,
  addYears,
  compareDates,
  daysBetween,
  daysInMonth,
  divRoundHalfUp,
  endOfYear,
  euros,
  formatDateFr,
  formatEuros,
  formatIsoDate,
  fromDayNumber,
  isAciSize,
  isIsoDate,
  isLeapYear,
  isWithin,
  maxDate,
  minDate,
  parisToday,
  parseIsoDate,
  partsOfDayNumber,
  roundHalfUp,
  sizeFromPopulation,
  splitPercent,
  startOfYear,
  sumCents,
  toDayNumber,
  yearOf,
} from "../../../src/rules/index.ts";

describe("dates du calendrier : lecture stricte", () => {
  it.each([
    ["2025-01-31", { year: 2025, month: 1, day: 31 }],
    ["2025-12-01", { year: 2025, month: 12, day: 1 }],
    ["2024-02-29", { year: 2024, month: 2, day: 29 }],
    ["2000-02-29", { year: 2000, month: 2, day: 29 }],
  ])("lit %s", (text, parts) => expect(parseIsoDate(text)).toEqual(parts));

  it.each([
    "2025-01-32", // the 32nd of January (issue 16: was it accepted?)
    "2025-01-00",
    "2025-00-10",
    "2025-13-01",
    "2025-04-31",
    "2025-02-29",
    "1900-02-29", // divisible by 100, not by 400: not a leap year
    "2100-02-29",
    "2025-1-01",
    " 2025-01-01",
    "2025-01-01 ",
    "2025-01-01T00:00",
    "x2025-01-01",
  ])("refuse « %s »", (text) => {
    expect(parseIsoDate(text)).toBeNull();
    expect(isIsoDate(text)).toBe(false);
    expect(() => toDayNumber(text)).toThrow(RangeError);
  });

  it("refuse ce qui n'est pas une chaîne", () => {
    expect(isIsoDate(20250101)).toBe(false);
    expect(isIsoDate(null)).toBe(false);
  });

  it.each([
    [2024, true],
    [2023, false],
    [2000, true],
    [1900, false],
    [2100, false],
    [2400, true],
  ])("année bissextile %i : %s", (year, leap) => expect(isLeapYear(year)).toBe(leap));

  it.each([
    [2025, 1, 31],
    [2025, 2, 28],
    [2024, 2, 29],
    [1900, 2, 28],
    [2025, 4, 30],
    [2025, 6, 30],
    [2025, 7, 31],
    [2025, 8, 31],
    [2025, 9, 30],
    [2025, 11, 30],
    [2025, 12, 31],
  ])("%i-%i a %i jours", (year, month, days) => expect(daysInMonth(year, month)).toBe(days));
});

describe("dates : numéros de jour et arithmétique", () => {
  it.each([
    ["1970-01-01", 0],
    ["1970-01-02", 1],
    ["1969-12-31", -1],
    ["2000-03-01", 11_017],
    ["2149-06-06", 65_535],
    ["2149-06-07", 65_536],
    ["2200-01-01", 84_006],
  ])("%s est le jour %i depuis le 1er janvier 1970, dans les deux sens", (iso, n) => {
    expect(toDayNumber(iso)).toBe(n);
    expect(fromDayNumber(n)).toBe(iso);
    const { year, month, day } = partsOfDayNumber(n);
    expect(formatIsoDate({ year, month, day })).toBe(iso);
  });

  it("les parties d'un numéro de jour sont celles du calendrier, de 1899 à 2101", () => {
    // every 13th day: each day of the month and each month are reached, 1900 and 2100 included
    for (let n = toDayNumber("1899-01-01"); n <= toDayNumber("2101-12-31"); n += 13) {
      const d = new Date(n * 86_400_000);
      expect(partsOfDayNumber(n)).toEqual({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
    }
  });

  it("complète l'année sur 4 chiffres", () => {
    expect(formatIsoDate({ year: 987, month: 3, day: 4 })).toBe("0987-03-04");
  });

  it.each([
    ["2024-01-31", 1, "2024-02-29"],
    ["2024-01-31", 13, "2025-02-28"],
    ["2024-03-31", -13, "2023-02-28"],
    ["2024-05-15", -5, "2023-12-15"],
    ["2024-12-31", 0, "2024-12-31"],
    ["2023-11-30", 3, "2024-02-29"],
  ])("numéro de jour : %s + %i mois = %s (comme addMonths)", (iso, months, expected) => {
    expect(addMonths(iso, months)).toBe(expected);
    expect(addMonthsToDayNumber(toDayNumber(iso), months)).toBe(toDayNumber(expected));
  });

  it.each([
    ["2024-02-29", 1, "2025-02-28"],
    ["2022-12-01", 5, "2027-12-01"],
    ["2021-06-15", -1, "2020-06-15"],
  ])("%s + %i an(s) = %s", (iso, years, expected) => expect(addYears(iso, years)).toBe(expected));

  it("ajoute des jours à travers les années, y compris avant 1970 et après 2149", () => {
    expect(addDays("1970-01-01", -1)).toBe("1969-12-31");
    expect(addDays("2149-06-06", 1)).toBe("2149-06-07");
    expect(addDays("2024-12-31", 366)).toBe("2026-01-01");
    expect(daysBetween("2025-03-01", "2025-02-28")).toBe(-1);
    expect(daysBetween("2025-03-01", "2025-03-01")).toBe(0);
  });

  it.each([
    ["2025-01-01", "2025-01-02", -1],
    ["2025-01-02", "2025-01-01", 1],
    ["2025-01-01", "2025-01-01", 0],
    ["2024-12-31", "2025-01-01", -1],
  ])("compare %s et %s : %i", (a, b, sign) => expect(compareDates(a, b)).toBe(sign));

  it("min et max de deux dates, égales comprises", () => {
    expect(minDate("2025-03-02", "2025-03-01")).toBe("2025-03-01");
    expect(minDate("2025-03-01", "2025-03-02")).toBe("2025-03-01");
    expect(maxDate("2025-03-02", "2025-03-01")).toBe("2025-03-02");
    expect(maxDate("2025-03-01", "2025-03-02")).toBe("2025-03-02");
    expect(minDate("2025-03-01", "2025-03-01")).toBe("2025-03-01");
    expect(maxDate("2025-03-01", "2025-03-01")).toBe("2025-03-01");
  });

  it("bornes d'une période : incluses", () => {
    expect(isWithin("2025-01-01", "2025-01-01", "2025-12-31")).toBe(true);
    expect(isWithin("2025-12-31", "2025-01-01", "2025-12-31")).toBe(true);
    expect(isWithin("2024-12-31", "2025-01-01", "2025-12-31")).toBe(false);
    expect(isWithin("2026-01-01", "2025-01-01", "2025-12-31")).toBe(false);
  });

  it("année, premier et dernier jour de l'année, date à la française", () => {
    expect(yearOf("2025-12-31")).toBe(2025);
    expect(startOfYear(2026)).toBe("2026-01-01");
    expect(endOfYear(2026)).toBe("2026-12-31");
    expect(formatDateFr("2025-03-01")).toBe("01/03/2025");
    expect(formatDateFr("2025-11-23")).toBe("23/11/2025");
  });

  it("la date de Paris change à minuit heure de Paris, été comme hiver", () => {
    expect(parisToday(new Date("2025-12-31T22:59:59Z"))).toBe("2025-12-31");
    expect(parisToday(new Date("2025-12-31T23:00:00Z"))).toBe("2026-01-01");
    expect(parisToday(new Date("2025-08-31T21:59:59Z"))).toBe("2025-08-31");
    expect(parisToday(new Date("2025-08-31T22:00:00Z"))).toBe("2025-09-01");
  });

  it("asked again and again, in any order, the same answers (the last minute is remembered)", () => {
    const cases: [string, string][] = [
      ["2025-12-31T22:59:00.000Z", "2025-12-31"],
      ["2025-12-31T22:59:59.999Z", "2025-12-31"],
      ["2025-12-31T23:00:00.000Z", "2026-01-01"],
      ["2025-12-31T22:59:30.000Z", "2025-12-31"],
      ["2026-03-29T00:59:59.999Z", "2026-03-29"],
      ["2026-03-29T01:00:00.000Z", "2026-03-29"],
      ["2026-10-24T21:59:59.999Z", "2026-10-24"],
      ["2026-10-24T22:00:00.000Z", "2026-10-25"],
      ["2026-10-25T22:59:59.999Z", "2026-10-25"],
      ["2026-10-25T23:00:00.000Z", "2026-10-26"],
      ["1969-12-31T23:00:00.000Z", "1970-01-01"],
      ["1969-12-31T22:59:59.999Z", "1969-12-31"],
      // Paris mean time (UTC+0:09:21) until 1911: midnight in Paris was 23:50:39 UTC, within a UTC minute
      ["1900-12-31T23:50:38.000Z", "1900-12-31"],
      ["1900-12-31T23:50:40.000Z", "1901-01-01"],
    ];
    for (let round = 0; round < 2; round++) for (const [at, day] of cases) expect(parisToday(new Date(at)), at).toBe(day);
  });
});

describe("argent : arrondis et format", () => {
  it.each([
    [7, 2, 4], // 3.5 → 4
    [5, 2, 3], // 2.5 → 3
    [-7, 2, -4], // half away from zero
    [-5, 2, -3],
    [1, 3, 0],
    [2, 3, 1],
    [-1, 3, 0],
    [-2, 3, -1],
    [0, 7, 0],
    [1_437_500 * 75, 100, 1_078_125],
  ])("divise %i par %i en arrondissant la demie loin de zéro : %i", (n, d, expected) => {
    expect(divRoundHalfUp(n, d) + 0).toBe(expected); // + 0: -1/3 gives -0, the same amount
  });

  it("divise des non-entiers par l'arrondi ordinaire", () => {
    expect(divRoundHalfUp(7.5, 2)).toBe(4); // 3.75
    expect(divRoundHalfUp(5, 2.5)).toBe(2);
    expect(divRoundHalfUp(-7.5, 2)).toBe(-4);
    // a non-integer carries float noise: like roundHalfUp, noise below 1e-6 cent is read as the half
    expect(divRoundHalfUp(1.4999999999, 1)).toBe(2);
    // a negative divisor goes through the ordinary rounding too (half away from zero)
    expect(divRoundHalfUp(3, -2)).toBe(-2);
  });

  it("divise des centimes entiers exactement, sans tolérance d'arrondi", () => {
    // 0.4999999 cent exactly: below the half, even though roundHalfUp would read it as the half
    expect(divRoundHalfUp(4_999_999, 10_000_000)).toBe(0);
    expect(divRoundHalfUp(5_000_000, 10_000_000)).toBe(1);
  });

  it.each([
    [0.5, 1],
    [0.499998, 0],
    [0.4999999, 1], // float noise below 1e-6 cent is ignored: this is the half
    [1.0000004, 1],
    [2.4999999999, 3],
    [-2.5, -3],
    [-2.4, -2],
    [0, 0],
    [-0.4, 0],
  ])("arrondit %f → %i", (v, expected) => expect(roundHalfUp(v) + 0).toBe(expected));

  it("un partage 75/25 ou 25/75 retombe toujours sur le total", () => {
    for (const amount of [1, 3, 99, 100, 101, 2_500_000, 1_437_501]) {
      for (const percent of [25, 75, 50, 10]) {
        const [a, b] = splitPercent(amount, percent);
        expect(a + b).toBe(amount);
        expect(a).toBe(divRoundHalfUp(amount * percent, 100));
      }
    }
    expect(splitPercent(3, 50)).toEqual([2, 1]);
  });

  it("additionne des centimes", () => {
    expect(sumCents([])).toBe(0);
    expect(sumCents([150, -50, 1])).toBe(101);
  });

  it("convertit des euros en centimes", () => {
    expect(euros(1234.56)).toBe(123_456);
    expect(euros(0.1 + 0.2)).toBe(30);
    expect(euros(-2)).toBe(-200);
  });

  it.each([
    [0, "0,00 €"],
    [-0, "0,00 €"],
    [-0.4, "0,00 €"], // rounds to zero: never « -0,00 € »
    [-0.5, "-0,01 €"],
    [-5, "-0,05 €"],
    [99, "0,99 €"],
    [100, "1,00 €"],
    [100_000, "1 000,00 €"],
    [99_999_999, "999 999,99 €"],
    [100_000_000, "1 000 000,00 €"],
    [123_456_789, "1 234 567,89 €"],
    [-123_456_789, "-1 234 567,89 €"],
    [10_000_000_000, "100 000 000,00 €"],
    [12.5, "0,13 €"],
    [0.5, "0,01 €"], // a positive fraction that rounds to 1 cent takes no sign (constant mutant « cents < 1 »)
  ])("formate %f centimes : « %s »", (cents, text) => expect(formatEuros(cents)).toBe(text));
});

describe("taille", () => {
  it.each([
    [1, true],
    [2, true],
    [3, true],
    [4, true],
    [0, false],
    [5, false],
    ["1", false],
    [null, false],
  ])("%s est une taille ACI : %s", (v, ok) => expect(isAciSize(v)).toBe(ok));

  it("les quatre tailles, dans l'ordre", () => expect(SIZES).toEqual([1, 2, 3, 4]));

  it("dit quelle population est refusée", () => {
    expect(() => sizeFromPopulation(-1)).toThrow(/-1/);
    expect(() => sizeFromPopulation(Number.NaN)).toThrow(RangeError);
    expect(sizeFromPopulation(0)).toBe(1);
    expect(sizeFromPopulation(40_001)).toBe(2);
    expect(sizeFromPopulation(79_999)).toBe(2);
    expect(sizeFromPopulation(174_999)).toBe(3);
  });
});
