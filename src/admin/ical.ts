// The secret iCalendar feed of a CPTS's deadlines: /ical/<Cpts.icalToken>.ics (a calendar app
// subscribes to it; the token is the only credential, and can be regenerated from the admin).
import type { Context } from "hono";
import type { AppContext } from "../app/context.ts";
import { CptsAdminRepository } from "../db/repos/admin-repo.ts";
import { listDeadlines, OWNER_ROLE_LABELS } from "../app/services/deadlines.ts";
import { addDays, type Deadline } from "../rules/index.ts";
import { DEADLINE_STATE_LABELS } from "./labels.ts";
import { formatDateLongFr } from "../app/labels.ts";

function esc(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");
}

/** RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF + one space). */
function fold(line: string): string {
  const bytes = Buffer.from(line, "utf8");
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let cur = "";
  for (const ch of line) {
    if (Buffer.byteLength(cur + ch, "utf8") > (parts.length ? 74 : 75)) {
      parts.push(cur);
      cur = "";
    }
    cur += ch;
  }
  parts.push(cur);
  return parts.join("\r\n ");
}

const day = (iso: string) => iso.replace(/-/g, "");

export function icalendar(cptsName: string, list: Deadline[], now: Date, host: string): string {
  const stamp = now.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//coordo//echeances//FR", "CALSCALE:GREGORIAN", "METHOD:PUBLISH", `X-WR-CALNAME:${esc(`Échéances — ${cptsName}`)}`, "X-WR-TIMEZONE:Europe/Paris"];
  for (const d of list) {
    lines.push(
      "BEGIN:VEVENT",
      `UID:${esc(d.key)}@${host}`,
      `DTSTAMP:${stamp}`,
      `DTSTART;VALUE=DATE:${day(d.dueDate)}`,
      `DTEND;VALUE=DATE:${day(addDays(d.dueDate, 1))}`,
      // A done deadline stays in the calendar, confirmed, and says so (CANCELLED would strike it out or hide it).
      `SUMMARY:${esc(d.state === "fait" ? `${d.label} (fait)` : d.label)}`,
      `DESCRIPTION:${esc(`${d.label} : échéance du ${formatDateLongFr(d.dueDate)}. Responsable : ${OWNER_ROLE_LABELS[d.ownerRole]}. État : ${DEADLINE_STATE_LABELS[d.state]}.`)}`,
      "STATUS:CONFIRMED",
      "TRANSP:TRANSPARENT",
    );
    if (d.state !== "fait") lines.push("BEGIN:VALARM", "ACTION:DISPLAY", `DESCRIPTION:${esc(d.label)}`, "TRIGGER:-P7D", "END:VALARM");
    lines.push("END:VEVENT");
  }
  lines.push("END:VCALENDAR");
  return lines.map(fold).join("\r\n") + "\r\n";
}

export async function icalFeed(ctx: AppContext, c: Context): Promise<Response> {
  const m = /^([A-Za-z0-9_-]{10,100})\.ics$/.exec(c.req.param("file") ?? "");
  const cpts = m ? await new CptsAdminRepository(ctx.db).byIcalToken(m[1]!) : null;
  if (!cpts) return c.text("Calendrier introuvable.", 404);
  const list = await listDeadlines(ctx, cpts.id, ctx.clock.today());
  const host = new URL(ctx.config.PUBLIC_URL ?? "http://localhost").hostname;
  return c.body(icalendar(cpts.name, list, ctx.clock.now(), host), 200, {
    "Content-Type": "text/calendar; charset=utf-8",
    "Content-Disposition": 'inline; filename="echeances.ics"',
    "Cache-Control": "private, max-age=300",
    "Referrer-Policy": "no-referrer",
  });
}
