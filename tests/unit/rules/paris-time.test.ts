import { describe, expect, it } from "vitest";
import { formatDateTimeFr, formatParisDateTimeFr, parisWallTimeToInstant, parseParisWallTime, toParisLocal } from "../../../src/rules/paris-time.ts";

describe("heure de Paris saisie ↔ instant", () => {
  it.each([
    // [typed, instant (UTC), ambiguous]
    ["2026-01-15 09:30", "2026-01-15T08:30:00.000Z", false],
    ["2026-07-01T12:00", "2026-07-01T10:00:00.000Z", false],
    ["2026-07-01 12h00", "2026-07-01T10:00:00.000Z", false],
    ["2026-01-15", "2026-01-14T23:00:00.000Z", false],
    // spring forward, 2026-03-29: the minutes either side of the gap exist
    ["2026-03-29 01:59", "2026-03-29T00:59:00.000Z", false],
    ["2026-03-29 03:00", "2026-03-29T01:00:00.000Z", false],
    // fall back, 2026-10-25: the repeated hour gives the EARLIER instant (still UTC+2)
    ["2026-10-25 02:00", "2026-10-25T00:00:00.000Z", true],
    ["2026-10-25 02:30", "2026-10-25T00:30:00.000Z", true],
    ["2026-10-25 02:59", "2026-10-25T00:59:00.000Z", true],
    ["2026-10-25 01:59", "2026-10-24T23:59:00.000Z", false],
    ["2026-10-25 03:00", "2026-10-25T02:00:00.000Z", false],
    ["2025-10-26 02:30", "2025-10-26T00:30:00.000Z", true],
    // spaces around what is typed are ignored
    ["  2026-01-15 09:30 ", "2026-01-15T08:30:00.000Z", false],
  ])("%s → %s", (typed, iso, ambiguous) => {
    const r = parseParisWallTime(typed);
    expect(r).toEqual({ ok: true, instant: new Date(iso), ambiguous });
    expect(parisWallTimeToInstant(typed)?.toISOString()).toBe(iso);
  });

  it.each([
    ["2026-03-29 02:30", /29\/03\/2026 à 02h30 n'existe pas à Paris.*de 02h00 à 03h00/],
    ["2026-03-29 02:00", /de 02h00 à 03h00\. Choisissez une heure avant 02h00 ou à partir de 03h00\.$/],
    ["2025-03-30 02:59", /30\/03\/2025 à 02h59 n'existe pas à Paris/],
    ["2026-02-30 10:00", /30\/02\/2026 n'existe pas dans le calendrier/],
    ["2026-02-29", /n'existe pas dans le calendrier/],
    ["2026-06-30 24:00", /n'est pas une heure valide/],
    ["2026-06-30 12:60", /n'est pas une heure valide/],
    ["30/06/2026 20:00", /AAAA-MM-JJ HH:MM/],
    ["", /AAAA-MM-JJ HH:MM/],
    // nothing before or after the date and time
    ["le 2026-06-30 20:00", /AAAA-MM-JJ HH:MM/],
    ["2026-06-30 20:00:00", /AAAA-MM-JJ HH:MM/],
    // a 13th month does not roll over into January (Date.UTC would)
    ["2026-13-01 10:00", /01\/13\/2026 n'existe pas dans le calendrier/],
    ["2026-00-10", /10\/00\/2026 n'existe pas dans le calendrier/],
    ["2026-04-31", /31\/04\/2026 n'existe pas dans le calendrier/],
  ])("refuse « %s » avec un message en français", (typed, message) => {
    const r = parseParisWallTime(typed);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
    expect(parisWallTimeToInstant(typed)).toBeNull();
  });

  it.each([
    ["2026-06-30T16:00:00Z", "2026-06-30T18:00", "30/06/2026 à 18h00", "30/06/2026 18:00"],
    ["2026-12-31T23:30:00Z", "2027-01-01T00:30", "01/01/2027 à 00h30", "01/01/2027 00:30"],
    ["2026-10-25T00:30:00Z", "2026-10-25T02:30", "25/10/2026 à 02h30", "25/10/2026 02:30"],
    ["2026-10-25T01:30:00Z", "2026-10-25T02:30", "25/10/2026 à 02h30", "25/10/2026 02:30"],
  ])("affiche %s en heure de Paris", (iso, local, long, short) => {
    const at = new Date(iso);
    expect(toParisLocal(at)).toBe(local);
    expect(formatParisDateTimeFr(at)).toBe(long);
    expect(formatDateTimeFr(at)).toBe(short);
  });

  it.each([
    ["mars", Date.UTC(2026, 2, 28)],
    ["octobre", Date.UTC(2026, 9, 24)],
  ])("relit ce qu'il affiche pour chaque quart d'heure du week-end de changement d'heure de %s", (_, start) => {
    for (let t = start; t < start + 3 * 86_400_000; t += 15 * 60_000) {
      const at = new Date(t);
      const back = parseParisWallTime(toParisLocal(at));
      expect(back.ok).toBe(true);
      // in the repeated hour the second pass reads back as the first: one hour earlier
      if (back.ok) expect([0, 3_600_000]).toContain(t - back.instant.getTime());
    }
  });
});
