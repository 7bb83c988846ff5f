// The hot statements of the outbox sender on SQLite, prepared once and run by better-sqlite3 itself under the
// same FIFO lock as Prisma's queries (client.ts): no query compilation, no adapter round trip, several rows in one
// commit. A Prisma query costs ~0.5-1 ms of CPU; a prepared statement a few microseconds. PostgreSQL (a pool, no
// such lock) and transactions keep Prisma.
import type { Db } from "./client.ts";
import type { Prisma } from "./generated/postgres/client.ts";

/** The subset of a better-sqlite3 connection used here. */
export interface SqliteConnection {
  prepare(sql: string): { run(...params: unknown[]): { changes: number }; all(...params: unknown[]): unknown[] };
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
}

/** Filled by the serialized adapter when it connects: runs `f` on the connection while holding its lock. */
export interface SqliteDirect {
  run?: <T>(f: (c: SqliteConnection) => T) => Promise<T>;
}

const handles = new WeakMap<object, SqliteDirect>();

export function registerSqliteDirect(db: object, handle: SqliteDirect): void {
  handles.set(db, handle);
}

/** The direct path of a client made by createDb on SQLite, once connected; undefined otherwise (PostgreSQL, a transaction). */
export function sqliteDirect(db: Db | object): SqliteDirect["run"] {
  return handles.get(db)?.run;
}

/** A DateTime as Prisma's better-sqlite3 adapter stores it (its default "iso8601" format). */
export function sqliteDateTime(d: Date): string {
  return d.toISOString().replace("Z", "+00:00");
}

const statements = new WeakMap<SqliteConnection, Map<string, ReturnType<SqliteConnection["prepare"]>>>();

/** A statement prepared once per connection. */
export function prepared(c: SqliteConnection, sql: string): ReturnType<SqliteConnection["prepare"]> {
  let m = statements.get(c);
  if (!m) statements.set(c, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = c.prepare(sql)));
  return s;
}

/**
 * The rows of a read-only query: on SQLite by better-sqlite3 itself, prepared once (a grouped read of
 * a few hundred rows costs ~30 ms of CPU less than through Prisma's adapter at 100,000 members);
 * elsewhere (PostgreSQL, a transaction, not connected yet) through $queryRaw. Integers come back as
 * numbers on SQLite and may be bigint on PostgreSQL: the caller converts with Number().
 */
export async function readRows<T>(db: Db | object, query: Prisma.Sql): Promise<T[]> {
  const run = sqliteDirect(db);
  if (run) return run((c) => prepared(c, query.sql).all(...query.values) as T[]);
  return (db as Db).$queryRaw<T[]>(query);
}
