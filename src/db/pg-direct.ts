// The sender's hottest write on PostgreSQL, the "sent" marks, run by the pg pool under Prisma's adapter instead
// of a Prisma raw query (its SQL rebuilt, its parameters serialized and mapped): a national run writes ~28,000 of
// them. Not a NAMED prepared statement: behind a pooler in transaction mode (PgBouncer) a name prepared on one
// server connection is unknown on the next, every mark would fail and its message be re-sent at each lease. The
// pool is the adapter's own (`underlyingDriver()`), known once Prisma has connected; before that, callers keep Prisma.

/** The subset of a pg Pool used here. */
export interface PgPool {
  query(config: { text: string; values: unknown[] }): Promise<{ rowCount: number | null }>;
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
