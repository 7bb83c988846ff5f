// The review queue seen from the admin: a HelloAsso payment nobody matches is attached to a member
// by the treasurer; another CPTS neither sees nor touches it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp } from "../../src/http/server.ts";
import { adminComponent } from "../../src/admin/index.ts";
import { helloAssoComponent } from "../../src/helloasso/route.ts";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { Browser, csrfOf, securityContext, seedTenant, type Requester, type Tenant } from "../security/tenants-setup.ts";

let t: TestDb;
let a: Tenant;
let b: Tenant;
let request: Requester;
let tokenA: string;

const notification = {
  eventType: "Payment",
  data: {
    order: { id: 770001, date: "2026-03-18T11:00:00+01:00", formSlug: "adhesion-2026", formType: "Membership", organizationSlug: "cpts-alpha" },
    payer: { email: "cabinet.prive@gmail.com", firstName: "Ines", lastName: "Nouvelle" },
    items: [{ id: 880001, amount: 3000, shareAmount: 3000, type: "Membership", state: "Processed" }],
    id: 990001,
    amount: 3000,
    date: "2026-03-18T11:00:00+01:00",
    paymentMeans: "Card",
    installmentNumber: 1,
    state: "Authorized",
  },
};

beforeAll(async () => {
  t = await createTestDb();
  a = await seedTenant(t.db, "cpts-alpha", "Alphonse", "90001");
  b = await seedTenant(t.db, "cpts-beta", "Betancourt", "90002");
  tokenA = (await t.db.cpts.findUniqueOrThrow({ where: { id: a.id } })).helloassoToken;
  const ctx = securityContext(t);
  const app = createHttpApp(ctx);
  await adminComponent.start(ctx, app);
  await helloAssoComponent.start(ctx, app);
  request = (path, init, env) => app.request(path, init, env ?? { incoming: { socket: { remoteAddress: "203.0.113.5", remoteFamily: "IPv4" } } });
});

afterAll(async () => t?.cleanup());

describe(`admin : paiements HelloAsso à vérifier (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("montre le paiement en attente à sa CPTS seulement, et le rattache à l'adhérent choisi", async () => {
    const res = await request(`/helloasso/${tokenA}`, { method: "POST", body: JSON.stringify(notification), headers: { "content-type": "application/json" } });
    expect(await res.json()).toMatchObject({ paiements: [{ outcome: "a_verifier" }] });
    const pending = await t.db.pendingPayment.findFirstOrThrow({ where: { externalId: "990001" } });

    const other = new Browser(request);
    await other.login(b.coordinatorEmail);
    const otherPage = await other.go("/admin/paiements-a-verifier");
    expect(otherPage.status).toBe(200);
    const otherHtml = await otherPage.text();
    expect(otherHtml).not.toContain("cabinet.prive@gmail.com");
    const intrusion = await other.post(`/admin/paiements-a-verifier/${pending.id}`, { _csrf: csrfOf(otherHtml), email: "adherent1@cpts-beta.fr" });
    expect(intrusion.status).toBe(303);
    expect(await t.db.duesPayment.count({ where: { externalId: "990001" } })).toBe(0);
    expect((await t.db.pendingPayment.findUniqueOrThrow({ where: { id: pending.id } })).resolvedAt).toBeNull();

    const treasurer = new Browser(request);
    expect((await treasurer.login(a.bureauEmail)).status).toBe(303);
    const page = await treasurer.go("/admin/paiements-a-verifier");
    const html = await page.text();
    expect(html).toContain("cabinet.prive@gmail.com");
    expect(html).toContain("30,00");
    const wrong = await treasurer.post(`/admin/paiements-a-verifier/${pending.id}`, { _csrf: csrfOf(html), email: "personne@nulle-part.fr" });
    expect(wrong.status).toBe(303);
    expect(await (await treasurer.go("/admin/paiements-a-verifier")).text()).toContain("Aucun adhérent de votre CPTS");
    const ok = await treasurer.post(`/admin/paiements-a-verifier/${pending.id}`, { _csrf: csrfOf(html), email: "adherent2@cpts-alpha.fr" });
    expect(ok.status).toBe(303);
    const after = await (await treasurer.go("/admin/paiements-a-verifier")).text();
    expect(after).toContain("Paiement accepté pour Prenom2 Alphonse2");
    expect(after).toContain("Aucun paiement à vérifier");
    expect(await t.db.duesPayment.findFirstOrThrow({ where: { externalId: "990001" } })).toMatchObject({
      memberId: a.memberIds[2],
      cptsId: a.id,
      amountCents: 3000,
      paidOn: "2026-03-18",
      recordedBy: `admin:${a.bureauEmail}`,
    });
  });
});
