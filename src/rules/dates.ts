/**
 * Calendar dates as `YYYY-MM-DD` strings (Europe/Paris calendar days).
 * All arithmetic goes through a day number (days since 1970-01-01, computed in UTC so that
 * no daylight-saving shift can move a date). Never reads the clock: `parisToday` takes the instant.
 */

export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// The rules convert the same few thousand dates back and forth (800 CPTS × 5 years × every line):
// small memo tables turn that parsing into lookups. Bounded: cleared when they grow too large.
const MEMO_LIMIT = 50_000;
const MS_PER_DAY = 86_400_000;

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
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

const validParts = new Map<IsoDate, Readonly<DateParts>>();

function partsOf(date: IsoDate): Readonly<DateParts> {
  const known = validParts.get(date);
  // Stryker disable next-line ConditionalExpression: memo cache, a miss recomputes the same parts
  if (known) return known;
  const parts = parseIsoDate(date);
  if (!parts) throw new RangeError(`Invalid calendar date: ${JSON.stringify(date)}`);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: bound of a memo cache, clearing it sooner or later gives the same values
  if (validParts.size >= MEMO_LIMIT) validParts.clear();
  validParts.set(date, parts);
  return parts;
}

export function formatIsoDate({ year, month, day }: DateParts): IsoDate {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

const dayNumbers = new Map<IsoDate, number>();
const isoDates = new Map<number, IsoDate>();

export function toDayNumber(date: IsoDate): number {
  const known = dayNumbers.get(date);
  // Stryker disable next-line ConditionalExpression: memo cache, a miss recomputes the same day number
  if (known !== undefined) return known;
  const { year, month, day } = partsOf(date);
  const n = Date.UTC(year, month - 1, day) / MS_PER_DAY;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: bound of a memo cache, clearing it sooner or later gives the same values
  if (dayNumbers.size >= MEMO_LIMIT) dayNumbers.clear();
  dayNumbers.set(date, n);
  return n;
}

// Days 0 … 65 535 (1970 – 2149) are memoized in a plain array (an index instead of a hash lookup:
// the rules format a few hundred dates per CPTS); other days go through the bounded map.
const ISO_BY_DAY_COUNT = 65_536;
// Stryker disable next-line ArrayDeclaration: a preallocated or an empty array memoizes the same dates
const isoByDay: (IsoDate | undefined)[] = new Array<IsoDate | undefined>(ISO_BY_DAY_COUNT);

export function fromDayNumber(dayNumber: number): IsoDate {
  // Stryker disable ConditionalExpression,LogicalOperator,EqualityOperator,BlockStatement: array fast path of the memo, every path formats the same date
  if (dayNumber >= 0 && dayNumber < ISO_BY_DAY_COUNT && (dayNumber | 0) === dayNumber) {
    return isoByDay[dayNumber] ?? (isoByDay[dayNumber] = formatDayNumber(dayNumber));
  }
  // Stryker restore ConditionalExpression,LogicalOperator,EqualityOperator,BlockStatement
  const known = isoDates.get(dayNumber);
  // Stryker disable next-line ConditionalExpression: memo cache, a miss formats the same date
  if (known !== undefined) return known;
  const iso = formatDayNumber(dayNumber);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: bound of a memo cache, clearing it sooner or later gives the same values
  if (isoDates.size >= MEMO_LIMIT) isoDates.clear();
  isoDates.set(dayNumber, iso);
  return iso;
}

function formatDayNumber(dayNumber: number): IsoDate {
  const d = new Date(dayNumber * MS_PER_DAY);
  return formatIsoDate({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() });
}

/**
 * Calendar parts of a day number (the inverse of the day count, proleptic Gregorian, no Date object):
 * H. Hinnant's civil_from_days. Same parts as `new Date(n * 86 400 000).getUTC…()`.
 */
export function partsOfDayNumber(dayNumber: number): DateParts {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day: doy - Math.floor((153 * mp + 2) / 5) + 1 };
}

/**
 * `addMonths` on day numbers (end-of-month clamping included), for the rules' inner loops:
 * equals `toDayNumber(addMonths(fromDayNumber(n), months))` for every date from year 100 on.
 */
export function addMonthsToDayNumber(dayNumber: number, months: number): number {
  const { year, month, day } = partsOfDayNumber(dayNumber);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  return Date.UTC(targetYear, targetMonth - 1, Math.min(day, daysInMonth(targetYear, targetMonth))) / MS_PER_DAY;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Adds calendar months, clamping to the end of the target month (31 Jan + 1 month = 28/29 Feb). */
const shiftedByMonths = new Map<string, IsoDate>();

export function addMonths(date: IsoDate, months: number): IsoDate {
  const key = `${date}|${months}`;
  const known = shiftedByMonths.get(key);
  // Stryker disable next-line ConditionalExpression: memo cache, a miss computes the same date
  if (known !== undefined) return known;
  const shifted = computeAddMonths(date, months);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: bound of a memo cache, clearing it sooner or later gives the same values
  if (shiftedByMonths.size >= MEMO_LIMIT) shiftedByMonths.clear();
  shiftedByMonths.set(key, shifted);
  return shifted;
}

function computeAddMonths(date: IsoDate, months: number): IsoDate {
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
  // Stryker disable next-line EqualityOperator: equivalent, two dates of the same day are the same string
  return compareDates(a, b) <= 0 ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  // Stryker disable next-line EqualityOperator: equivalent, two dates of the same day are the same string
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

// Stryker disable StringLiteral: module-level options read once at import, before Stryker can switch a mutant on (parisToday tests pin them)
const PARIS_DATE = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
// Stryker restore StringLiteral

/** The last UTC minute asked for and its Paris date (every chat command asks for today: Intl costs ≈ 30 µs a call). */
let lastMinute = NaN;
let lastParisDate = "";
/** Since 11 March 1911 Paris's offset is a whole number of hours (before: Paris mean time, UTC+0:09:21). */
const WHOLE_HOUR_OFFSETS_FROM = Date.UTC(1911, 2, 11);

/**
 * The Europe/Paris calendar date of an instant (23:30 UTC on 31 Dec is already 1 Jan in Paris). Paris's offset being
 * a whole number of hours, its date changes on a UTC minute boundary: within one UTC minute, one Paris date.
 */
export function parisToday(now: Date): IsoDate {
  const minute = now.getTime() >= WHOLE_HOUR_OFFSETS_FROM ? Math.floor(now.getTime() / 60_000) : NaN;
  if (minute === lastMinute) return lastParisDate;
  const parts = PARIS_DATE.formatToParts(now);
  // Stryker disable next-line OptionalChaining: equivalent, formatToParts always gives year, month and day
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const date = formatIsoDate({ year: get("year"), month: get("month"), day: get("day") });
  lastMinute = minute;
  lastParisDate = date;
  return date;
}

/** French display form: 2025-03-01 → 01/03/2025. */
export function formatDateFr(date: IsoDate): string {
  const { year, month, day } = partsOf(date);
  return `${String(day).padStart(2, "0")}/${String(month).padStart(2, "0")}/${year}`;
}
