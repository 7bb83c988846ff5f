// The sender's hottest statements on PostgreSQL (the "sent" marks, the claim of a batch) and the plain reads of
// direct-read.ts `plainRows` run by the pg pool under Prisma's adapter instead of a Prisma query (its SQL rebuilt,
// its parameters serialized and mapped): a national run writes ~11,000 groups of marks. Not a NAMED prepared statement: behind a pooler in transaction mode (PgBouncer) a name prepared on one
// server connection is unknown on the next, every mark would fail and its message be re-sent at each lease. The
// pool is the adapter's own (`underlyingDriver()`), known once Prisma has connected; before that, callers keep Prisma.

import { AsyncLocalStorage } from "node:async_hooks";

/** The subset of a pg Pool used here. */
export interface PgPool {
  /** `types`: pg's type parsers for this query only (direct-read.ts reads Prisma's DateTime as UTC). */
  query(config: { text: string; values: unknown[]; types?: unknown }): Promise<{ rowCount: number | null; rows: unknown[] }>;
}

/** Filled by the adapter factory when Prisma connects (client.ts lazyPg). */
export interface PgDirect {
  pool?: PgPool;
}

const handles = new WeakMap<object, PgDirect>();

export function registerPgDirect(db: object, handle: PgDirect): void {
  handles.set(db, handle);
}

/** The pg pool of a client made by createDb on PostgreSQL, once connected; undefined otherwise. */
export function pgDirect(db: object): PgPool | undefined {
  return handles.get(db)?.pool;
}

/** A DateTime as Prisma stores it on PostgreSQL: `timestamp(3)` without time zone, in UTC. */
export function pgTimestamp(d: Date): string {
  return d.toISOString().slice(0, -1);
}

// The bulk inserts of a transaction (the outbox and the reminder ledger of a reminders run, the audit lines of
// their decisions) on PostgreSQL run on the transaction's own pg connection, as plain multi-row INSERTs: through
// Prisma's raw query each parameter is serialized and mapped by its runtime and a mail's row had to go 10 to a
// statement (its JSON parameter string kept small), ≈ 14 s of the national run's CPU (issue 18). The connection is
// the one @prisma/adapter-pg took from its pool for the transaction (`startTransaction`), known to the body of a
// transaction started by `runBoundTransaction`. Anything else (another transaction, a client not bound) keeps Prisma.
// It is closed to these statements the moment Prisma sends COMMIT or ROLLBACK (a timeout's too): pg runs a
// connection's queries in order, so a statement either goes before that end, inside the transaction, or is
// refused; never after it, committed on its own or in the next session of that pooled connection (review).

/** The subset of a pg PoolClient used here. */
export interface PgTxClient {
  query(config: { text: string; values: unknown[]; types?: unknown }): Promise<{ rowCount: number | null; rows: unknown[] }>;
}

interface TxSlot {
  client?: PgTxClient;
  taken: boolean;
}

const slots = new AsyncLocalStorage<TxSlot>();
const boundClients = new WeakMap<object, TxSlot>();

/**
 * Runs `start(bind)`, where `start` calls `db.$transaction` with a body wrapped by `bind`: the adapter's
 * transaction opened in this call is remembered (`attachPgTransaction`) and its client bound to the body's
 * transaction client (`pgTransactionClient`).
 */
export function runBoundTransaction<T>(start: (bind: <Tx extends object, R>(fn: (tx: Tx) => Promise<R>) => (tx: Tx) => Promise<R>) => Promise<T>): Promise<T> {
  const slot: TxSlot = { taken: false };
  return slots.run(slot, () =>
    start((fn) => (tx) => {
      if (slot.client) boundClients.set(tx, slot);
      return fn(tx);
    }),
  );
}

/** Called by the adapter for every transaction it opens: the first one of a `runBoundTransaction` is its own. */
export function attachPgTransaction(tx: { executeRaw(q: { sql: string }): Promise<number>; commit(): Promise<void>; rollback(): Promise<void> }): void {
  const slot = slots.getStore();
  const client = (tx as { client?: PgTxClient }).client;
  if (!slot || slot.taken || !client || typeof client.query !== "function") return;
  slot.taken = true;
  let open = true;
  const close = () => {
    open = false;
    slot.client = undefined;
  };
  slot.client = {
    query: (config) => (open ? client.query(config) : Promise.reject(new Error("écriture refusée : la transaction est déjà terminée (validée, annulée ou hors délai)"))),
  };
  // Prisma ends a transaction with a COMMIT or ROLLBACK statement, then commit() or rollback() (which give the
  // connection back to the pool): closed at the statement already
  const executeRaw = tx.executeRaw.bind(tx);
  tx.executeRaw = (q) => {
    if (/^\s*(COMMIT|ROLLBACK)\b/i.test(q.sql)) close();
    return executeRaw(q);
  };
  const commit = tx.commit.bind(tx);
  const rollback = tx.rollback.bind(tx);
  tx.commit = () => (close(), commit());
  tx.rollback = () => (close(), rollback());
}

/** The pg connection of the open transaction `tx` (bound by `runBoundTransaction`); undefined otherwise. */
export function pgTransactionClient(tx: object): PgTxClient | undefined {
  return boundClients.get(tx)?.client;
}

/** A value as a parameter of a statement run on pg directly: a date as Prisma stores it (UTC, `timestamp(3)`). */
export function pgValue(v: string | number | boolean | Date | null): string | number | boolean | null {
  return v instanceof Date ? pgTimestamp(v) : v;
}
