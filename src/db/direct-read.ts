// The raw reads on every chat command's path (/cotisation, /echeances, /relance-cotisations: member, payments,
// rules inputs, reminder inputs) run on SQLite as statements prepared once by better-sqlite3, under the
// adapter's lock (sqlite-direct.ts): through Prisma each one costs its query compilation (wasm), a fresh
// prepare and the result's conversion, ≈ 1 to 3 ms of CPU; prepared, tens of microseconds. Same SQL text.
// Inside `inTransaction` (the reminders' decision reads them in its transaction) they run on the transaction's
// connection. PostgreSQL, other transactions and a client not connected yet keep Prisma's $queryRaw.
import type { Db, Tx } from "./client.ts";
import type { Prisma } from "./generated/postgres/client.ts";
import { prepared, sqliteDirect, sqliteValue, transactionConnection, type SqliteConnection } from "./sqlite-direct.ts";
import { pgDirect, pgTransactionClient, pgValue } from "./pg-direct.ts";

type ReadStatement = { all(...params: unknown[]): unknown[]; safeIntegers(on: boolean): ReadStatement };

/**
 * The rows of a read-only query. On SQLite the values are what SQLite stores: INTEGER as number, TEXT as
 * string (Json columns too), booleans 0/1; callers read them with Boolean(), Number(), and parse a Json
 * column when it is a string (PostgreSQL gives it parsed, and may give a count as bigint).
 */
export async function directRows<T>(db: Db | Tx, q: Prisma.Sql): Promise<T[]> {
  const run = sqliteDirect(db);
  // inside `inTransaction` on SQLite: on the transaction's own connection (it holds the lock)
  const conn = run ? undefined : transactionConnection(db);
  if (!run && !conn) return (db as Db).$queryRaw<T[]>(q);
  // as Prisma's adapter binds them: DateTime in its stored text form, booleans as 1/0
  const values = q.values.map((v) => sqliteValue(v as Parameters<typeof sqliteValue>[0]));
  // Prisma's adapter turns safe integers on for its connection (every INTEGER a bigint); Prisma's raw reads give
  // numbers for Int columns, so do these statements (counts too: callers convert them with Number())
  const read = (c: SqliteConnection) => (prepared(c, q.sql) as unknown as ReadStatement).safeIntegers(false).all(...values) as T[];
  return conn ? read(conn) : run!(read);
}

/**
 * `directRows` for a query whose columns are only text, integers (not counts), booleans, enums and Json: on
 * PostgreSQL too it skips Prisma's raw query (its parameters serialized, each row converted), on the transaction's
 * own pg connection inside `inTransaction`, else on the adapter's pool (pg-direct.ts). pg gives those types as
 * Prisma's $queryRaw does; not a DateTime (pg would read it in local time) nor a bigint (pg gives a string).
 * The reminders' inputs of a national run: 3,200 reads, ≈ 100,000 rows (issue 18).
 */
export async function plainRows<T>(db: Db | Tx, q: Prisma.Sql): Promise<T[]> {
  const pg = pgTransactionClient(db) ?? pgDirect(db);
  if (!pg) return directRows<T>(db, q);
  const r = await pg.query({ text: q.text, values: q.values.map((v) => pgValue(v as Parameters<typeof pgValue>[0])) });
  return r.rows as T[];
}

/** A Json column read raw: text on SQLite, already parsed on PostgreSQL. */
export function jsonColumn(v: unknown): unknown {
  return typeof v === "string" ? JSON.parse(v) : v;
}

/** A DateTime column read raw: Prisma's stored ISO text on SQLite, a Date on PostgreSQL; null stays null. */
export function dateColumn(v: Date | string | null | undefined): Date | null {
  return v == null ? null : v instanceof Date ? v : new Date(v);
}

/** pg's type id of `timestamp` (without time zone): Prisma's DateTime on PostgreSQL, stored in UTC. */
const TIMESTAMP_OID = 1114;
type TypeParsers = { getTypeParser(oid: number, format?: string): unknown };
let utcTimestamps: Promise<TypeParsers> | undefined;

/**
 * pg's own type parsers, except `timestamp` read as UTC (pg's default reads it in the process's time zone,
 * Europe/Paris here, an hour or two off). Loaded on the first PostgreSQL read that needs it (pg is there by then).
 */
function utcTypes(): Promise<TypeParsers> {
  return (utcTimestamps ??= import("pg").then(({ default: pg }) => ({
    getTypeParser: (oid: number, format?: string) =>
      oid === TIMESTAMP_OID ? (v: string) => new Date(`${v.replace(" ", "T")}Z`) : pg.types.getTypeParser(oid, format as "text"),
  })));
}

/**
 * `plainRows` for a query that also reads DateTime columns: on PostgreSQL by pg, its timestamps read as UTC Dates
 * (as Prisma reads them); on SQLite prepared, a DateTime in its stored text (`dateColumn` reads both). Counts and
 * bigints as in `directRows`. The chat's caller resolution, on every command (issue 18).
 */
export async function datedRows<T>(db: Db | Tx, q: Prisma.Sql): Promise<T[]> {
  const pg = pgTransactionClient(db) ?? pgDirect(db);
  if (!pg) return directRows<T>(db, q);
  const r = await pg.query({ text: q.text, values: q.values.map((v) => pgValue(v as Parameters<typeof pgValue>[0])), types: await utcTypes() });
  return r.rows as T[];
}

/**
 * A write (INSERT, UPDATE, DELETE) run outside Prisma's raw query where that is possible: on SQLite as a statement
 * prepared once (under the adapter's lock, or on the transaction's connection inside `inTransaction`), on PostgreSQL
 * by pg (the pool, or the transaction's own connection). Returns the rows changed. A Prisma raw query costs its
 * compilation by the wasm query compiler, ≈ 0.4 ms of CPU on PostgreSQL (issue 18: three of them on every chat
 * command). Values as Prisma binds them: DateTime in its stored form, booleans 1/0 on SQLite.
 */
export async function directExecute(db: Db | Tx, q: Prisma.Sql): Promise<number> {
  const run = sqliteDirect(db);
  const conn = run ? undefined : transactionConnection(db);
  if (run || conn) {
    const values = q.values.map((v) => sqliteValue(v as Parameters<typeof sqliteValue>[0]));
    const exec = (c: SqliteConnection) => prepared(c, q.sql).run(...values).changes;
    return conn ? exec(conn) : run!(exec);
  }
  const pg = pgTransactionClient(db) ?? pgDirect(db);
  if (pg) return (await pg.query({ text: q.text, values: q.values.map((v) => pgValue(v as Parameters<typeof pgValue>[0])) })).rowCount ?? 0;
  return (db as Db).$executeRaw(q);
}
