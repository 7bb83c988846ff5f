// One factory, two generated clients: the DATABASE_URL scheme picks provider and adapter.
import { turnYielder } from "../event-loop.ts";
import { PrismaClient as SqliteClient } from "./generated/sqlite/client.ts";
import { PrismaClient as PgClient } from "./generated/postgres/client.ts";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { PrismaPg } from "@prisma/adapter-pg";
import { attachPgTransaction, registerPgDirect, type PgDirect, type PgPool } from "./pg-direct.ts";
import { mkdirSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { dirname, resolve } from "node:path";
import { secretToken } from "./secret-token.ts";
import { registerSqliteDirect, type SqliteConnection, type SqliteDirect } from "./sqlite-direct.ts";

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

/**
 * Prisma's query compiler is a WebAssembly module (1.9 MB). By default V8 compiles it twice: a quick baseline
 * (Liftoff) then an optimized tier (TurboFan) for its hot functions, on background threads whose memory the
 * process keeps: ~15 MB more at the first query, and ~140 ms more CPU. The baseline alone compiles the queries
 * of a national reminders run at the same total CPU (README « Mémoire d'une exécution »). Set before the module is compiled.
 */
let wasmBaselineOnly = false;
function wasmBaseline(): void {
  if (wasmBaselineOnly) return;
  wasmBaselineOnly = true;
  setFlagsFromString("--liftoff-only");
}

/** How long a statement waits for another process's lock on the SQLite file before failing (busy timeout). */
export const SQLITE_BUSY_TIMEOUT_MS = 10_000;

export function createDb(url: string): Db {
  wasmBaseline();
  if (engineOf(url) === "sqlite") {
    const path = sqlitePath(url);
    mkdirSync(dirname(path), { recursive: true });
    // busy timeout: a second process (CLI during `start`) waits instead of failing with SQLITE_BUSY
    const direct: SqliteDirect = {};
    const adapter = serializedSqlite(new PrismaBetterSQLite3({ url: `file:${path}`, timeout: SQLITE_BUSY_TIMEOUT_MS } as { url: string }), direct);
    const db = withSecretTokens(new SqliteClient({ adapter }) as unknown as Db);
    registerSqliteDirect(db, direct);
    return db;
  }
  const direct: PgDirect = {};
  const db = withSecretTokens(new PgClient({ adapter: lazyPg(url, direct) }));
  registerPgDirect(db, direct);
  return db;
}

/**
 * The PostgreSQL adapter factory, with @prisma/adapter-pg and pg loaded at the first connection
 * (a dynamic import): a coordo on SQLite never loads them (~0.1 s of CPU and ~10 MB at start).
 */
function lazyPg(connectionString: string, direct: PgDirect): PrismaPg {
  let real: Promise<PrismaPg> | undefined;
  const factory = () => (real ??= import("@prisma/adapter-pg").then((m) => new m.PrismaPg({ connectionString, max: 10 })));
  return {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: async () => {
      const adapter = await (await factory()).connect();
      // the adapter's pool, for the sender's marks (pg-direct.ts)
      const pool = (adapter as { underlyingDriver?: () => unknown }).underlyingDriver?.() as PgPool | undefined;
      if (pool && typeof pool.query === "function") direct.pool = pool;
      // each transaction's pg connection, for the bulk inserts of its body (pg-direct.ts runBoundTransaction)
      const start = adapter.startTransaction.bind(adapter);
      adapter.startTransaction = async (isolationLevel) => {
        const tx = await start(isolationLevel);
        attachPgTransaction(tx);
        return tx;
      };
      const dispose = adapter.dispose.bind(adapter);
      adapter.dispose = () => {
        if (direct.pool === pool) direct.pool = undefined; // not the pool of a newer connection
        return dispose();
      };
      return adapter;
    },
    connectToShadowDb: async () => (await factory()).connectToShadowDb(),
  } as unknown as PrismaPg;
}

/**
 * Secret URL tokens (unsubscribe, iCal feed, HelloAsso notifications) come from crypto.randomBytes, whoever
 * creates the row: the schema's cuid() default (about 41 unpredictable bits) is never used. Rows created
 * before are rewritten at start (upgradeLegacyTokens).
 */
function withSecretTokens(db: Db): Db {
  type Data = Record<string, unknown>;
  const fill = (data: unknown, fields: string[]) => {
    for (const d of (Array.isArray(data) ? data : [data]) as Data[]) if (d && typeof d === "object") for (const f of fields) d[f] ??= secretToken();
  };
  const member = ["unsubscribeToken"];
  const cpts = ["icalToken", "helloassoToken"];
  return db.$extends({
    query: {
      member: {
        create: ({ args, query }) => (fill(args.data, member), query(args)),
        createMany: ({ args, query }) => (fill(args.data, member), query(args)),
        createManyAndReturn: ({ args, query }) => (fill(args.data, member), query(args)),
        upsert: ({ args, query }) => (fill(args.create, member), query(args)),
      },
      cpts: {
        create: ({ args, query }) => (fill(args.data, cpts), query(args)),
        createMany: ({ args, query }) => (fill(args.data, cpts), query(args)),
        upsert: ({ args, query }) => (fill(args.create, cpts), query(args)),
      },
    },
  }) as unknown as Db;
}

/** Prisma's unique-constraint violation (also through driver adapters). */
export function isUniqueViolation(e: unknown): boolean {
  if (typeof e !== "object" || e === null) return false;
  const err = e as { code?: string; meta?: { driverAdapterError?: { cause?: { kind?: string } } } };
  // P2002 from the query builder; P2010 ("raw query failed") from raw SQL (bulk inserts), same violation; on
  // SQLite, better-sqlite3's own code from the statements a transaction runs directly (sqlite-direct.ts); on
  // PostgreSQL, pg's SQLSTATE from the bulk inserts a transaction runs on its connection (pg-direct.ts)
  return err.code === "P2002" || err.code === "23505" || err.code === "SQLITE_CONSTRAINT_UNIQUE" || err.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || (err.code === "P2010" && err.meta?.driverAdapterError?.cause?.kind === "UniqueConstraintViolation");
}

/**
 * A failure because another process kept the SQLite file locked beyond the busy timeout, as a French sentence
 * for the operator; undefined for any other error. What earlier transactions committed stays.
 */
export function sqliteBusyFr(e: unknown): string | undefined {
  const err = e as { code?: unknown; message?: unknown; meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; originalMessage?: unknown } } } } | null;
  const cause = err?.meta?.driverAdapterError?.cause;
  // better-sqlite3's own error (a transaction's BEGIN IMMEDIATE, the statements run directly), or the same
  // through Prisma's adapter (a plain query: P1008 « Operation has timed out », the SQLite code kept in its cause)
  const text = `${String(err?.code ?? "")} ${String(err?.message ?? e)} ${String(cause?.originalCode ?? "")} ${String(cause?.originalMessage ?? "")}`;
  if (!/SQLITE_BUSY|database is locked/i.test(text)) return undefined;
  return `la base SQLite est restée occupée par un autre processus plus de ${SQLITE_BUSY_TIMEOUT_MS / 1000} secondes (une restauration, une autre commande coordo ?). Ce qui était déjà enregistré est gardé ; relancez la commande une fois l'autre terminée.`;
}

