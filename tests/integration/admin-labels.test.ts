import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { randomUUID } from "node:crypto";
import { adminTestEnv, Client, type AdminTestEnv } from "./admin-setup.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
// The product's own keys that must never reach a person (shared with the admin e2e crawl).
import { INTERNAL } from "../helpers/internal-keys.ts";

let env: AdminTestEnv;
let c: Client;
beforeAll(async () => {
  env = await adminTestEnv();
  c = new Client(env.app);
  expect((await c.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
  // A manual run and a scheduled run of the deadline alerts, as `coordo job run` leaves them.
  await env.t.db.jobRun.create({ data: { jobId: "aci-deadline-alerts", slot: `manual:${randomUUID()}`, state: "TERMINE", startedAt: new Date("2026-11-23T08:00:00Z"), finishedAt: new Date("2026-11-23T08:00:03Z") } });
  await env.t.db.auditLog.createMany({ data: [
    { cptsId: env.cptsId, actor: "admin:coordination@exemple.fr", action: "cotisation.enregistree" },
    { cptsId: env.cptsId, actor: "job:aci-deadline-alerts", action: "dues.reminders" },
    { cptsId: env.cptsId, actor: "cli", action: "deadline.done" },
  ] });
  await env.t.db.jobRun.create({ data: { jobId: "dues-reminders", slot: "2026-11-23T08:00:00.000Z", state: "TERMINE", startedAt: new Date("2026-11-23T08:00:00Z"), finishedAt: new Date("2026-11-23T08:00:01Z") } });
});
afterAll(async () => env?.t.cleanup());

/** The text a person reads: tags, attribute values and scripts removed. */
function visibleText(html: string): string {
  return html.replace(/<script[\s\S]*?<\/script>/g, " ").replace(/<style[\s\S]*?<\/style>/g, " ").replace(/<[^>]*>/g, " ").replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
}


describe(`admin : aucun identifiant interne affiché (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("journal, échéances, envois, tableau de bord, CPTS, financement : des mots français seulement", async () => {
    const leaks: string[] = [];
    for (const path of ["/admin", "/admin/journal", "/admin/echeances", "/admin/echeances?passees=1", "/admin/envois", "/admin/cpts", "/admin/financement"]) {
      const res = await c.get(path);
      expect(res.status, path).toBe(200);
      const text = visibleText(await res.text());
      for (const re of INTERNAL) for (const m of text.matchAll(new RegExp(re.source, "g"))) leaks.push(`${path}: ${m[0]}`);
    }
    expect([...new Set(leaks)]).toEqual([]);
  });

  it("les durées sont dites en mots : aujourd'hui, demain, dans 3 jours, en retard de 2 jours", async () => {
    const { daysFromTodayFr } = await import("../../src/app/labels.ts");
    expect(daysFromTodayFr(0)).toBe("aujourd'hui");
    expect(daysFromTodayFr(1)).toBe("demain");
    expect(daysFromTodayFr(3)).toBe("dans 3 jours");
    expect(daysFromTodayFr(-1)).toBe("hier");
    expect(daysFromTodayFr(-2)).toBe("il y a 2 jours");
  });

  it("iCal : une échéance faite reste confirmée et dit « (fait) » ; la description est en français, sans clé interne", async () => {
    const feedOf = async () => {
      const { icalToken } = await env.t.db.cpts.findUniqueOrThrow({ where: { id: env.cptsId } });
      const res = await env.app.request(`/ical/${icalToken}.ics`);
      expect(res.status).toBe(200);
      return (await res.text()).replace(/\r\n /g, "");
    };
    const before = await feedOf();
    const uid = /UID:([^@\r\n]+)@/.exec(before)![1]!.replace(/\\([;,\\])/g, "$1");
    await c.get("/admin/echeances");
    expect((await c.post("/admin/echeances/fait", { key: uid })).status).toBe(303);
    const feed = await feedOf();
    expect(feed).not.toContain("CANCELLED");
    const event = feed.slice(feed.indexOf(`UID:${before.match(/UID:([^@\r\n]+)@/)![1]}@`));
    const ev = event.slice(0, event.indexOf("END:VEVENT"));
    expect(ev).toContain("STATUS:CONFIRMED");
    expect(ev).toMatch(/SUMMARY:.+ \(fait\)/);
    expect(ev).toMatch(/DESCRIPTION:.+ : échéance du \d{1,2}(er)? [a-zéû]+ \d{4}\. Responsable : [a-zéè]+\. État : faite\./);
    const descriptions = [...feed.matchAll(/^DESCRIPTION:(.*)$/gm)].map((m) => m[1]!);
    expect(descriptions.length).toBeGreaterThan(3);
    for (const d of descriptions) for (const re of INTERNAL) expect(d.match(re)?.[0], d).toBeUndefined();
    for (const d of descriptions) expect(d).not.toMatch(/\([a-z_]+:[^)]*\)|coordo/);
  });

  it("mise en page : lien d'évitement « Aller au contenu », aria-current sur l'entrée active du menu, focus visible", async () => {
    const html = await (await c.get("/admin/echeances")).text();
    expect(html).toMatch(/<body><a class="skip" href="#contenu">Aller au contenu<\/a>/);
    expect(html).toContain('<main id="contenu" tabindex="-1">');
    expect(html.match(/aria-current="page"/g)).toHaveLength(1);
    expect(html).toMatch(/<a href="\/admin\/echeances" class="on" aria-current="page">Échéances<\/a>/);
    const css = await (await c.get("/admin/assets/admin.css")).text();
    expect(css).toMatch(/:focus-visible[^{]*\{outline:3px solid/);
  });
});
