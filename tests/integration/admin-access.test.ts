import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, type AdminTestEnv } from "./admin-setup.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { AdminRepository } from "../../src/db/repos/admin-repo.ts";
import { hashPassword } from "../../src/app/password.ts";
import { MAX_FAILURES, MAX_FAILURES_PER_IP } from "../../src/admin/auth.ts";
import { run as adminCli } from "../../src/cli/admin.ts";
import { FORM_BODY_LIMIT, IMPORT_BODY_LIMIT } from "../../src/admin/app.tsx";
import { settled } from "../../src/app/services/member-import-jobs.ts";

let env: AdminTestEnv;
beforeAll(async () => {
  env = await adminTestEnv();
});
afterAll(async () => env?.t.cleanup());

async function coordinator(): Promise<Client> {
  const c = new Client(env.app);
  const res = await c.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD);
  expect(res.status).toBe(303);
  return c;
}

describe(`admin : accès et sécurité (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("sans session, toute page renvoie vers la connexion", async () => {
    const c = new Client(env.app);
    for (const path of ["/admin", "/admin/adherents", "/admin/cpts", "/admin/envois"]) {
      const res = await c.get(path);
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toMatch(/^\/admin\/connexion\?suite=/);
    }
    const post = await new Client(env.app).post("/admin/cpts/general", { name: "Piratée" }, { csrf: "x" });
    expect(post.status).toBe(303);
    expect((await env.t.db.cpts.findUniqueOrThrow({ where: { id: env.cptsId } })).name).not.toBe("Piratée");
  });

  it("la connexion de démonstration ouvre une session dans un cookie httpOnly SameSite=Lax", async () => {
    const c = new Client(env.app);
    await c.get("/admin/connexion");
    const res = await c.post("/admin/connexion", { email: DEMO_COORDINATOR_EMAIL, password: DEMO_ADMIN_PASSWORD });
    expect(res.status).toBe(303);
    const cookie = res.headers.getSetCookie().find((s) => s.startsWith("coordo_session="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    const token = cookie.split(";")[0]!.split("=")[1]!;
    // the database keeps only a hash of the token
    expect(await env.t.db.adminSession.findUnique({ where: { id: token } })).toBeNull();
    const home = await c.get("/admin");
    expect(home.status).toBe(200);
    expect(await home.text()).toContain("Cotisations 2026");
  });

  it("un mauvais mot de passe est refusé en français", async () => {
    const c = new Client(env.app);
    const res = await c.login(DEMO_COORDINATOR_EMAIL, "pas-le-bon");
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("E-mail ou mot de passe incorrect.");
    expect(c.cookies.has("coordo_session")).toBe(false);
  });

  it("la connexion sans jeton CSRF de formulaire est refusée", async () => {
    const c = new Client(env.app);
    await c.get("/admin/connexion");
    const res = await c.post("/admin/connexion", { email: DEMO_COORDINATOR_EMAIL, password: DEMO_ADMIN_PASSWORD }, { csrf: null });
    expect(res.status).toBe(403);
    expect(c.cookies.has("coordo_session")).toBe(false);
  });

  it(`bloque un e-mail depuis une adresse après ${MAX_FAILURES} échecs, même avec le bon mot de passe`, async () => {
    const repo = new AdminRepository(env.t.db);
    await repo.createUser({ cptsId: env.cptsId, email: "cible@cpts-demo.fr", passwordHash: await hashPassword("le-bon-mot-de-passe"), role: "BUREAU", actor: "test" });
    for (let i = 0; i < MAX_FAILURES; i++) {
      const res = await new Client(env.app, "192.0.2.10").login("cible@cpts-demo.fr", `faux-${i}`);
      expect(res.status).toBe(401);
    }
    const blocked = await new Client(env.app, "192.0.2.10").login("cible@cpts-demo.fr", "le-bon-mot-de-passe");
    expect(blocked.status).toBe(429);
    expect(await blocked.text()).toContain("Trop de tentatives de connexion");
    // 15 minutes later the window has passed
    const later = new Date(env.ctx.clock.now().getTime() + 16 * 60_000);
    const saved = env.ctx.clock;
    env.ctx.clock = { now: () => later, today: saved.today };
    try {
      expect((await new Client(env.app).login("cible@cpts-demo.fr", "le-bon-mot-de-passe")).status).toBe(303);
    } finally {
      env.ctx.clock = saved;
    }
  });

  it(`bloque une adresse IP après ${MAX_FAILURES_PER_IP} échecs, quels que soient les e-mails essayés`, async () => {
    const ip = "192.0.2.77";
    for (let i = 0; i < MAX_FAILURES_PER_IP; i++) {
      expect((await new Client(env.app, ip).login(`inconnu-${i}@exemple.fr`, "x")).status).toBe(401);
    }
    const blocked = await new Client(env.app, ip).login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD);
    expect(blocked.status).toBe(429);
    expect((await new Client(env.app, "192.0.2.78").login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
  }, 180_000); // 22 scrypt checks (N=2^17): 34 s in CI, over 60 s when CI shares the machine

  it("un POST sans jeton CSRF, ou avec un faux, est refusé et n'écrit rien", async () => {
    const c = await coordinator();
    await c.get("/admin/cpts");
    const fields = { name: "Nom changé", population: "70000", newsletterCadence: "MENSUELLE" };
    expect((await c.post("/admin/cpts/general", fields, { csrf: null })).status).toBe(403);
    expect((await c.post("/admin/cpts/general", fields, { csrf: "faux-jeton" })).status).toBe(403);
    expect((await env.t.db.cpts.findUniqueOrThrow({ where: { id: env.cptsId } })).name).toBe("CPTS du Val de Démo");
    await c.get("/admin/cpts");
    expect((await c.post("/admin/cpts/general", { ...fields, name: "CPTS du Val de Démo" })).status).toBe(303);
    expect((await env.t.db.cpts.findUniqueOrThrow({ where: { id: env.cptsId } })).newsletterCadence).toBe("MENSUELLE");
  });

  it("un compte bureau lit tout et enregistre un paiement, mais ne modifie pas la CPTS (403)", async () => {
    const repo = new AdminRepository(env.t.db);
    await repo.createUser({ cptsId: env.cptsId, email: "tresorerie@cpts-demo.fr", passwordHash: await hashPassword("tresorier-2026!"), role: "BUREAU", actor: "test" });
    const c = new Client(env.app);
    expect((await c.login("tresorerie@cpts-demo.fr", "tresorier-2026!")).status).toBe(303);
    for (const path of ["/admin", "/admin/cpts", "/admin/adherents", "/admin/financement", "/admin/echeances", "/admin/plan-de-crise", "/admin/reunions", "/admin/envois", "/admin/newsletters"]) {
      expect((await c.get(path)).status, path).toBe(200);
    }
    await c.get("/admin/cpts");
    const refused = await c.post("/admin/cpts/general", { name: "Par le bureau", population: "1000", newsletterCadence: "AUCUNE" });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("réservée au rôle « coordonnateur »");
    expect((await c.get("/admin/adherents/import")).status).toBe(403);
    const unpaid = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, payments: { none: { year: 2026 } }, roles: { some: { role: "ADHERENT" } }, duesExempt: false } });
    await c.get(`/admin/adherents/${unpaid.id}`);
    const paid = await c.post(`/admin/adherents/${unpaid.id}/paiements`, { amount: "30,00", paidOn: "2026-11-20", method: "CHEQUE", reference: "" });
    expect(paid.status).toBe(303);
    const p = await env.t.db.duesPayment.findFirstOrThrow({ where: { memberId: unpaid.id, year: 2026 } });
    expect(p.amountCents).toBe(3000);
    expect(await env.t.db.auditLog.count({ where: { actor: "tresorerie@cpts-demo.fr".replace(/^/, "admin:"), action: "cotisation.enregistree" } })).toBe(1);
  });

  it("un enregistrement d'une autre CPTS répond 404, en lecture comme en écriture", async () => {
    const other = await env.t.db.cpts.create({ data: { slug: "autre", name: "CPTS Autre", population: 30_000 } });
    const stranger = await env.t.db.member.create({ data: { cptsId: other.id, lastName: "Étranger", email: "etranger@autre.fr", roles: { create: { role: "ADHERENT" } } } });
    const letter = await env.t.db.newsletter.create({ data: { cptsId: other.id, subject: "Lettre de l'autre", body: "Texte de l'autre CPTS." } });
    const meeting = await env.t.db.meeting.create({ data: { cptsId: other.id, title: "Réunion de l'autre", mission: "parcours", heldOn: "2026-11-01", durationMin: 60 } });
    const commune = await env.t.db.commune.create({ data: { cptsId: other.id, inseeCode: "62001", name: "Ailleurs" } });
    const c = await coordinator();
    for (const path of [`/admin/adherents/${stranger.id}`, `/admin/newsletters/${letter.id}`, `/admin/newsletters/${letter.id}/apercu.html`, `/admin/reunions/${meeting.id}`]) {
      const res = await c.get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain("Étranger");
    }
    await c.get("/admin");
    expect((await c.post(`/admin/adherents/${stranger.id}/paiements`, { amount: "30", paidOn: "2026-11-20", method: "CHEQUE" })).status).toBe(404);
    await c.get("/admin");
    expect((await c.post(`/admin/adherents/${stranger.id}`, { kind: "PHYSIQUE", category: "PROFESSIONNEL", status: "ACTIF", lastName: "Volé" })).status).toBe(404);
    await c.get("/admin");
    expect((await c.post(`/admin/newsletters/${letter.id}/envoyer`, {})).status).toBe(404);
    await c.get("/admin");
    expect((await c.post(`/admin/cpts/communes/${commune.id}/retirer`, {})).status).toBe(404);
    expect(await env.t.db.duesPayment.count({ where: { memberId: stranger.id } })).toBe(0);
    expect((await env.t.db.member.findUniqueOrThrow({ where: { id: stranger.id } })).lastName).toBe("Étranger");
    expect(await env.t.db.commune.count({ where: { id: commune.id } })).toBe(1);
    expect((await env.t.db.newsletter.findUniqueOrThrow({ where: { id: letter.id } })).state).toBe("BROUILLON");
  });

  it("la déconnexion supprime la session", async () => {
    const c = await coordinator();
    await c.get("/admin");
    expect((await c.post("/admin/deconnexion", {})).status).toBe(303);
    expect((await c.get("/admin")).status).toBe(303);
  });

  it("coordo admin create crée un compte et imprime un mot de passe généré qui permet de se connecter", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s), context: async () => env.ctx };
    expect(await adminCli(["create", "--cpts", "demo", "--email", "Presidence@cpts-demo.fr", "--role", "bureau"], io)).toBe(0);
    const pw = /Mot de passe généré[^:]*: (\S+)/.exec(out.join("\n"))![1]!;
    expect((await new Client(env.app).login("presidence@cpts-demo.fr", pw)).status).toBe(303);
    const user = await env.t.db.adminUser.findUniqueOrThrow({ where: { email: "presidence@cpts-demo.fr" } });
    expect(user.role).toBe("BUREAU");
    expect(user.memberId).not.toBeNull();
    expect(await adminCli(["create", "--cpts", "demo", "--email", "presidence@cpts-demo.fr", "--role", "bureau"], io)).toBe(2);
    expect(err.join("\n")).toContain("Un compte existe déjà");
    expect(await adminCli(["create", "--cpts", "demo", "--email", "x@y.fr", "--role", "admin"], io)).toBe(2);
    expect(await adminCli(["create", "--cpts", "inconnue", "--email", "x@y.fr", "--role", "bureau", "--mot-de-passe", "un-mot-de-passe-long"], io)).toBe(2);
    expect(await env.t.db.adminUser.count({ where: { email: "x@y.fr" } })).toBe(0);
  });

  it("coordo admin mot-de-passe remplace un mot de passe oublié, ferme les sessions ouvertes et le journalise", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s), context: async () => env.ctx };
    expect(await adminCli(["create", "--cpts", "demo", "--email", "secretariat@cpts-demo.fr", "--role", "bureau", "--mot-de-passe", "ancien-mot-de-passe-1"], io)).toBe(0);
    const before = new Client(env.app);
    expect((await before.login("secretariat@cpts-demo.fr", "ancien-mot-de-passe-1")).status).toBe(303);
    expect((await before.get("/admin")).status).toBe(200);

    expect(await adminCli(["mot-de-passe", "--email", "Secretariat@cpts-demo.fr"], io)).toBe(0);
    const pw = /Nouveau mot de passe[^:]*: (\S+)/.exec(out.join("\n"))![1]!;
    expect((await before.get("/admin")).status).toBe(303); // the open session ended
    expect((await new Client(env.app).login("secretariat@cpts-demo.fr", "ancien-mot-de-passe-1")).status).not.toBe(303);
    expect((await new Client(env.app).login("secretariat@cpts-demo.fr", pw)).status).toBe(303);
    expect(await env.t.db.auditLog.count({ where: { action: "admin.mot_de_passe", target: "secretariat@cpts-demo.fr", actor: "cli" } })).toBe(1);

    expect(await adminCli(["mot-de-passe", "--email", "personne@cpts-demo.fr"], io)).toBe(2);
    expect(err.join("\n")).toContain("Aucun compte d'administration pour personne@cpts-demo.fr");
    expect(await adminCli(["mot-de-passe", "--email", "secretariat@cpts-demo.fr", "--mot-de-passe", "court"], io)).toBe(2);
    expect(err.join("\n")).toContain("12 caractères au moins");
  });

  it("un envoi trop volumineux est refusé en 413 en français avant d'être lu, connexion comprise ; l'import accepte jusqu'à 20 Mo (limite affichée)", async () => {
    const big = "x".repeat(FORM_BODY_LIMIT + 1);
    const anon = new Client(env.app);
    await anon.get("/admin/connexion");
    const login = await anon.post("/admin/connexion", { email: DEMO_COORDINATOR_EMAIL, password: DEMO_ADMIN_PASSWORD, padding: big });
    expect(login.status).toBe(413);
    expect(await login.text()).toContain("Envoi refusé : le contenu dépasse 64 ko");
    expect(anon.cookies.has("coordo_session")).toBe(false);

    const c = await coordinator();
    const before = await env.t.db.cpts.findUniqueOrThrow({ where: { id: env.cptsId } });
    await c.get("/admin/cpts");
    const form = await c.post("/admin/cpts/general", { name: big, population: "1000", newsletterCadence: "AUCUNE" });
    expect(form.status).toBe(413);
    expect((await env.t.db.cpts.findUniqueOrThrow({ where: { id: env.cptsId } })).name).toBe(before.name);
    // Same refusal when the size is announced up front.
    const announced = await env.app.request("/admin/cpts/general", { method: "POST", body: "a=1", headers: { "content-type": "application/x-www-form-urlencoded", "content-length": String(FORM_BODY_LIMIT + 1) } });
    expect(announced.status).toBe(413);

    // A large file (8 MB, under the stated 20 MB) is kept and previewed; a larger body is refused.
    const csv = (rows: number, note: number) => ["nom,prenom,email,commentaire", ...Array.from({ length: rows }, (_, i) => `Grand${i},Fanny,grand.fichier${i}@exemple-sante.fr,${"F".repeat(note)}`)].join("\n");
    const upload = (text: string) => {
      const f = new FormData();
      f.append("file", new File([text], "adherents.csv", { type: "text/csv" }));
      f.append("format", "generique");
      return c.post("/admin/adherents/import", f);
    };
    await c.get("/admin/adherents/import");
    const accepted = await upload(csv(4_000, 2_000));
    expect(accepted.status).toBe(303);
    const id = accepted.headers.get("location")!.split("/").pop()!;
    await settled(id);
    const page = await c.get(`/admin/adherents/import/${id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("4000 ligne(s) valide(s)");
    await c.get("/admin/adherents/import");
    const refused = await upload(csv(1, IMPORT_BODY_LIMIT + 1000));
    expect(refused.status).toBe(413);
    expect(await refused.text()).toContain("Envoi refusé : le contenu dépasse 20 Mo");
  });

  it("le flux iCalendar répond au jeton secret et à lui seul", async () => {
    const cpts = await env.t.db.cpts.findUniqueOrThrow({ where: { id: env.cptsId } });
    const res = await env.app.request(`/ical/${cpts.icalToken}.ics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/calendar");
    const body = await res.text();
    expect(body).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(body).toContain("DTSTART;VALUE=DATE:");
    expect(body.split("\r\n").every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
    expect((await env.app.request(`/ical/${cpts.icalToken}x.ics`)).status).toBe(404);
  });
});

describe("admin : cookie Secure", () => {
  it("le cookie de session est Secure quand PUBLIC_URL est en https", async () => {
    const e = await adminTestEnv({ PUBLIC_URL: "https://coordo.exemple.fr" });
    try {
      const c = new Client(e.app);
      const res = await c.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD);
      expect(res.headers.getSetCookie().find((s) => s.startsWith("coordo_session="))).toMatch(/Secure/);
    } finally {
      await e.t.cleanup();
    }
  });
});
