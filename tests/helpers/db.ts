// A fresh, migrated database per test file: a temporary SQLite file, or a new PostgreSQL database
// when TEST_PG_ADMIN_URL is set (the PostgreSQL pass of .ci/run).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { createDb, engineOf, type Db, type Engine } from "../../src/db/client.ts";
import { migrate } from "../../src/db/migrate.ts";

export interface TestDb {
  db: Db;
  url: string;
  engine: Engine;
  cleanup(): Promise<void>;
}

export const pgAdminUrl = process.env.TEST_PG_ADMIN_URL;

async function adminQuery(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: pgAdminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A new empty database URL (not migrated). */
export async function freshDatabaseUrl(): Promise<{ url: string; drop(): Promise<void> }> {
  if (pgAdminUrl) {
    const name = `coordo_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    await adminQuery(`CREATE DATABASE "${name}"`);
    return { url: pgAdminUrl.replace(/\/[^/?]*(\?.*)?$/, `/${name}`), drop: () => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
  }
  const dir = mkdtempSync(join(tmpdir(), "coordo-test-"));
  return { url: `file:${join(dir, "test.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

export async function createTestDb(): Promise<TestDb> {
  const { url, drop } = await freshDatabaseUrl();
  await migrate(url);
  const db = createDb(url);
  return {
    db,
    url,
    engine: engineOf(url),
    async cleanup() {
      await db.$disconnect();
      await drop();
    },
  };
}
