// The admin behind a reverse proxy: TRUSTED_PROXY decides the client address, login limits per address +
// e-mail and per e-mail (atomic under concurrency, French message saying when to retry), scrypt at OWASP's
// parameters with rehash at the next login, HSTS under https, and any `suite=` redirect target is safe.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { randomBytes, scryptSync } from "node:crypto";
import { adminTestEnv, type AdminTestEnv } from "../integration/admin-setup.ts";
import { AdminRepository } from "../../src/db/repos/admin-repo.ts";
import { hashPassword, SCRYPT_PARAMS } from "../../src/app/password.ts";
import { MAX_FAILURES, MAX_FAILURES_PER_EMAIL } from "../../src/admin/auth.ts";

const PROXY = "10.99.0.1";
const PASSWORD = "le-bon-mot-de-passe-2026";

/** One browser behind the proxy (or not): its own cookies, its socket address, its X-Forwarded-For. */
function browser(env: AdminTestEnv, socket: string, forwardedFor?: string) {
  let cookie = "";
  const conn = { incoming: { socket: { remoteAddress: socket, remotePort: 50000, remoteFamily: "IPv4" } } };
  const headers = () => ({ cookie, ...(forwardedFor ? { "x-forwarded-for": forwardedFor } : {}) });
  const keep = (res: Response) => {
    for (const sc of res.headers.getSetCookie()) cookie = [cookie, sc.split(";")[0]].filter(Boolean).join("; ");
  };
  return {
    async login(email: string, password: string, suite?: string): Promise<Response> {
      const page = await env.app.request(`/admin/connexion${suite !== undefined ? `?suite=${encodeURIComponent(suite)}` : ""}`, { headers: headers() }, conn);
      expect(page.status).toBe(200);
      keep(page);
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const body = new URLSearchParams({ email, password, _csrf: csrf, ...(suite !== undefined ? { suite } : {}) });
      const res = await env.app.request("/admin/connexion", { method: "POST", body, headers: headers() }, conn);
      keep(res);
      return res;
    },
  };
}

async function user(env: AdminTestEnv, email: string, passwordHash?: string) {
  await new AdminRepository(env.t.db).createUser({ cptsId: env.cptsId, email, passwordHash: passwordHash ?? (await hashPassword(PASSWORD)), role: "BUREAU", actor: "test" });
}

const engine = process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite";

