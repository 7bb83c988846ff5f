// Bulk inserts for the hot paths (the outbox and the reminder ledger of a reminders run): one multi-row
// INSERT per chunk instead of Prisma's createMany, whose per-row cost (≈ 0.5 ms) dominated a run. Same SQL
// on SQLite and PostgreSQL; values are always parameters, table and column names constants of the caller.
import { randomHex } from "../random-pool.ts";
import { Prisma } from "./generated/postgres/client.ts";
import type { Db, Tx } from "./client.ts";
import { prepared, sqliteValue, transactionConnection } from "./sqlite-direct.ts";
import { pgTransactionClient, pgValue } from "./pg-direct.ts";

/** Rows per INSERT on a PostgreSQL transaction's connection (a mail's row: 17 parameters, ~5 KB). */
const PG_ROWS = 100;

let counter = 0;

/** An id that sorts by creation time like Prisma's cuid(): "c" + milliseconds + counter (base 36) + random. */
export function newRowId(): string {
  counter = (counter + 1) % 1_679_616;
  return `c${Date.now().toString(36)}${counter.toString(36).padStart(4, "0")}${randomHex(6)}`;
}

export type SqlValue = string | number | boolean | Date | null;

/** Inserts `rows` (values in `columns` order) into `table`; returns the number of rows inserted. */
export async function insertRows(db: Db | Tx, table: string, columns: readonly string[], rows: readonly SqlValue[][], chunk = 200): Promise<number> {
  // SQLite, inside `inTransaction`: one prepared single-row INSERT per row on the transaction's connection
  // (a few microseconds each) instead of Prisma's raw query (parameters serialized, ~1 ms per 10 rows of mail)
  // the table and its columns, as every path below writes them
  const into = `"${table}" (${columns.map((c) => `"${c}"`).join(", ")})`;
  const conn = transactionConnection(db);
  if (conn) {
    const insert = prepared(conn, `INSERT INTO ${into} VALUES (${columns.map(() => "?").join(", ")})`);
    let n = 0;
    for (const r of rows) n += insert.run(...r.map(sqliteValue)).changes;
    return n;
  }
  // PostgreSQL, inside `inTransaction`: plain multi-row INSERTs on the transaction's pg connection (pg-direct.ts)
  const client = pgTransactionClient(db);
  if (client) {
    const head = `INSERT INTO ${into} VALUES `;
    let n = 0;
    for (let i = 0; i < rows.length; i += PG_ROWS) {
      const values: unknown[] = [];
      const tuples = rows.slice(i, i + PG_ROWS).map((r) => `(${r.map((v) => (values.push(pgValue(v)), `$${values.length}`)).join(", ")})`);
      n += (await client.query({ text: head + tuples.join(", "), values })).rowCount ?? 0;
    }
    return n;
  }
  let inserted = 0;
  for (let i = 0; i < rows.length; i += chunk) {
    const values = Prisma.join(rows.slice(i, i + chunk).map((r) => Prisma.sql`(${Prisma.join(r)})`));
    inserted += await db.$executeRaw`INSERT INTO ${Prisma.raw(into)} VALUES ${values}`;
  }
  return inserted;
}