/** SQLite page cache of coordo's connection, in KiB. */
const SQLITE_CACHE_KB = 2_000;
type SqliteFactory = PrismaBetterSQLite3;
const YIELD_EVERY_MS = 5;
type SqliteAdapter = Awaited<ReturnType<SqliteFactory["connect"]>>;
type SqliteTransaction = Awaited<ReturnType<SqliteAdapter["startTransaction"]>>;

/** A FIFO lock: `acquire()` resolves with the function that releases it. */
export class FifoLock {
  private tail: Promise<void> = Promise.resolve();
  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const ready = this.tail.then(() => {
      let done = false;
      return () => {
        if (!done) (done = true), release();
      };
    });
    this.tail = held;
    return ready;
  }
}

/**
 * Turns the transaction the adapter has just opened (`BEGIN`: DEFERRED, nothing read yet) into an IMMEDIATE one:
 * the write lock first, waiting up to the busy timeout for another process (a `coordo job run` beside
 * `coordo start`). A deferred transaction reads first; once another connection has committed after that read,
 * SQLite refuses AT ONCE to let it write (SQLITE_BUSY_SNAPSHOT, « database is locked », no busy wait): a national
 * dues run beside a sending `coordo start` failed on its first CPTS. Within one process nothing changes (its one
 * connection runs one transaction at a time). If the lock cannot be had, no transaction is left open.
 */
function writeLockFirst(client: SqliteConnection): void {
  client.prepare("ROLLBACK").run();
  client.prepare("BEGIN IMMEDIATE").run();
}

/**
 * The better-sqlite3 adapter holds ONE connection. Its interactive transactions take a lock, but its plain
 * queries do not: a query from elsewhere in the process (the sender marking a message sent, a chat command)
 * would run INSIDE another task's open transaction — reading its uncommitted rows and being rolled back
 * with it. So every plain query here waits for the open transaction to end, and a transaction waits for
 * the plain queries before it. (PostgreSQL has a pool: each transaction has its own connection.)
 */
