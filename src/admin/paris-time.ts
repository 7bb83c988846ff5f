// "YYYY-MM-DDTHH:mm" typed in a datetime-local field means Paris wall-clock time.
const FMT = new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });

function parisWallClock(d: Date): string {
  const p = Object.fromEntries(FMT.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

export function parisLocalToDate(local: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const asUtc = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!);
  // Paris is UTC+1 or UTC+2: try both offsets and keep the one that reads back the same wall clock.
  for (const offsetH of [1, 2]) {
    const d = new Date(asUtc - offsetH * 3600_000);
    if (parisWallClock(d) === local) return d;
  }
  return null;
}

export function toParisLocal(d: Date): string {
  return parisWallClock(d);
}

export function formatDateTimeFr(d: Date): string {
  return d.toLocaleString("fr-FR", { timeZone: "Europe/Paris", dateStyle: "short", timeStyle: "short" });
}
