/** Europe/Paris wall-clock times ↔ instants (vote opening and closing times typed by people). */
const PARIS_PARTS = new Intl.DateTimeFormat("en-GB", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
});

function parisOffsetMinutes(at: Date): number {
  const p = Object.fromEntries(PARIS_PARTS.formatToParts(at).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
  return Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

/**
 * "YYYY-MM-DD HH:mm" (or "YYYY-MM-DDTHH:mm", or a bare date = 00:00) read as Paris time; null when
 * malformed. In the autumn overlap hour the earlier instant is taken.
 */
export function parisWallTimeToInstant(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2})[:h](\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h = "0", mi = "0"] = m.slice(1);
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi));
  const check = new Date(wall);
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59) return null;
  let instant = wall - parisOffsetMinutes(new Date(wall)) * 60_000;
  instant = wall - parisOffsetMinutes(new Date(instant)) * 60_000;
  return new Date(instant);
}

/** "30/06/2026 à 18h00" in Paris time. */
export function formatParisDateTimeFr(at: Date): string {
  const p = Object.fromEntries(PARIS_PARTS.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} à ${p.hour}h${p.minute}`;
}
