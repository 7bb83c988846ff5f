// Applies the committed migration SQL of prisma/<engine>/migrations at start: in name order, each in
// its own transaction, recorded with a checksum. A recorded migration whose file changed stops start.
// Why not `prisma migrate deploy`: offline it needs patched adapters on PostgreSQL and costs ~1 s a call.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { engineOf, sqlitePath, type Engine } from "./client.ts";
import { APP_ROOT } from "../paths.ts";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";

const ROOT = APP_ROOT;
const TABLE = "coordo_migrations";
// Two replicas starting together on one PostgreSQL take turns on this lock.
const PG_LOCK_KEY = 724_311_207;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {}

export function migrationsDir(engine: Engine): string {
  return join(ROOT, "prisma", engine, "migrations");
}

export function loadMigrations(engine: Engine, dir = migrationsDir(engine)): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

function checkRecorded(recorded: Map<string, string>, migrations: Migration[]): Migration[] {
  for (const m of migrations) {
    const sum = recorded.get(m.name);
    if (sum && sum !== m.checksum) {
      throw new MigrationError(
        `La migration ${m.name} a été modifiée après avoir été appliquée : restaurez son fichier d'origine et créez une nouvelle migration pour tout changement.`,
      );
    }
  }
  return migrations.filter((m) => !recorded.has(m.name));
}

/** Applies pending migrations; returns the names applied. */
export async function migrate(url: string, migrations = loadMigrations(engineOf(url))): Promise<string[]> {
  return engineOf(url) === "sqlite" ? migrateSqlite(url, migrations) : migratePostgres(url, migrations);
}

function migrateSqlite(url: string, migrations: Migration[]): string[] {
  const path = sqlitePath(url);
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 10_000 });
  try {
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE} (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    // Prisma's « RedefineTables » scripts (new_X, copy, DROP X, rename) turn the foreign keys off with a
    // PRAGMA that SQLite ignores inside a transaction: DROP X then cascaded to (or nulled) every row
    // referencing X. They are off for the whole run instead, and checked before each migration commits.
    db.pragma("foreign_keys = OFF");
    const applied: string[] = [];
    // BEGIN IMMEDIATE takes the write lock first, so two processes cannot both apply one migration.
    const run = db.transaction((m: Migration) => {
      const done = db.prepare(`SELECT 1 FROM ${TABLE} WHERE name = ?`).get(m.name);
      if (done) return;
      db.exec(m.sql);
      const orphans = db.pragma("foreign_key_check") as { table: string; parent: string }[];
      if (orphans.length) {
        throw new MigrationError(`La migration ${m.name} laisserait ${orphans.length} ligne(s) de ${orphans[0]!.table} sans leur ${orphans[0]!.parent} : elle est annulée.`);
      }
      db.prepare(`INSERT INTO ${TABLE} (name, checksum, applied_at) VALUES (?, ?, ?)`).run(m.name, m.checksum, new Date().toISOString());
      applied.push(m.name);
    });
    const recorded = new Map(
      (db.prepare(`SELECT name, checksum FROM ${TABLE}`).all() as { name: string; checksum: string }[]).map((r) => [r.name, r.checksum]),
    );
    for (const m of checkRecorded(recorded, migrations)) run.immediate(m);
    return applied;
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string, migrations: Migration[]): Promise<string[]> {
  // loaded here, not at module load: a coordo on SQLite never loads pg
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PG_LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS ${TABLE} (name TEXT PRIMARY KEY, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM ${TABLE}`);
    const pending = checkRecorded(new Map(rows.map((r) => [r.name, r.checksum])), migrations);
    const applied: string[] = [];
    for (const m of pending) {
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query(`INSERT INTO ${TABLE} (name, checksum) VALUES ($1, $2)`, [m.name, m.checksum]);
        await client.query("COMMIT");
        applied.push(m.name);
      } catch (e) {
        await client.query("ROLLBACK");
        throw new MigrationError(`La migration ${m.name} a échoué : ${(e as Error).message}`);
      }
    }
    return applied;
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PG_LOCK_KEY]).catch(() => {});
    await client.end();
  }
}
