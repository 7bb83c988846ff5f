// The uploaded file of an import moved from MemberImport.content to its own table (MemberImportFile):
// an import under way when coordo is upgraded keeps its file, on both engines.
import { describe, it, expect } from "vitest";
import Database from "better-sqlite3";
import { freshDatabaseUrl } from "../helpers/db.ts";
import { engineOf, sqlitePath } from "../../src/db/client.ts";
import { loadMigrations, migrate } from "../../src/db/migrate.ts";

const MOVE = "_member_import_file";

/** A placeholder for a required column without default, by SQL type. */
function placeholder(type: string): unknown {
  const t = type.toLowerCase();
  if (/int|numeric|real|double|decimal/.test(t)) return 0;
  if (/bool/.test(t)) return false;
  if (/date|time/.test(t)) return "2026-01-01T00:00:00.000Z";
  if (/json/.test(t)) return "{}";
  return "x";
}

interface Raw {
  query(sql: string, args?: unknown[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

async function connect(url: string): Promise<Raw> {
  if (engineOf(url) === "sqlite") {
    const db = new Database(sqlitePath(url));
    return {
      query: async (sql, args = []) => {
        const stmt = db.prepare(sql.replace(/\$\d+/g, "?"));
        return stmt.reader ? (stmt.all(...args) as Record<string, unknown>[]) : (stmt.run(...args), []);
      },
      close: async () => void db.close(),
    };
  }
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return { query: async (sql, args = []) => (await c.query(sql, args)).rows, close: () => c.end() };
}

/** Inserts a row filling every required column without default with a placeholder. */
async function insert(db: Raw, sqlite: boolean, table: string, given: Record<string, unknown>): Promise<void> {
  const cols = sqlite
    ? (await db.query(`SELECT name, type, "notnull" AS required, dflt_value AS dflt FROM pragma_table_info('${table}')`)).map((c) => ({ name: String(c.name), type: String(c.type), required: Number(c.required) === 1, dflt: c.dflt }))
    : (await db.query(`SELECT column_name AS name, udt_name AS type, is_nullable = 'NO' AS required, column_default AS dflt FROM information_schema.columns WHERE table_name = $1`, [table])).map((c) => ({ name: String(c.name), type: String(c.type), required: c.required === true, dflt: c.dflt }));
  const row: Record<string, unknown> = { ...given };
  for (const c of cols) if (c.required && c.dflt === null && !(c.name in row)) row[c.name] = placeholder(c.type);
  const names = Object.keys(row);
  const values = names.map((n) => (sqlite && typeof row[n] === "boolean" ? Number(row[n]) : row[n]));
  // enum columns on PostgreSQL take a text literal cast by the server
  await db.query(`INSERT INTO "${table}" (${names.map((n) => `"${n}"`).join(", ")}) VALUES (${names.map((_, i) => `$${i + 1}`).join(", ")})`, values);
}

describe(`migration du fichier d'import vers sa propre table (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("un import en cours garde son fichier ; un import terminé n'en a pas", async () => {
    const { url, drop } = await freshDatabaseUrl();
    try {
      const sqlite = engineOf(url) === "sqlite";
      const all = loadMigrations(engineOf(url));
      const at = all.findIndex((m) => m.name.endsWith(MOVE));
      expect(at).toBeGreaterThan(0);
      await migrate(url, all.slice(0, at));
      const db = await connect(url);
      const file = Buffer.from("nom;prénom;email\nLefèvre;Inès;ines@exemple-sante.fr\n", "utf8");
      try {
        await insert(db, sqlite, "Cpts", { id: "cpts-1", slug: "mig" });
        await insert(db, sqlite, "MemberImport", { id: "imp-en-cours", cptsId: "cpts-1", createdBy: "admin:test", fileName: "a.csv", fileSize: file.length, content: file, state: "APERCU" });
        await insert(db, sqlite, "MemberImport", { id: "imp-fini", cptsId: "cpts-1", createdBy: "admin:test", fileName: "b.csv", fileSize: 10, content: null, state: "TERMINE" });
      } finally {
        await db.close();
      }
      expect(await migrate(url, all)).toEqual(all.slice(at).map((m) => m.name));
      const after = await connect(url);
      try {
        const files = await after.query(`SELECT "importId", "content" FROM "MemberImportFile" ORDER BY "importId"`);
        expect(files.map((f) => [f.importId, Buffer.from(f.content as Uint8Array).toString("utf8")])).toEqual([["imp-en-cours", file.toString("utf8")]]);
        expect((await after.query(`SELECT "id", "state" FROM "MemberImport" ORDER BY "id"`)).map((r) => [r.id, r.state])).toEqual([["imp-en-cours", "APERCU"], ["imp-fini", "TERMINE"]]);
      } finally {
        await after.close();
      }
    } finally {
      await drop();
    }
  });
});
