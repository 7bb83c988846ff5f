// coordo sauvegarde / restauration as an operator runs them (bin/coordo.js): a backup then a restore
// give back exactly the rows of the moment of the backup; a damaged or foreign file is refused before
// anything is overwritten; the daily job keeps BACKUP_KEEP copies (SQLite).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, readdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { spawnCoordo } from "../../bench/proc.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { pgTool, pruneDailyBackups } from "../../src/app/backup.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { databaseBackupJob } from "../../jobs/database-backup.ts";
import { contextAt, testConfig } from "./jobs-context.ts";

const engine = process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite";
let t: TestDb;
let dir: string;

async function coordo(args: string[]) {
  const child = spawnCoordo(args, { DATABASE_URL: t.url, BACKUP_DIR: join(dir, "quotidiennes") });
  const code = await child.exited;
  return { code, text: child.output() };
}

async function counts() {
  return {
    members: await t.db.member.count(),
    payments: await t.db.duesPayment.count(),
    cpts: await t.db.cpts.count(),
    admins: await t.db.adminUser.count(),
    migrations: Number(((await t.db.$queryRawUnsafe("SELECT COUNT(*) AS n FROM coordo_migrations")) as { n: number | bigint }[])[0]!.n),
  };
}

beforeAll(async () => {
  t = await createTestDb();
  await loadDemo(t.db, "2026-03-20");
  dir = mkdtempSync(join(tmpdir(), "coordo-sauvegarde-"));
});
afterAll(async () => {
  await t?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe(`sauvegarde et restauration (${engine})`, { timeout: 180_000 }, () => {
  it("aller-retour : après restauration, mêmes nombres de lignes qu'au moment de la sauvegarde", async () => {
    if (engine === "PostgreSQL" && !pgTool("pg_dump")) {
      const r = await coordo(["sauvegarde", "--vers", join(dir, "x.dump")]);
      expect(r.code).toBe(1);
      expect(r.text).toContain("pg_dump est introuvable");
      return;
    }
    const before = await counts();
    expect(before.members).toBeGreaterThan(50);
    const file = join(dir, engine === "SQLite" ? "avant.db" : "avant.dump");
    const saved = await coordo(["sauvegarde", "--vers", file]);
    expect(saved.code, saved.text).toBe(0);
    expect(saved.text).toContain("Sauvegarde écrite");

    // life goes on after the backup: rows deleted and added
    const someone = await t.db.member.findFirstOrThrow({ where: { payments: { some: {} } } });
    await t.db.member.delete({ where: { id: someone.id } });
    await t.db.cpts.create({ data: { slug: "apres-sauvegarde", name: "Après", population: 1000 } });
    expect(await counts()).not.toEqual(before);

    // without --confirmer: nothing happens, exit 2
    const asked = await coordo(["restauration", file]);
    expect(asked.code).toBe(2);
    expect(asked.text).toContain("--confirmer");
    expect((await counts()).members).toBe(before.members - 1);

    const restored = await coordo(["restauration", file, "--confirmer"]);
    expect(restored.code, restored.text).toBe(0);
    expect(restored.text).toContain("Base restaurée");
    if (engine === "PostgreSQL") {
      // the pool may hold connections to the replaced tables: reconnect
      await t.db.$disconnect();
    }
    expect(await counts()).toEqual(before);
  });

  it("un fichier abîmé ou étranger est refusé avant toute écriture", async () => {
    const before = await counts();
    const junk = join(dir, engine === "SQLite" ? "abime.db" : "abime.dump");
    writeFileSync(junk, "ceci n'est pas une sauvegarde\n".repeat(100));
    const r = await coordo(["restauration", junk, "--confirmer"]);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/Restauration refusée, rien n'a été modifié|introuvable/);
    expect(r.text).not.toMatch(/\n\s+at /);
    expect(await counts()).toEqual(before);
    const missing = await coordo(["restauration", join(dir, "absent.db"), "--confirmer"]);
    expect(missing.code).toBe(1);
    expect(await counts()).toEqual(before);
  });

  it("tâche quotidienne : une copie par jour, les BACKUP_KEEP plus récentes gardées (SQLite)", async () => {
    const daily = join(dir, "quotidiennes-job");
    const config = testConfig({ DATABASE_URL: t.url, BACKUP_DIR: daily, BACKUP_KEEP: "2" });
    for (const day of ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-03"]) {
      const ctx = { ...contextAt(t, day, config) };
      const out = await new Scheduler(ctx, [databaseBackupJob]).runManual(databaseBackupJob, { at: day });
      expect(out.status).toBe("termine");
    }
    if (engine === "PostgreSQL") {
      expect(existsSync(daily)).toBe(false);
      return;
    }
    expect(readdirSync(daily).sort()).toEqual(["coordo-2026-03-02.db", "coordo-2026-03-03.db"]);
    expect(pruneDailyBackups(daily, 1)).toEqual(["coordo-2026-03-02.db"]);
  });
});
