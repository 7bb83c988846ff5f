// One factory, two generated clients: the DATABASE_URL scheme picks provider and adapter.
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.ts";
import { PrismaClient as PgClient } from "./generated/postgres/client.ts";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";

// Both clients are generated from the same models, so the app is typed against one of them.
export type Db = PgClient;
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];
export type Engine = "sqlite" | "postgres";

export function engineOf(url: string): Engine {
  if (url.startsWith("file:")) return "sqlite";
  if (/^postgres(ql)?:\/\//.test(url)) return "postgres";
  throw new Error(`DATABASE_URL non reconnue : ${url.split(":")[0]}:… (attendu file:… ou postgresql://…)`);
}

/** Path of a SQLite file URL, relative paths resolved from the working directory. */
export function sqlitePath(url: string): string {
  return resolve(url.slice("file:".length));
}

export function createDb(url: string): Db {
  if (engineOf(url) === "sqlite") {
    const path = sqlitePath(url);
    mkdirSync(dirname(path), { recursive: true });
    // busy timeout: a second process (CLI during `start`) waits instead of failing with SQLITE_BUSY
    const adapter = new PrismaBetterSQLite3({ url: `file:${path}`, timeout: 10_000 } as { url: string });
    return new SqliteClient({ adapter }) as unknown as Db;
  }
  return new PgClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
}

/** Prisma's unique-constraint violation (also through driver adapters). */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: string }).code === "P2002";
}
