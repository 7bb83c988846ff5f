// Job runs are shared by every CPTS of an instance; their counts and errors name tenants. A
// coordinator of one CPTS must never read another CPTS's slug or member ids through them.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, type AdminTestEnv } from "./admin-setup.ts";
import { AdminRepository } from "../../src/db/repos/admin-repo.ts";
import { hashPassword } from "../../src/app/password.ts";

let env: AdminTestEnv;
beforeAll(async () => {
  env = await adminTestEnv();
});
afterAll(async () => env?.t.cleanup());

describe(`admin : séparation des CPTS dans les tâches planifiées (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("la page d'admin de la CPTS B ne montre jamais le slug ni les adhérents de la CPTS A cités par une tâche", async () => {
    const a = await env.t.db.cpts.create({ data: { slug: "cpts-alpha-confidentielle", name: "CPTS Alpha", population: 50_000 } });
    const aMember = await env.t.db.member.create({ data: { cptsId: a.id, lastName: "Alphonse", email: "alphonse@alpha.fr" } });
    const b = await env.t.db.cpts.create({ data: { slug: "cpts-beta", name: "CPTS Bêta", population: 30_000 } });
    await new AdminRepository(env.t.db).createUser({ cptsId: b.id, email: "coord@beta.fr", passwordHash: await hashPassword("beta-coordo-2026!"), role: "COORDONNATEUR", actor: "test" });
    const started = new Date("2026-11-23T07:00:00Z");
    await env.t.db.jobRun.create({
      data: { jobId: "dues-reminders", slot: "2026-11-23T07:00:00.000Z", state: "ECHEC", startedAt: started, finishedAt: new Date(started.getTime() + 125_000), error: `cpts-alpha-confidentielle : relance de ${aMember.id} non rendue`, counts: { "cpts-alpha-confidentielle": { enqueued: 12, failedMember: aMember.id } } },
    });
    await env.t.db.jobRun.create({
      data: { jobId: "newsletters", slot: "2026-11-23T08:00:00.000Z", state: "TERMINE", startedAt: new Date("2026-11-23T08:00:00Z"), finishedAt: new Date("2026-11-23T08:00:04Z"), counts: { "cpts-alpha-confidentielle": 3, "cpts-beta": 0 } },
    });

    const c = new Client(env.app);
    expect((await c.login("coord@beta.fr", "beta-coordo-2026!")).status).toBe(303);
    for (const path of ["/admin", "/admin/envois"]) {
      const res = await c.get(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      // The runs are listed (job in French words, state, duration)...
      expect(html, path).toContain("Relances de cotisation");
      expect(html, path).not.toContain("dues-reminders");
      expect(html, path).toContain("2 min 05 s");
      expect(html, path).toContain("4 s");
      // ...but nothing they say about another CPTS.
      expect(html, path).not.toContain("cpts-alpha-confidentielle");
      expect(html, path).not.toContain(aMember.id);
      expect(html, path).not.toContain("enqueued");
    }
  });
});
