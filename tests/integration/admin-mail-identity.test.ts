// The sender identity of a CPTS is set in the admin (page CPTS): display name and Reply-To; the From address
// stays the operator's MAIL_FROM. The next mail composed for that CPTS carries them.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, type AdminTestEnv } from "./admin-setup.ts";
import { DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD } from "../../src/db/demo-seed.ts";
import { mailComposer } from "../../src/mail/composer.ts";

let env: AdminTestEnv;

beforeAll(async () => {
  env = await adminTestEnv({ MAIL_FROM: "Service coordo <envois@coordo-sante.fr>", PUBLIC_URL: "https://coordo-sante.fr" });
});
afterAll(async () => env?.t.cleanup());

describe(`identité d'envoi réglée dans l'admin (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("nom d'expéditeur et Reply-To enregistrés, puis portés par les mails ; une adresse invalide est refusée sans rien écrire", async () => {
    const c = new Client(env.app);
    expect((await c.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
    await c.get("/admin/cpts");
    expect(c.lastHtml).toContain("Nom d&#39;expéditeur des mails");
    expect(c.lastHtml).toContain("envois@coordo-sante.fr");
    const base = { name: "CPTS du Val de Démo", population: "70000", newsletterCadence: "TRIMESTRIELLE" };

    const bad = await c.post("/admin/cpts/general", { ...base, mailSenderName: "Coordination", mailReplyTo: "pas-une-adresse" });
    expect([200, 303, 400, 422]).toContain(bad.status);
    expect((await env.t.db.cpts.findUniqueOrThrow({ where: { id: env.cptsId } })).mailReplyTo).toBeNull();

    await c.get("/admin/cpts");
    const ok = await c.post("/admin/cpts/general", { ...base, mailSenderName: "Coordination CPTS Val de Démo", mailReplyTo: "coordination@cpts-demo.fr" });
    expect(ok.status).toBe(303);
    const cpts = await env.t.db.cpts.findUniqueOrThrow({ where: { id: env.cptsId } });
    expect([cpts.mailSenderName, cpts.mailReplyTo]).toEqual(["Coordination CPTS Val de Démo", "coordination@cpts-demo.fr"]);

    const composed = await mailComposer(env.ctx)({ id: "row1", cptsId: env.cptsId, idempotencyKey: "k", channel: "MAIL", kind: "relance", recipient: "a@b.fr", memberId: null, subject: "s", bodyText: "t", bodyHtml: null, headers: null, attempts: 0, maybeSent: false });
    expect(composed.from).toEqual({ name: "Coordination CPTS Val de Démo", address: "envois@coordo-sante.fr" });
    expect(composed.replyTo).toBe("coordination@cpts-demo.fr");
    expect(composed.headers?.["Auto-Submitted"]).toBe("auto-generated");
  });

  it("la fiche adhérent montre les rejets temporaires et la plainte pour spam venus des rebonds", async () => {
    const m = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: { not: null }, emailInvalid: false }, orderBy: { email: "asc" } });
    const c = new Client(env.app);
    expect((await c.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
    await c.get(`/admin/adherents/${m.id}`);
    expect(c.lastHtml).not.toContain("rejets-temporaires");
    await env.t.db.member.update({ where: { id: m.id }, data: { softBounces: 2, emailComplainedAt: new Date("2026-11-20T09:15:00Z") } });
    await c.get(`/admin/adherents/${m.id}`);
    expect(c.lastHtml).toContain("2 rejets temporaires");
    expect(c.lastHtml).toContain("Plainte pour spam");
    expect(c.lastHtml).toContain("20/11/2026");
  });
});