export function serializedSqlite(factory: SqliteFactory, direct?: SqliteDirect): SqliteFactory {
  const connect = factory.connect.bind(factory);
  return Object.assign(Object.create(factory) as SqliteFactory, {
    async connect(): Promise<SqliteAdapter> {
      const inner = await connect();
      // WAL with synchronous=NORMAL: a commit is durable against a process crash (what the outbox needs);
      // only a power loss may drop the last commits. Saves an fsync per commit.
      (inner as unknown as { client: { pragma(sql: string): unknown } }).client.pragma("synchronous = NORMAL");
      // better-sqlite3 is built with a 16 MB page cache per connection (SQLite's own default: 2 MB). The file's
      // pages stay in the OS cache anyway: the national run's CPU stayed within noise (README « Mémoire d'une exécution »).
      (inner as unknown as { client: { pragma(sql: string): unknown } }).client.pragma(`cache_size = -${SQLITE_CACHE_KB}`);
      const lock = new FifoLock();
      let transactions = 0;
      // better-sqlite3 is synchronous: a chain of awaited queries resolves in microtasks only and never lets
      // the event loop reach its I/O phase (sockets: SMTP, Slack acks, HTTP). Every few milliseconds of
      // database work, a query first yields one turn of the loop.
      const letIoIn = turnYielder(YIELD_EVERY_MS);
      const locked = async <T>(f: () => Promise<T>): Promise<T> => {
        await letIoIn();
        const release = await lock.acquire();
        try {
          return await f();
        } finally {
          release();
        }
      };
      // the outbox's hot statements (sqlite-direct.ts) run on the same connection, under the same lock
      if (direct) {
        direct.conn = (inner as unknown as { client: SqliteConnection }).client;
        direct.run = (f) => locked(async () => f(direct.conn!));
      }
      const adapter: SqliteAdapter = {
        provider: inner.provider,
        adapterName: inner.adapterName,
        queryRaw: (q) => locked(() => inner.queryRaw(q)),
        executeRaw: (q) => locked(() => inner.executeRaw(q)),
        executeScript: (script) => locked(() => inner.executeScript(script)),
        dispose: () => {
          if (direct) direct.run = direct.conn = undefined;
          return inner.dispose();
        },
        ...(inner.getConnectionInfo ? { getConnectionInfo: () => inner.getConnectionInfo!() } : {}),
        async startTransaction(isolationLevel) {
          await letIoIn();
          const release = await lock.acquire();
          let tx: SqliteTransaction;
          try {
            tx = await inner.startTransaction(isolationLevel);
          } catch (e) {
            release();
            throw e;
          }
          const client = (inner as unknown as { client: SqliteConnection & { inTransaction: boolean } }).client;
          try {
            writeLockFirst(client);
          } catch (e) {
            // no transaction left open (a failed BEGIN IMMEDIATE opens none; a failed ROLLBACK leaves the adapter's)
            try {
              if (client.inTransaction) client.prepare("ROLLBACK").run();
            } catch {
              // nothing more to undo
            }
            await tx.rollback(); // releases the adapter's own lock (it runs no SQL)
            release();
            throw e;
          }
          // which transaction is open, for the statements run on the connection directly (sqlite-direct.ts)
          if (direct) direct.openTransaction = ++transactions;
          let ended = false;
          const end = (how: () => Promise<void>): Promise<void> => {
            if (ended) return Promise.resolve();
            ended = true;
            if (direct) direct.openTransaction = 0;
            return how().finally(release);
          };
          return {
            provider: tx.provider,
            adapterName: tx.adapterName,
            options: tx.options,
            queryRaw: (q) => tx.queryRaw(q),
            async executeRaw(q) {
              if (!/^\s*(COMMIT|ROLLBACK)\b/i.test(q.sql)) return tx.executeRaw(q);
              // from its end on, no statement of its body runs on the connection directly (it would run outside it)
              if (direct) direct.openTransaction = 0;
              try {
                return await tx.executeRaw(q);
              } catch (e) {
                // Prisma calls neither commit() nor rollback() when its COMMIT/ROLLBACK statement fails (a COMMIT
                // refused by a deferred constraint leaves the transaction open; after a full disk or an I/O error
                // SQLite has already ended it): end it here, or the lock stays held and every later query waits.
                const client = (inner as unknown as { client: { inTransaction: boolean; exec(sql: string): unknown } }).client;
                try {
                  if (client.inTransaction) client.exec("ROLLBACK");
                } catch {
                  // nothing more to undo
                }
                await end(() => tx.rollback());
                throw e;
              }
            },
            commit: () => end(() => tx.commit()),
            rollback: () => end(() => tx.rollback()),
          };
        },
      };
      return adapter;
    },
  });
}
