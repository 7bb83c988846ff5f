// The hot statements of the outbox sender on SQLite, prepared once and run by better-sqlite3 itself under the
// same FIFO lock as Prisma's queries (client.ts): no query compilation, no adapter round trip, several rows in one
// commit. A Prisma query costs ~0.5-1 ms of CPU; a prepared statement a few microseconds. PostgreSQL (a pool, no
// such lock) and transactions keep Prisma.
import type { Db } from "./client.ts";

/** The subset of a better-sqlite3 connection used here. */
export interface SqliteConnection {
  prepare(sql: string): { run(...params: unknown[]): { changes: number }; all(...params: unknown[]): unknown[] };
  transaction<F extends (...args: never[]) => unknown>(fn: F): F & { immediate: F };
  pragma(sql: string, options?: { simple?: boolean }): unknown;
}

/** Filled by the serialized adapter when it connects: runs `f` on the connection while holding its lock. */
export interface SqliteDirect {
  run?: <T>(f: (c: SqliteConnection) => T) => Promise<T>;
  /** The connection itself, for the statements of a transaction that already holds the lock (see below). */
  conn?: SqliteConnection;
  /** The interactive transaction open on the connection (a number per transaction), 0 when none. */
  openTransaction?: number;
}

const handles = new WeakMap<object, SqliteDirect>();

export function registerSqliteDirect(db: object, handle: SqliteDirect): void {
  handles.set(db, handle);
}

/** The direct path of a client made by createDb on SQLite, once connected; undefined otherwise (PostgreSQL, a transaction). */
export function sqliteDirect(db: Db | object): SqliteDirect["run"] {
  return handles.get(db)?.run;
}

/** The handle itself (tests: a fault injected on the connection between two statements of a caller). */
export function sqliteDirectHandle(db: Db | object): SqliteDirect | undefined {
  return handles.get(db);
}

const boundTransactions = new WeakMap<object, { handle: SqliteDirect; transaction: number }>();

/**
 * `fn` as the body of an interactive transaction of `db` (`db.$transaction(withTransactionConnection(db, fn))`),
 * its transaction client bound to the connection, so that the bulk statements of that work can run on it directly
 * (`transactionConnection`): SQLite has one connection and the transaction holds its lock from BEGIN to COMMIT, so
 * nothing else runs on it meanwhile, and what is written this way commits or rolls back with the rest. Other
 * engines: `fn` as it is.
 */
export function withTransactionConnection<Tx extends object, T>(db: Db | object, fn: (tx: Tx) => Promise<T>): (tx: Tx) => Promise<T> {
  const handle = handles.get(db);
  if (!handle) return fn;
  return (tx) => {
    // the body runs inside its own transaction: the one open on the connection now
    if (handle.conn && handle.openTransaction) boundTransactions.set(tx, { handle, transaction: handle.openTransaction });
    return fn(tx);
  };
}

/**
 * For a transaction client bound by `withTransactionConnection`: the connection, while ITS transaction is still
 * open (after a timeout rolled it back, statements go back to Prisma, which refuses them).
 */
export function transactionConnection(tx: object): SqliteConnection | undefined {
  const bound = boundTransactions.get(tx);
  return bound && bound.handle.openTransaction === bound.transaction ? bound.handle.conn : undefined;
}

/** A value as Prisma's better-sqlite3 adapter binds it (dates as its ISO text, booleans as 0 / 1). */
export function sqliteValue(v: string | number | boolean | Date | null): string | number | null {
  return v instanceof Date ? sqliteDateTime(v) : typeof v === "boolean" ? (v ? 1 : 0) : v;
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
