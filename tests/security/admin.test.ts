// The web admin's locks, tried from the outside through real HTTP requests on the composed app:
// no session, wrong role, missing CSRF token, login brute force, and one CPTS reading another's data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp } from "../../src/http/server.ts";
import { adminComponent } from "../../src/admin/index.ts";
import { MAX_FAILURES, MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_IP } from "../../src/admin/auth.ts";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { Browser, PASSWORD, csrfOf, securityContext, seedTenant, type Requester, type Tenant } from "./tenants-setup.ts";

let t: TestDb;
let a: Tenant;
let b: Tenant;
let request: Requester;

beforeAll(async () => {
  t = await createTestDb();
  a = await seedTenant(t.db, "cpts-alpha", "Alphonse", "90001");
  b = await seedTenant(t.db, "cpts-beta", "Betancourt", "90002");
  const ctx = securityContext(t);
  const app = createHttpApp(ctx);
  await adminComponent.start(ctx, app);
  request = (path, init, env) => app.request(path, init, env);
});

afterAll(async () => {
  await t?.cleanup();
});

describe("admin : accès sans session", () => {
  it("renvoie vers la page de connexion pour chaque page protégée, sans rien montrer", async () => {
    for (const path of ["/admin", "/admin/adherents", "/admin/adherents/export.csv", `/admin/adherents/${a.memberIds[0]}`, "/admin/journal"]) {
      const res = await request(path);
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location"), path).toMatch(/^\/admin\/connexion/);
      expect(await res.text()).not.toContain(a.marker);
    }
  });

  it("refuse un POST sans session et n'écrit rien (formulaire complet avec un vrai jeton CSRF : seule la session manque)", async () => {
    // a real coordinator's form and CSRF token, so that the request would be accepted but for the missing session
    const coordinator = new Browser(request);
    await coordinator.login(a.coordinatorEmail);
    const token = csrfOf(await (await coordinator.go("/admin/adherents/nouveau")).text());
    const form = { _csrf: token, kind: "PHYSIQUE", category: "PROFESSIONNEL", status: "ACTIF", lastName: "Intrus", firstName: "Ivan", email: "intrus@exemple.fr", profession: "infirmier" };
    const before = await t.db.member.count();
    const res = await request("/admin/adherents/nouveau", {
      method: "POST",
      body: new URLSearchParams(form),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/connexion");
    expect(await t.db.member.count()).toBe(before);
    // control: the very same form from the logged-in coordinator is accepted (the refusal above was the session's)
    const accepted = await coordinator.post("/admin/adherents/nouveau", { ...form, email: "controle-session@exemple.fr" });
    expect(accepted.status).toBe(303);
    expect(await t.db.member.count({ where: { cptsId: a.id, email: "controle-session@exemple.fr" } })).toBe(1);
    expect(await t.db.member.count({ where: { email: "intrus@exemple.fr" } })).toBe(0);
  });

  it("refuse un cookie de session inventé", async () => {
    const res = await request("/admin/adherents", { headers: { cookie: "coordo_session=invente-de-toutes-pieces" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/admin\/connexion/);
  });
});

describe("admin : rôles et jeton CSRF", () => {
  it("un compte bureau reçoit 403 sur une action réservée à la coordination", async () => {
    const browser = new Browser(request);
    expect((await browser.login(a.bureauEmail)).status).toBe(303);
    const page = await browser.go("/admin/adherents/import");
    expect(page.status).toBe(403);
    expect(await page.text()).toContain("Accès refusé");
    const home = await browser.go("/admin/adherents");
    expect(home.status).toBe(200);
    const post = await browser.post("/admin/adherents/import", { _csrf: csrfOf(await home.text()), texte: "nom,prenom,email\nX,Y,x@y.fr", format: "auto" });
    expect(post.status).toBe(403);
  });

  it("refuse un POST sans jeton CSRF ou avec un faux jeton, et n'écrit rien", async () => {
    const browser = new Browser(request);
    await browser.login(a.coordinatorEmail);
    const before = await t.db.member.count({ where: { cptsId: a.id } });
    const form = { nom: "Sanscsrf", prenom: "Sam", email: "sam@cpts-alpha.fr", profession: "infirmier" };
    const missing = await browser.post("/admin/adherents/nouveau", form);
    expect(missing.status).toBe(403);
    expect(await missing.text()).toContain("jeton de sécurité");
    const forged = await browser.post("/admin/adherents/nouveau", { ...form, _csrf: "faux-jeton" });
    expect(forged.status).toBe(403);
    expect(await t.db.member.count({ where: { cptsId: a.id } })).toBe(before);
  });

  it("refuse la connexion sans le jeton du formulaire de connexion", async () => {
    const res = await request("/admin/connexion", {
      method: "POST",
      body: new URLSearchParams({ email: a.coordinatorEmail, password: PASSWORD }),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("coordo_session=") && !/coordo_session=;/.test(c))).toBe(false);
  });
});

describe("admin : limite des tentatives de connexion", () => {
  it("bloque le compte après cinq échecs depuis une adresse, et partout après MAX_FAILURES_PER_EMAIL échecs", async () => {
    const attacker = new Browser(request);
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await attacker.login(b.bureauEmail, `mauvais-mot-de-passe-${i}`);
      expect(res.status).toBe(401);
    }
    const blocked = await attacker.login(b.bureauEmail);
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toMatch(/tentatives|réessayez/i);
    expect((await attacker.go("/admin/adherents")).status).toBe(303);
    // five failures from one address do not lock the owner out elsewhere (no denial of service by anyone)
    expect((await new Browser(request).login(b.bureauEmail)).status).toBe(303);
    // a guess spread over addresses: the account is blocked from everywhere once the per-e-mail limit is reached
    const second = new Browser(request);
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL - MAX_FAILURES; i++) {
      expect((await second.login(b.bureauEmail, `autre-essai-${i}`)).status).toBe(401);
    }
    expect((await new Browser(request).login(b.bureauEmail)).status).toBe(429);
  });

  it("bloque l'adresse IP qui essaie des mots de passe sur plusieurs comptes", async () => {
    const attacker = new Browser(request);
    // one failure per account, so that only the per-address limit can trip
    const known = [a.bureauEmail, a.coordinatorEmail, b.coordinatorEmail];
    const targets = [...known, ...Array.from({ length: MAX_FAILURES_PER_IP - known.length }, (_, i) => `inconnu-${i}@exemple.fr`)];
    for (const email of targets) expect((await attacker.login(email, "devine-1234567")).status).toBe(401);
    expect((await attacker.login(a.coordinatorEmail, "devine-encore-123")).status).toBe(429);
    // the accounts themselves stay usable from their owners' addresses
    expect((await new Browser(request).login(b.coordinatorEmail)).status).toBe(303);
  }, 180_000); // 22 scrypt checks (N=2^17): 30 s in CI, over 60 s when CI shares the machine
});

describe("admin : cloisonnement entre CPTS", () => {
  it("la coordination de A ne lit ni la fiche, ni la liste, ni l'export des adhérents de B", async () => {
    const browser = new Browser(request);
    expect((await browser.login(a.coordinatorEmail)).status).toBe(303);
    const own = await browser.go(`/admin/adherents/${a.memberIds[1]}`);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain(`${a.marker}1`);

    const other = await browser.go(`/admin/adherents/${b.memberIds[1]}`);
    expect(other.status).toBe(404);
    expect(await other.text()).not.toContain(b.marker);

    const list = await (await browser.go("/admin/adherents")).text();
    expect(list).toContain(a.marker);
    expect(list).not.toContain(b.marker);

    const csv = await browser.go("/admin/adherents/export.csv");
    expect(csv.status).toBe(200);
    const body = await csv.text();
    expect(body).toContain(`${a.marker}0`);
    expect(body).not.toContain(b.marker);
    expect(body).not.toContain("cpts-beta");
  });

  it("la coordination de A ne modifie pas un adhérent de B en forgeant l'URL", async () => {
    const browser = new Browser(request);
    await browser.login(a.coordinatorEmail);
    const page = await browser.go("/admin/adherents");
    const token = csrfOf(await page.text());
    const res = await browser.post(`/admin/adherents/${b.memberIds[2]}`, { _csrf: token, nom: "Pirate", prenom: "P", email: "pirate@exemple.fr", profession: "infirmier" });
    expect([403, 404]).toContain(res.status);
    const member = await t.db.member.findUniqueOrThrow({ where: { id: b.memberIds[2] } });
    expect(member.lastName).toBe(`${b.marker}2`);
    const paid = await browser.post(`/admin/adherents/${b.memberIds[3]}/paiements`, { _csrf: token, montant: "30", date: "2026-03-01", moyen: "VIREMENT" });
    expect([403, 404]).toContain(paid.status);
    expect(await t.db.duesPayment.count({ where: { memberId: b.memberIds[3] } })).toBe(0);
  });
});