describe(`admin derrière un proxy inverse (${engine})`, { timeout: 180_000 }, () => {
  let env: AdminTestEnv;
  beforeAll(async () => {
    env = await adminTestEnv({ TRUSTED_PROXY: PROXY, PUBLIC_URL: "https://coordo.cpts-exemple.fr" });
    await user(env, "proxy@cpts-demo.fr");
    await user(env, "course@cpts-demo.fr");
    await user(env, "partout@cpts-demo.fr");
  });
  afterAll(async () => env?.t.cleanup());

  it("les échecs d'un client derrière le proxy ne bloquent que lui ; le message dit quand réessayer", async () => {
    const attacker = "203.0.113.7";
    for (let i = 0; i < MAX_FAILURES; i++) expect((await browser(env, PROXY, `1.2.3.4, ${attacker}`).login("proxy@cpts-demo.fr", `faux-${i}`)).status).toBe(401);
    const blocked = await browser(env, PROXY, attacker).login("proxy@cpts-demo.fr", PASSWORD);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(800);
    // fixed clock 10:00 Paris: the first failure leaves the 15-minute window at 10 h 15
    expect(await blocked.text()).toContain("réessayez à 10 h 15 (dans 15 minutes)");
    // the real admin, through the same proxy from elsewhere, gets in
    expect((await browser(env, PROXY, "198.51.100.20").login("proxy@cpts-demo.fr", PASSWORD)).status).toBe(303);
  });

  it("un X-Forwarded-For qui ne vient pas du proxy de confiance est ignoré (pas d'évasion de la limite)", async () => {
    const socket = "192.0.2.50";
    for (let i = 0; i < MAX_FAILURES; i++) expect((await browser(env, socket, `198.51.100.${i}`).login("partout@cpts-demo.fr", `faux-${i}`)).status).toBe(401);
    expect((await browser(env, socket, "198.51.100.99").login("partout@cpts-demo.fr", PASSWORD)).status).toBe(429);
  });

  it(`60 mauvais mots de passe simultanés : exactement ${MAX_FAILURES} vérifiés, les autres refusés`, async () => {
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => browser(env, PROXY, "203.0.113.60").login("course@cpts-demo.fr", `faux-${i}`)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX_FAILURES);
    expect(statuses.filter((s) => s === 429)).toHaveLength(60 - MAX_FAILURES);
    expect(await env.t.db.loginAttempt.count({ where: { key: "ipmail:203.0.113.60|course@cpts-demo.fr" } })).toBe(MAX_FAILURES);
  });

  it(`au-delà de ${MAX_FAILURES_PER_EMAIL} échecs sur un e-mail depuis des adresses diverses, l'e-mail est bloqué partout`, async () => {
    await user(env, "diffus@cpts-demo.fr");
    for (let i = 0; i < MAX_FAILURES_PER_EMAIL; i++) expect((await browser(env, PROXY, `203.0.114.${i}`).login("diffus@cpts-demo.fr", "faux")).status).toBe(401);
    expect((await browser(env, PROXY, "203.0.114.200").login("diffus@cpts-demo.fr", PASSWORD)).status).toBe(429);
  });

  it("HSTS sous https ; suite= avec retour chariot, hôte étranger ou barre oblique inverse : jamais de 500, toujours vers /admin", async () => {
    const page = await env.app.request("/admin/connexion");
    expect(page.headers.get("strict-transport-security")).toContain("max-age=");
    const evil = ["/admin/x\r\nSet-Cookie: a=b", "/admin\r\n", "//evil.example/admin", "/admin/\\evil", "https://evil.example/admin", "/admin/%0d%0aX: y", "/admin/../../etc", "/admin/ok?x=1", "\u0000", "/admin/é"];
    for (const suite of evil) {
      const get = await env.app.request(`/admin/connexion?suite=${encodeURIComponent(suite)}`);
      expect(get.status).toBe(200);
      expect(await get.text()).not.toMatch(/name="suite" value="[^"]*[\r\n]/);
    }
    // a real login per kind of trap (each costs a scrypt hash)
    for (const suite of evil.slice(0, 4)) {
      const res = await browser(env, PROXY, "198.51.100.77").login("proxy@cpts-demo.fr", PASSWORD, suite);
      expect(res.status, suite).toBe(303);
      const location = res.headers.get("location")!;
      expect(location, suite).toMatch(/^\/admin/);
      expect(location).not.toMatch(/[\r\n\\]|^\/\//);
    }
    expect((await browser(env, PROXY, "198.51.100.78").login("proxy@cpts-demo.fr", PASSWORD, "/admin/adherents?page=2")).headers.get("location")).toBe("/admin/adherents?page=2");
  });
});

describe(`mots de passe : scrypt aux paramètres OWASP, ancien hachage remplacé à la connexion (${engine})`, () => {
  let env: AdminTestEnv;
  beforeAll(async () => {
    env = await adminTestEnv();
  });
  afterAll(async () => env?.t.cleanup());

  it("N = 2^17 pour un nouveau mot de passe ; un hachage N = 2^14 fonctionne encore et est remplacé, sans HSTS en http", async () => {
    expect(SCRYPT_PARAMS).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    expect((await hashPassword("x")).startsWith("scrypt$131072$8$1$")).toBe(true);
    const salt = randomBytes(16);
    const old = `scrypt$16384$8$1$${salt.toString("base64")}$${scryptSync(PASSWORD, salt, 32, { N: 16384, r: 8, p: 1 }).toString("base64")}`;
    await user(env, "ancien@cpts-demo.fr", old);
    const res = await browser(env, "192.0.2.1").login("ancien@cpts-demo.fr", PASSWORD);
    expect(res.status).toBe(303);
    expect(res.headers.get("strict-transport-security")).toBeNull();
    const stored = (await env.t.db.adminUser.findUniqueOrThrow({ where: { email: "ancien@cpts-demo.fr" } })).passwordHash;
    expect(stored.startsWith("scrypt$131072$8$1$")).toBe(true);
    expect((await browser(env, "192.0.2.2").login("ancien@cpts-demo.fr", PASSWORD)).status).toBe(303);
  });
});
