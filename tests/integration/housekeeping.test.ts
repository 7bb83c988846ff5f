import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { housekeepingJob } from "../../jobs/housekeeping.ts";

let t: TestDb;
let ctx: AppContext;
const NOW = "2026-11-23T10:00:00Z";
const daysAgo = (d: number) => new Date(new Date(NOW).getTime() - d * 86_400_000);

beforeAll(async () => {
  t = await createTestDb();
  ctx = { config: loadConfig({ DATABASE_URL: t.url }), db: t.db, engine: t.engine, log: silentLogger, clock: fixedClock(NOW) };
  const cpts = await t.db.cpts.create({ data: { slug: "menage", name: "CPTS Ménage", population: 30_000 } });
  const user = await t.db.adminUser.create({ data: { cptsId: cpts.id, email: "coordination@cpts-menage.fr", passwordHash: "x", role: "COORDONNATEUR" } });
  await t.db.chatInteraction.createMany({
    data: [
      { platform: "SLACK", externalId: "vieux-1", createdAt: daysAgo(8) },
      { platform: "DISCORD", externalId: "vieux-2", createdAt: daysAgo(30) },
      { platform: "SLACK", externalId: "recent", createdAt: daysAgo(6) },
    ],
  });
  await t.db.chatAction.createMany({
    data: [
      { cptsId: cpts.id, kind: "relance", payload: {}, expiresAt: daysAgo(31), createdAt: daysAgo(32) },
      { cptsId: cpts.id, kind: "relance", payload: {}, expiresAt: daysAgo(-1), usedAt: daysAgo(40), createdAt: daysAgo(41) },
      { cptsId: cpts.id, kind: "emargement", payload: {}, expiresAt: daysAgo(29), createdAt: daysAgo(30) },
      { cptsId: cpts.id, kind: "emargement", payload: {}, expiresAt: daysAgo(-2), createdAt: daysAgo(1) },
    ],
  });
  await t.db.adminSession.createMany({
    data: [
      { id: "expiree", userId: user.id, csrfToken: "a", expiresAt: daysAgo(0.01) },
      { id: "valide", userId: user.id, csrfToken: "b", expiresAt: daysAgo(-1) },
    ],
  });
  await t.db.loginAttempt.createMany({ data: [{ key: "ip:1", ok: false, at: daysAgo(2) }, { key: "ip:1", ok: false, at: daysAgo(0.001) }] });
  await t.db.auditLog.create({ data: { cptsId: cpts.id, actor: "test", action: "ancien", at: daysAgo(400) } });
  // member imports and their uploaded files (personal data)
  const upload = (id: string, state: "APERCU" | "EN_COURS" | "ECHEC" | "TERMINE", createdAt: Date, heartbeatAt: Date) =>
    t.db.memberImport.create({ data: { id, cptsId: cpts.id, createdBy: "admin:test", fileName: `${id}.csv`, fileSize: 20, state, createdAt, heartbeatAt, file: { create: { content: Buffer.from("nom;email\nA;a@b.fr") } } } });
  await upload("apercu-oublie", "APERCU", daysAgo(8), daysAgo(8));
  await upload("apercu-recent", "APERCU", daysAgo(6), daysAgo(6));
  await upload("bloque-ancien", "EN_COURS", daysAgo(20), daysAgo(8));
  await upload("bloque-recent", "EN_COURS", daysAgo(20), daysAgo(1)); // can still be resumed
  await upload("echoue", "ECHEC", daysAgo(1), daysAgo(1));
});
afterAll(async () => {
  await t?.cleanup();
});

describe(`tâche housekeeping (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("compte sans rien effacer à blanc, puis efface seulement les lignes techniques échues", async () => {
    const expected = { interactions_chat: 2, actions_chat: 2, sessions_admin: 1, tentatives_connexion: 1, fichiers_import: 3, corps_mails_reduits: 0 };
    expect(await housekeepingJob.handler({ ctx, at: "2026-11-23", dryRun: true, payload: {} })).toEqual(expected);
    expect(await t.db.chatInteraction.count()).toBe(3);

    expect(await housekeepingJob.handler({ ctx, at: "2026-11-23", dryRun: false, payload: {} })).toEqual(expected);
    expect((await t.db.chatInteraction.findMany()).map((r) => r.externalId)).toEqual(["recent"]);
    expect((await t.db.chatAction.findMany({ orderBy: { createdAt: "asc" } })).map((a) => a.kind)).toEqual(["emargement", "emargement"]);
    expect((await t.db.adminSession.findMany()).map((s) => s.id)).toEqual(["valide"]);
    expect(await t.db.loginAttempt.count()).toBe(1);
    // business history is never purged here
    expect(await t.db.auditLog.count({ where: { action: "ancien" } })).toBe(1);
    // files kept only where an import can still use them; a stale import says why it failed
    expect((await t.db.memberImportFile.findMany({ orderBy: { importId: "asc" } })).map((f) => f.importId)).toEqual(["apercu-recent", "bloque-recent"]);
    const imports = await t.db.memberImport.findMany({ orderBy: { id: "asc" }, select: { id: true, state: true, error: true } });
    expect(imports.map((i) => [i.id, i.state])).toEqual([["apercu-oublie", "ECHEC"], ["apercu-recent", "APERCU"], ["bloque-ancien", "ECHEC"], ["bloque-recent", "EN_COURS"], ["echoue", "ECHEC"]]);
    expect(imports.find((i) => i.id === "bloque-ancien")!.error).toContain("jamais repris");

    expect(await housekeepingJob.handler({ ctx, at: "2026-11-23", dryRun: false, payload: {} })).toEqual({ interactions_chat: 0, actions_chat: 0, sessions_admin: 0, tentatives_connexion: 0, fichiers_import: 0, corps_mails_reduits: 0 });
  });
});
