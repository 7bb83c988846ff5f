/**
 * Calendar dates as `YYYY-MM-DD` strings (Europe/Paris calendar days).
 * All arithmetic goes through a day number (days since 1970-01-01, computed in UTC so that
 * no daylight-saving shift can move a date). Never reads the clock: `parisToday` takes the instant.
 */

export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Returns the parts of a valid ISO calendar date, or null (e.g. "2023-02-29" is invalid). */
export function parseIsoDate(value: string): DateParts | null {
  const match = ISO_DATE.exec(value);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === "string" && parseIsoDate(value) !== null;
}

function partsOf(date: IsoDate): DateParts {
  const parts = parseIsoDate(date);
  if (!parts) throw new RangeError(`Invalid calendar date: ${JSON.stringify(date)}`);
  return parts;
}

export function formatIsoDate({ year, month, day }: DateParts): IsoDate {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

export function toDayNumber(date: IsoDate): number {
  const { year, month, day } = partsOf(date);
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

export function fromDayNumber(dayNumber: number): IsoDate {
  const d = new Date(dayNumber * MS_PER_DAY);
  return formatIsoDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Adds calendar months, clamping to the end of the target month (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const { year, month, day } = partsOf(date);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  return formatIsoDate({ year: targetYear, month: targetMonth, day: Math.min(day, daysInMonth(targetYear, targetMonth)) });
}

export function addYears(date: IsoDate, years: number): IsoDate {
  return addMonths(date, years * 12);
}

/** Signed number of days from `from` to `to` (0 when equal; positive when `to` is later). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  return Math.sign(toDayNumber(a) - toDayNumber(b));
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return compareDates(a, b) <= 0 ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return compareDates(a, b) >= 0 ? a : b;
}

export function yearOf(date: IsoDate): number {
  return partsOf(date).year;
}

export function startOfYear(year: number): IsoDate {
  return formatIsoDate({ year, month: 1, day: 1 });
}

export function endOfYear(year: number): IsoDate {
  return formatIsoDate({ year, month: 12, day: 31 });
}

/** True when from ≤ date ≤ to (inclusive bounds). */
export function isWithin(date: IsoDate, from: IsoDate, to: IsoDate): boolean {
  return compareDates(date, from) >= 0 && compareDates(date, to) <= 0;
}

const PARIS_DATE = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The Europe/Paris calendar date of an instant (23:30 UTC on 31 Dec is already 1 Jan in Paris). */
export function parisToday(now: Date): IsoDate {
  const parts = PARIS_DATE.formatToParts(now);
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  return formatIsoDate({ year: get("year"), month: get("month"), day: get("day") });
}

/** French display form: 2025-03-01 → 01/03/2025. */
export function formatDateFr(date: IsoDate): string {
  const { year, month, day } = partsOf(date);
  return `${String(day).padStart(2, "0")}/${String(month).padStart(2, "0")}/${year}`;
}
