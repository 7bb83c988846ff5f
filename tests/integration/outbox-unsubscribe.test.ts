import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Hono } from "hono";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { contextAt } from "./jobs-context.ts";
import { mountUnsubscribe } from "../../src/mail/unsubscribe.ts";
import { unsubscribeUrl } from "../../src/mail/links.ts";

let t: TestDb;
let app: Hono;
let member: { id: string; unsubscribeToken: string };

beforeAll(async () => {
  t = await createTestDb();
  const cpts = await t.db.cpts.create({ data: { slug: "desabo", name: "CPTS du Désabonnement", population: 1000 } });
  member = await t.db.member.create({ data: { cptsId: cpts.id, firstName: "Lou", lastName: "Martin", email: "lou@exemple-sante.fr" } });
  const ctx = contextAt(t, "2026-03-01");
  app = new Hono();
  mountUnsubscribe(app, ctx);
});
afterAll(async () => t?.cleanup());

const path = (type: string, token = member.unsubscribeToken) => new URL(unsubscribeUrl(contextAt(t, "2026-03-01").config, token, type as "newsletter")).pathname + `?type=${type}`;

const text = (html: string) => html.replace(/&#39;/g, "'").replace(/&quot;/g, '"');

describe(`désabonnement (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("GET montre une page de confirmation en français sans rien changer", async () => {
    const res = await app.request(path("newsletter"));
    expect(res.status).toBe(200);
    const body = text(await res.text());
    expect(body).toContain("Se désabonner de la lettre d'information");
    expect(body).toContain('<form method="post">');
    expect(body).toContain("lou@exemple-sante.fr");
    expect((await t.db.member.findUniqueOrThrow({ where: { id: member.id } })).prefNewsletter).toBe(true);
  });

  it("POST en un clic (RFC 8058) désabonne de ce seul type de message", async () => {
    const res = await app.request(path("newsletter"), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" });
    expect(res.status).toBe(200);
    expect(text(await res.text())).toContain("vous ne recevrez plus la lettre d'information");
    const m = await t.db.member.findUniqueOrThrow({ where: { id: member.id } });
    expect([m.prefNewsletter, m.prefDuesReminders, m.prefAlerts]).toEqual([false, true, true]);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "preferences.unsubscribe" } });
    expect(audit.details).toEqual({ oneClick: true });
  });

  it("les relances et les alertes se désabonnent séparément", async () => {
    await app.request(path("relances"), { method: "POST" });
    const m = await t.db.member.findUniqueOrThrow({ where: { id: member.id } });
    expect([m.prefNewsletter, m.prefDuesReminders, m.prefAlerts]).toEqual([false, false, true]);
  });

  it("un lien inconnu ou un type inconnu répond 404 avec une explication", async () => {
    const res = await app.request(path("newsletter", "inconnu"), { method: "POST" });
    expect(res.status).toBe(404);
    expect(text(await res.text())).toContain("n'est pas (ou plus) valable");
    expect((await app.request(path("spam"))).status).toBe(404);
  });
});
