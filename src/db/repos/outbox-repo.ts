// The outbox table: idempotent inserts, claims with a lease (conditional update), state changes after a send.
import { Prisma } from "../generated/postgres/client.ts";
import type { Db, Tx } from "../client.ts";
import { insertRows, newRowId } from "../raw-insert.ts";
import { pgDirect, pgTimestamp, pgTransactionClient } from "../pg-direct.ts";
import { prepared, sqliteDateTime, sqliteDirect, transactionConnection } from "../sqlite-direct.ts";
import { plainRows } from "../direct-read.ts";
import type { OutboxChannel, OutboxState } from "../generated/postgres/enums.ts";

export interface OutboxRowInput {
  cptsId: string;
  idempotencyKey: string;
  channel: OutboxChannel;
  kind: string;
  recipient: string;
  memberId?: string | null;
  subject?: string | null;
  bodyText: string;
  bodyHtml?: string | null;
  headers?: Record<string, string> | null;
  refType?: string | null;
  refId?: string | null;
  nextAttemptAt?: Date;
}

export interface ClaimedMessage {
  id: string;
  cptsId: string;
  idempotencyKey: string;
  channel: OutboxChannel;
  kind: string;
  recipient: string;
  memberId: string | null;
  subject: string | null;
  bodyText: string;
  bodyHtml: string | null;
  headers: Record<string, string> | null;
  /** What the message is about (e.g. "relance" + "<year>:<step>"); optional for stores that do not keep it. */
  refType?: string | null;
  refId?: string | null;
  attempts: number;
  /** When it was queued: temporary failures are retried for a window from then (48 h). */
  createdAt?: Date;
  /** True when a previous claim of this row expired: it may already have been handed to the server. */
  maybeSent: boolean;
}

const CHUNK = 500;
/**
 * Rows per multi-row INSERT of outbox rows (each carries a mail's text and HTML, ~5 KB, two-byte with « € »):
 * Prisma serializes a raw statement's parameters to one JSON string; kept under ~128 KB it dies in V8's young
 * generation, while a CPTS's whole batch (up to ~1 MB) went to the large-object space, freed only by a full
 * collection: the peak memory of a national run (README « Mémoire d'une exécution nationale »).
 */
const INSERT_ROWS = 10;
const OUTBOX_COLUMNS = [
  "id", "cptsId", "idempotencyKey", "channel", "kind", "recipient", "memberId", "subject", "bodyText", "bodyHtml",
  "headers", "refType", "refId", "state", "attempts", "nextAttemptAt", "createdAt",
] as const;

const PG_EXISTING_KEYS_SQL = `SELECT "idempotencyKey" FROM "OutboxMessage" WHERE "idempotencyKey" = ANY($1::text[])`;
const EXISTING_KEYS_SQL = `SELECT o."idempotencyKey" FROM json_each(?) AS k CROSS JOIN "OutboxMessage" AS o ON o."idempotencyKey" = k.value`;

/**
 * Inserts the rows whose key is not there yet; returns how many were inserted (and hands their keys to
 * `onInserted`). Runs inside the caller's transaction.
 */
export async function insertNewRows(tx: Tx, rows: OutboxRowInput[], onInserted?: (keys: string[]) => void): Promise<number> {
  if (rows.length === 0) return 0;
  const unique = new Map(rows.map((r) => [r.idempotencyKey, r]));
  const existing = new Set<string>();
  const keys = [...unique.keys()];
  const conn = transactionConnection(tx);
  const client = conn ? undefined : pgTransactionClient(tx);
  if (conn) {
    for (const f of prepared(conn, EXISTING_KEYS_SQL).all(JSON.stringify(keys)) as { idempotencyKey: string }[]) existing.add(f.idempotencyKey);
  } else if (client) {
    const found = await client.query({ text: PG_EXISTING_KEYS_SQL, values: [keys] });
    for (const f of found.rows as { idempotencyKey: string }[]) existing.add(f.idempotencyKey);
  } else {
    for (let i = 0; i < keys.length; i += CHUNK) {
      const found = await tx.outboxMessage.findMany({ where: { idempotencyKey: { in: keys.slice(i, i + CHUNK) } }, select: { idempotencyKey: true } });
      for (const f of found) existing.add(f.idempotencyKey);
    }
  }
  const fresh = [...unique.values()].filter((r) => !existing.has(r.idempotencyKey));
  const now = new Date();
  await insertRows(
    tx,
    "OutboxMessage",
    OUTBOX_COLUMNS,
    fresh.map((r) => [
      newRowId(), r.cptsId, r.idempotencyKey, r.channel, r.kind, r.recipient, r.memberId ?? null, r.subject ?? null, r.bodyText, r.bodyHtml ?? null,
      r.headers ? JSON.stringify(r.headers) : null, r.refType ?? null, r.refId ?? null, "EN_ATTENTE", 0, r.nextAttemptAt ?? now, now,
    ]),
    INSERT_ROWS,
  );
  onInserted?.(fresh.map((r) => r.idempotencyKey));
  return fresh.length;
}

const READY: OutboxState[] = ["EN_ATTENTE", "ECHEC_TEMPORAIRE"];
const MARK_SENT_SQL = `UPDATE "OutboxMessage" SET "state" = 'ENVOYE', "sentAt" = ?, "providerId" = ?, "lastError" = NULL, "lockedBy" = NULL, "lockedUntil" = NULL
  WHERE "id" = ? AND "lockedBy" = ? AND "state" = 'EN_COURS'`;

const PG_MARK_SENT_SQL = `UPDATE "OutboxMessage" AS o SET "state" = 'ENVOYE', "sentAt" = $4::timestamp(3), "providerId" = m.provider,
  "lastError" = NULL, "lockedBy" = NULL, "lockedUntil" = NULL
  FROM unnest($1::text[], $2::text[]) AS m(id, provider) WHERE o."id" = m.id AND o."lockedBy" = $3 AND o."state" = 'EN_COURS'`;

// The claim on SQLite (see claim()), statements prepared once (lists go as JSON arrays through json_each). A job
// run's claim starts from its keys (the unique index, CROSS JOIN keeps that order): from the state index it
// would read every due row of the queue (50,000 on the national set) for each batch. The UPDATE finds its rows
// by id (the unary + keeps the state index out of it) and checks again that each is still due IN THE STATE IT
// WAS READ IN (ready, or held under a lapsed lease): a row taken and given up by another process in between comes
// back with the next read, its "maybe sent" flag right.
const due = (o: string) => `((${o}"state" IN ('EN_ATTENTE', 'ECHEC_TEMPORAIRE') AND ${o}"nextAttemptAt" <= @now) OR (${o}"state" = 'EN_COURS' AND ${o}"lockedUntil" < @now))
  AND (@channels IS NULL OR ${o}"channel" IN (SELECT value FROM json_each(@channels)))`;
const stillDue = `(("id" IN (SELECT value FROM json_each(@ready)) AND +"state" IN ('EN_ATTENTE', 'ECHEC_TEMPORAIRE') AND +"nextAttemptAt" <= @now)
  OR ("id" IN (SELECT value FROM json_each(@expired)) AND +"state" = 'EN_COURS' AND +"lockedUntil" < @now))
  AND (@channels IS NULL OR +"channel" IN (SELECT value FROM json_each(@channels)))`;
const CLAIM_KEYS_SQL = `SELECT o."id", o."state" FROM json_each(@keys) AS k CROSS JOIN "OutboxMessage" AS o ON o."idempotencyKey" = k.value
  WHERE ${due("o.")} ORDER BY o."nextAttemptAt", o."id" LIMIT @limit`;
// The claim of `coordo start`'s sender (no keys; exported for its plan test): one index-ordered read per way of being
// due, each stopping at `limit` rows, then merged. With the OR above in one query, SQLite read EVERY due row through
// both branches of the state index and sorted them for each batch: 126 ms a claim with the 50,801 reminders of a
// national run waiting (the event loop blocked meanwhile), 0.5 ms this way; the service drained that backlog at
// ≈ 1,300 mails/s against ≈ 3,000 for `coordo job run` (issue 18). Rows due at the same instant go in the order
// they were written (rowid, the state index's own last column): by id, a batch enqueued in one transaction (one
// instant for 50,801 rows) had to be read and sorted whole again, 127 ms a claim; 0.7 ms by rowid.
const dueBy = (state: string, test: string) => `SELECT * FROM (SELECT "rowid" AS "seq", "id", "state", "nextAttemptAt" FROM "OutboxMessage"
  WHERE "state" = '${state}' AND ${test} AND (@channels IS NULL OR "channel" IN (SELECT value FROM json_each(@channels)))
  ORDER BY "nextAttemptAt", "rowid" LIMIT @limit)`;
export const CLAIM_ALL_SQL = `SELECT "id", "state" FROM (
  ${dueBy("EN_ATTENTE", `"nextAttemptAt" <= @now`)}
  UNION ALL ${dueBy("ECHEC_TEMPORAIRE", `"nextAttemptAt" <= @now`)}
  UNION ALL ${dueBy("EN_COURS", `"lockedUntil" < @now`)}
) ORDER BY "nextAttemptAt", "seq" LIMIT @limit`;
const CLAIM_UPDATE_SQL = `UPDATE "OutboxMessage" SET "state" = 'EN_COURS', "lockedBy" = @lockToken, "lockedUntil" = @until, "attempts" = "attempts" + 1
  WHERE ${stillDue}
  RETURNING "id", "cptsId", "idempotencyKey", "channel", "kind", "recipient", "memberId", "subject", "bodyText", "bodyHtml", "headers", "refType", "refId", "attempts", "createdAt", "nextAttemptAt"`;

// The claim on PostgreSQL: ONE statement, as PostgreSQL queues do (FOR UPDATE SKIP LOCKED): the due rows are locked
// as they are read, the ones another sender holds at that moment are skipped, and PostgreSQL checks each row's
// conditions again on its latest version when it locks it: a row taken and committed by another sender since this
// statement's snapshot is not due any more and is not returned. Through Prisma this took three queries (candidates,
// conditional update, rows read back and mapped): 12 ms a claim on the national run while the 5 SMTP connections
// waited (issue 18). Its state before ("was") says whether a lease had expired (maybe sent). Dates go and come back
// as text in UTC (`timestamp(3)` without time zone, as Prisma stores them). MATERIALIZED: the locked set is
// computed once, never folded into the UPDATE.
/** A `timestamp(3)` as fixed-width text whatever the session's DateStyle: it sorts as it reads. */
const PG_TEXT_TIME = (column: string) => `to_char(${column}, 'YYYY-MM-DD HH24:MI:SS.MS')`;
// Without keys (`coordo start`'s sender, the whole queue), as on SQLite: one index-ordered read per way of being due,
// each locking at most `limit` rows, then the oldest `limit` of them (the others' locks end with the statement: it
// runs alone, in autocommit; a second sender at that instant skips them and finds the rest, or waits for its next turn).
// With the OR, PostgreSQL read every due row and sorted them on disk for each batch: 31 ms a claim with the 50,801
// reminders of a national run waiting, 2.2 ms this way (issue 18). Rows due at the same instant are read in the
// index's order, not sorted by id: by id, a batch written at one instant (50,801 rows) was sorted whole on disk for
// each claim, 77 ms; 0.24 ms this way. The batch taken is then ordered by due time and id.
const pgDueBy = (name: string, state: string, test: string) => `${name} AS MATERIALIZED (
  SELECT "id", "state", "nextAttemptAt" FROM "OutboxMessage"
  WHERE "state" = '${state}' AND ${test} AND ($2::text[] IS NULL OR "channel"::text = ANY($2::text[]))
  ORDER BY "nextAttemptAt" LIMIT $3
  FOR UPDATE SKIP LOCKED
)`;
const pgClaim = (byKeys: boolean) => `WITH ${byKeys ? `cand AS MATERIALIZED (
  SELECT "id", "state" FROM "OutboxMessage"
  WHERE (("state" IN ('EN_ATTENTE', 'ECHEC_TEMPORAIRE') AND "nextAttemptAt" <= $1::timestamp(3)) OR ("state" = 'EN_COURS' AND "lockedUntil" < $1::timestamp(3)))
    AND ($2::text[] IS NULL OR "channel"::text = ANY($2::text[]))
    AND "idempotencyKey" = ANY($6::text[])
  ORDER BY "nextAttemptAt", "id" LIMIT $3
  FOR UPDATE SKIP LOCKED
)` : `${pgDueBy("waiting", "EN_ATTENTE", `"nextAttemptAt" <= $1::timestamp(3)`)},
${pgDueBy("retry", "ECHEC_TEMPORAIRE", `"nextAttemptAt" <= $1::timestamp(3)`)},
${pgDueBy("lapsed", "EN_COURS", `"lockedUntil" < $1::timestamp(3)`)},
cand AS MATERIALIZED (
  SELECT "id", "state" FROM (SELECT * FROM waiting UNION ALL SELECT * FROM retry UNION ALL SELECT * FROM lapsed) AS due
  ORDER BY "nextAttemptAt", "id" LIMIT $3
)`}
UPDATE "OutboxMessage" AS o SET "state" = 'EN_COURS', "lockedBy" = $4, "lockedUntil" = $5::timestamp(3), "attempts" = o."attempts" + 1
FROM cand WHERE o."id" = cand."id"
RETURNING o."id", o."cptsId", o."idempotencyKey", o."channel"::text AS "channel", o."kind", o."recipient", o."memberId", o."subject", o."bodyText", o."bodyHtml",
  o."headers", o."refType", o."refId", o."attempts", ${PG_TEXT_TIME("o.\"createdAt\"")} AS "createdAt", ${PG_TEXT_TIME("o.\"nextAttemptAt\"")} AS "nextAttemptAt", cand."state"::text AS "was"`;
const PG_CLAIM_SQL = pgClaim(false);
const PG_CLAIM_KEYS_SQL = pgClaim(true);
type PgClaimRow = Omit<ClaimedMessage, "createdAt" | "maybeSent"> & { createdAt: string; nextAttemptAt: string; was: string };
/** Claimed rows in the order they were due (times as text of fixed width, then id), on both engines. */
const byDueOrder = (a: { nextAttemptAt: string; id: string }, b: { nextAttemptAt: string; id: string }) =>
  a.nextAttemptAt < b.nextAttemptAt ? -1 : a.nextAttemptAt > b.nextAttemptAt ? 1 : a.id < b.id ? -1 : 1;
/** A `timestamp(3)` read as text (UTC, "2026-12-03 10:00:00.123") as a Date. */
const pgUtc = (t: string): Date => new Date(`${t.replace(" ", "T")}Z`);

// The last look's reads on SQLite (cancelMoot), and the same on PostgreSQL below.
const MOOT_PAID_SQL = `SELECT "cptsId", "memberId", "year", "amountCents" FROM "DuesPayment"
  WHERE "memberId" IN (SELECT value FROM json_each(?)) AND "year" IN (SELECT value FROM json_each(?)) AND "paidOn" <= ? AND "amountCents" > 0
  AND ("refundedOn" IS NULL OR "refundedOn" > ?)`;
const MOOT_MEMBERS_SQL = `SELECT "id", "category", "duesExempt" FROM "Member" WHERE "id" IN (SELECT value FROM json_each(?))`;
const MOOT_RATES_SQL = `SELECT "cptsId", "year", "category", "amountCents" FROM "DuesRate" WHERE "cptsId" IN (SELECT value FROM json_each(?)) AND "year" IN (SELECT value FROM json_each(?))`;
// The same reads on PostgreSQL (plainRows: pg directly once connected, else Prisma's $queryRaw of the same SQL).
const PG_MOOT_PAID_SQL = (memberIds: string[], years: number[], today: string) => Prisma.sql`SELECT "cptsId", "memberId", "year", "amountCents" FROM "DuesPayment"
  WHERE "memberId" = ANY(${memberIds}::text[]) AND "year" = ANY(${years}::int[]) AND "paidOn" <= ${today} AND "amountCents" > 0
  AND ("refundedOn" IS NULL OR "refundedOn" > ${today})`;
const PG_MOOT_MEMBERS_SQL = (ids: string[]) => Prisma.sql`SELECT "id", "category"::text AS "category", "duesExempt" FROM "Member" WHERE "id" = ANY(${ids}::text[])`;
const PG_MOOT_RATES_SQL = (cptsIds: string[], years: number[]) =>
  Prisma.sql`SELECT "cptsId", "year", "category"::text AS "category", "amountCents" FROM "DuesRate" WHERE "cptsId" = ANY(${cptsIds}::text[]) AND "year" = ANY(${years}::int[])`;
type MootPaid = { cptsId: string; memberId: string; year: number | bigint; amountCents: number | bigint };
type MootMember = { id: string; category: string; duesExempt: number | boolean };
type MootRate = { cptsId: string; year: number | bigint; category: string; amountCents: number | bigint };

type ClaimRow = Omit<ClaimedMessage, "headers" | "createdAt" | "maybeSent"> & { headers: string | null; createdAt: string; nextAttemptAt: string };

export class OutboxRepository {
  /** `scope.keys`: claim only the rows with these idempotency keys (`coordo job run` sends what it enqueued). */
  constructor(
    private readonly db: Db,
    private readonly scope: { keys?: readonly string[] } = {},
  ) {}

  /**
   * Claims up to `limit` due rows for `lockToken` with one conditional UPDATE: a row is taken only if it is
   * still due (or its previous lease expired) at the moment of the update, so two workers never share a row.
   */
  async claim(opts: { lockToken: string; now: Date; leaseMs: number; limit: number; channels?: OutboxChannel[] }): Promise<ClaimedMessage[]> {
    const due = {
      ...(opts.channels ? { channel: { in: opts.channels } } : {}),
      ...(this.scope.keys ? { idempotencyKey: { in: [...this.scope.keys] } } : {}),
      OR: [{ state: { in: READY }, nextAttemptAt: { lte: opts.now } }, { state: "EN_COURS" as const, lockedUntil: { lt: opts.now } }],
    };
    // SQLite: the candidates read first (an idle poll only reads: no write lock, another process's long transaction
    // does not block it), then taken by ONE conditional UPDATE that checks again that each is still due as read: a
    // candidate another process took in between is not returned; when it took them all, read again (bounded), as on
    // PostgreSQL. Statements prepared once, without Prisma's query compilation and result mapping. (The candidates
    // were read a second time inside an IMMEDIATE transaction: 2 % of a national run.)
    const direct = sqliteDirect(this.db);
    if (direct) {
      const now = sqliteDateTime(opts.now);
      const channels = opts.channels ? JSON.stringify(opts.channels) : null;
      const keys = this.scope.keys ? JSON.stringify(this.scope.keys) : null;
      const until = sqliteDateTime(new Date(opts.now.getTime() + opts.leaseMs));
      let rows: ClaimRow[] = [];
      let expired = new Set<string>();
      for (let round = 0; round < 5 && rows.length === 0; round++) {
        const candidates = await direct(
          (c) => (keys ? prepared(c, CLAIM_KEYS_SQL).all({ now, channels, keys, limit: opts.limit }) : prepared(c, CLAIM_ALL_SQL).all({ now, channels, limit: opts.limit })) as { id: string; state: string }[],
        );
        if (candidates.length === 0) return [];
        expired = new Set(candidates.filter((r) => r.state === "EN_COURS").map((r) => r.id));
        const ready = JSON.stringify(candidates.filter((r) => r.state !== "EN_COURS").map((r) => r.id));
        rows = await direct((c) => prepared(c, CLAIM_UPDATE_SQL).all({ now, channels, lockToken: opts.lockToken, until, ready, expired: JSON.stringify([...expired]) }) as ClaimRow[]);
      }
      return rows
        .sort(byDueOrder)
        .map(({ nextAttemptAt: _n, ...r }) => ({ ...r, attempts: Number(r.attempts) /* the connection reads integers as BigInt */, headers: r.headers == null ? null : (JSON.parse(r.headers) as Record<string, string>), createdAt: new Date(r.createdAt), maybeSent: expired.has(r.id) }));
    }
    const pool = pgDirect(this.db);
    if (pool) {
      const keys = this.scope.keys ? [...this.scope.keys] : null;
      const values: unknown[] = [pgTimestamp(opts.now), opts.channels ?? null, opts.limit, opts.lockToken, pgTimestamp(new Date(opts.now.getTime() + opts.leaseMs))];
      if (keys) values.push(keys);
      const r = await pool.query({ text: keys ? PG_CLAIM_KEYS_SQL : PG_CLAIM_SQL, values });
      return (r.rows as PgClaimRow[])
        .sort(byDueOrder)
        .map(({ nextAttemptAt: _n, was, createdAt, ...m }) => ({ ...m, createdAt: pgUtc(createdAt), maybeSent: was === "EN_COURS" }));
    }
    let expired = new Set<string>();
    // Another worker may take the same candidates between the read and the update: try again (bounded). Each is
    // taken only if still due in the state it was read in (its "maybe sent" flag stays right).
    for (let round = 0; round < 5; round++) {
      const candidates = await this.db.outboxMessage.findMany({ where: due, orderBy: [{ nextAttemptAt: "asc" }, { id: "asc" }], take: opts.limit, select: { id: true, state: true } });
      if (candidates.length === 0) return [];
      expired = new Set(candidates.filter((c) => c.state === "EN_COURS").map((c) => c.id));
      const r = await this.db.outboxMessage.updateMany({
        where: {
          ...(opts.channels ? { channel: { in: opts.channels } } : {}),
          OR: [
            { id: { in: candidates.filter((c) => c.state !== "EN_COURS").map((c) => c.id) }, state: { in: READY }, nextAttemptAt: { lte: opts.now } },
            { id: { in: [...expired] }, state: "EN_COURS" as const, lockedUntil: { lt: opts.now } },
          ],
        },
        data: { state: "EN_COURS", lockedBy: opts.lockToken, lockedUntil: new Date(opts.now.getTime() + opts.leaseMs), attempts: { increment: 1 } },
      });
      if (r.count > 0) break;
    }
    const rows = await this.db.outboxMessage.findMany({ where: { lockedBy: opts.lockToken, state: "EN_COURS" }, orderBy: [{ nextAttemptAt: "asc" }, { id: "asc" }] });
    return rows.map((r) => ({
      id: r.id,
      cptsId: r.cptsId,
      idempotencyKey: r.idempotencyKey,
      channel: r.channel,
      kind: r.kind,
      recipient: r.recipient,
      memberId: r.memberId,
      subject: r.subject,
      bodyText: r.bodyText,
      bodyHtml: r.bodyHtml,
      headers: (r.headers ?? null) as Record<string, string> | null,
      refType: r.refType,
      refId: r.refId,
      attempts: r.attempts,
      createdAt: r.createdAt,
      maybeSent: expired.has(r.id),
    }));
  }

  /** Extends the lease of rows still held by `lockToken` (long batches). */
  async renew(lockToken: string, until: Date): Promise<void> {
    await this.db.outboxMessage.updateMany({ where: { lockedBy: lockToken, state: "EN_COURS" }, data: { lockedUntil: until } });
  }

  private async finish(id: string, lockToken: string, data: Parameters<Db["outboxMessage"]["updateMany"]>[0]["data"]): Promise<boolean> {
    const r = await this.db.outboxMessage.updateMany({ where: { id, lockedBy: lockToken, state: "EN_COURS" }, data: { ...data, lockedBy: null, lockedUntil: null } });
    return r.count === 1;
  }

  markSent(id: string, lockToken: string, at: Date, providerId: string | null): Promise<boolean> {
    return this.finish(id, lockToken, { state: "ENVOYE", sentAt: at, providerId, lastError: null });
  }

  markCaptured(id: string, lockToken: string, providerId: string | null): Promise<boolean> {
    return this.finish(id, lockToken, { state: "CAPTURE", providerId, lastError: null });
  }

  markRetry(id: string, lockToken: string, nextAttemptAt: Date, error: string): Promise<boolean> {
    return this.finish(id, lockToken, { state: "ECHEC_TEMPORAIRE", nextAttemptAt, lastError: error.slice(0, 1000) });
  }

  markFailed(id: string, lockToken: string, error: string): Promise<boolean> {
    return this.finish(id, lockToken, { state: "ECHEC", lastError: error.slice(0, 1000) });
  }

  /**
   * Marks sent, in ONE statement, rows this lock still holds (the sender groups the messages accepted by the
   * server while the previous write was in flight: at most one per connection). Returns how many were marked;
   * a row whose lease expired meanwhile is left to its new holder.
   */
  async markSentMany(items: readonly { id: string; providerId: string | null }[], lockToken: string, at: Date): Promise<number> {
    if (items.length === 0) return 0;
    // SQLite: one prepared statement per row, all in one commit, without Prisma (the sender's hottest write)
    const direct = sqliteDirect(this.db);
    if (direct) {
      const sentAt = sqliteDateTime(at);
      return direct((c) => {
        const mark = prepared(c, MARK_SENT_SQL);
        return c.transaction(() => items.reduce((n, i) => n + mark.run(sentAt, i.providerId, i.id, lockToken).changes, 0))();
      });
    }
    // PostgreSQL: one statement on the adapter's pool (pg-direct.ts), the rows as two arrays
    const pool = pgDirect(this.db);
    if (pool) {
      const r = await pool.query({ text: PG_MARK_SENT_SQL, values: [items.map((i) => i.id), items.map((i) => i.providerId), lockToken, pgTimestamp(at)] });
      return r.rowCount ?? 0;
    }
    const ids = Prisma.join(items.map((i) => i.id));
    const provider = Prisma.join(items.map((i) => Prisma.sql`WHEN ${i.id} THEN ${i.providerId}`), " ");
    return this.db.$executeRaw`UPDATE "OutboxMessage" SET "state" = 'ENVOYE', "sentAt" = ${at}, "providerId" = CASE "id" ${provider} ELSE "providerId" END,
      "lastError" = NULL, "lockedBy" = NULL, "lockedUntil" = NULL
      WHERE "id" IN (${ids}) AND "lockedBy" = ${lockToken} AND "state" = 'EN_COURS'`;
  }

  /**
   * Last look before sending dues reminders ("relance", refId "<year>:<step>"), for a whole claimed batch in
   * a few queries: a reminder whose member's valid (not refunded) payments for that year, by `today`, now
   * cover the due of their category — recorded since the decision — becomes ANNULE instead of being sent.
   * A partial payment leaves the reminder (it asks for the balance). Returns the ids cancelled.
   */
  async cancelMoot(batch: readonly ClaimedMessage[], lockToken: string, today: string): Promise<Set<string>> {
    const reminders = batch
      .filter((m) => m.kind === "relance" && m.refType === "relance" && m.memberId && m.refId)
      .map((m) => ({ m, year: Number(m.refId!.split(":")[0]) }))
      .filter((r) => Number.isInteger(r.year));
    if (reminders.length === 0) return new Set();
    const memberIds = [...new Set(reminders.map((r) => r.m.memberId!))];
    const years = [...new Set(reminders.map((r) => r.year))];
    // the three reads as statements prepared once on SQLite, by pg directly on PostgreSQL (they run before every
    // batch and every second of it)
    const direct = sqliteDirect(this.db);
    const paid = direct
      ? await direct((c) => (prepared(c, MOOT_PAID_SQL).all(JSON.stringify(memberIds), JSON.stringify(years), today, today) as MootPaid[]).map((p) => ({ ...p, year: Number(p.year), amountCents: Number(p.amountCents) })))
      : await plainRows<{ cptsId: string; memberId: string; year: number; amountCents: number }>(this.db, PG_MOOT_PAID_SQL(memberIds, years, today));
    if (paid.length === 0) return new Set();
    const sums = new Map<string, number>();
    for (const p of paid) sums.set(`${p.cptsId}:${p.memberId}:${p.year}`, (sums.get(`${p.cptsId}:${p.memberId}:${p.year}`) ?? 0) + p.amountCents);
    const paidMembers = [...new Set(paid.map((p) => p.memberId))];
    const rateCpts = [...new Set(paid.map((p) => p.cptsId))];
    const rateYears = [...new Set(paid.map((p) => p.year))];
    const members = direct
      ? await direct((c) => (prepared(c, MOOT_MEMBERS_SQL).all(JSON.stringify(paidMembers)) as MootMember[]).map((m) => ({ ...m, duesExempt: Boolean(m.duesExempt) })))
      : await plainRows<{ id: string; category: string; duesExempt: boolean }>(this.db, PG_MOOT_MEMBERS_SQL(paidMembers));
    const rates = direct
      ? await direct((c) => (prepared(c, MOOT_RATES_SQL).all(JSON.stringify(rateCpts), JSON.stringify(rateYears)) as MootRate[]).map((r) => ({ ...r, year: Number(r.year), amountCents: Number(r.amountCents) })))
      : await plainRows<{ cptsId: string; year: number; category: string; amountCents: number }>(this.db, PG_MOOT_RATES_SQL(rateCpts, rateYears));
    const memberById = new Map(members.map((m) => [m.id, m]));
    const rateOf = new Map(rates.map((r) => [`${r.cptsId}:${r.year}:${r.category}`, r.amountCents]));
    // covered = what rules/dues.ts calls up to date (no due set for the year: any payment covers it)
    const paidKeys = new Set(
      [...sums].flatMap(([key, sum]) => {
        const [cptsId, memberId, year] = key.split(":") as [string, string, string];
        const m = memberById.get(memberId);
        const due = m ? rateOf.get(`${cptsId}:${year}:${m.category}`) : undefined;
        return !m || m.duesExempt || due === undefined || sum >= due ? [key] : [];
      }),
    );
    const moot = reminders.filter((r) => paidKeys.has(`${r.m.cptsId}:${r.m.memberId}:${r.year}`));
    const cancelled = new Set<string>();
    // one update per year (the reason names it); a row whose lease expired is left to its new holder
    for (const year of new Set(moot.map((r) => r.year))) {
      const ids = moot.filter((r) => r.year === year).map((r) => r.m.id);
      const r = await this.db.outboxMessage.updateMany({
        where: { id: { in: ids }, lockedBy: lockToken, state: "EN_COURS" },
        data: { state: "ANNULE", lastError: `cotisation ${year} réglée avant l'envoi`, lockedBy: null, lockedUntil: null },
      });
      // usually all of them; otherwise (a lease lapsed) ask which ones are cancelled now
      const done = r.count === ids.length ? ids : (await this.db.outboxMessage.findMany({ where: { id: { in: ids }, state: "ANNULE" }, select: { id: true } })).map((x) => x.id);
      for (const id of done) cancelled.add(id);
    }
    return cancelled;
  }

  /** Sending suspended (circuit open): the row goes back to the queue, due now, without counting the attempt. */
  markHeld(id: string, lockToken: string, error: string): Promise<boolean> {
    return this.finish(id, lockToken, { state: "EN_ATTENTE", attempts: { decrement: 1 }, nextAttemptAt: new Date(), lastError: `envoi suspendu : ${error}`.slice(0, 1000) });
  }

  /** Releases the rows still held (graceful stop): they become due again at once, without counting an attempt. */
  async release(lockToken: string): Promise<void> {
    await this.db.outboxMessage.updateMany({ where: { lockedBy: lockToken, state: "EN_COURS" }, data: { state: "EN_ATTENTE", lockedBy: null, lockedUntil: null, attempts: { decrement: 1 } } });
  }

  async flagMemberEmailInvalid(memberId: string, at: Date, reason?: string): Promise<{ name: string } | null> {
    const m = await this.db.member.update({ where: { id: memberId }, data: { emailInvalid: true, emailInvalidAt: at, emailInvalidReason: reason?.slice(0, 500) ?? null } }).catch(() => null);
    return m ? { name: [m.firstName, m.lastName].filter(Boolean).join(" ") || m.organization || m.email || "" } : null;
  }

  async cptsName(cptsId: string): Promise<string> {
    return (await this.db.cpts.findUnique({ where: { id: cptsId }, select: { name: true } }))?.name ?? "CPTS";
  }

  async memberCptsId(memberId: string): Promise<string | null> {
    return (await this.db.member.findUnique({ where: { id: memberId }, select: { cptsId: true } }))?.cptsId ?? null;
  }

  /** Coordinators' e-mail addresses (for delivery failure notices). */
  async coordinatorEmails(cptsId: string): Promise<{ id: string; email: string }[]> {
    const rows = await this.db.member.findMany({
      where: { cptsId, status: "ACTIF", emailInvalid: false, email: { not: null }, roles: { some: { role: "COORDONNATEUR" } } },
      select: { id: true, email: true },
    });
    return rows.map((r) => ({ id: r.id, email: r.email! }));
  }

  async insert(rows: OutboxRowInput[]): Promise<number> {
    return this.db.$transaction((tx) => insertNewRows(tx, rows));
  }

  async list(opts: { cptsId?: string; states?: OutboxState[]; limit: number }) {
    return this.db.outboxMessage.findMany({
      where: { ...(opts.cptsId ? { cptsId: opts.cptsId } : {}), ...(opts.states ? { state: { in: opts.states } } : {}) },
      orderBy: { createdAt: "desc" },
      take: opts.limit,
      select: { id: true, kind: true, channel: true, recipient: true, subject: true, state: true, attempts: true, createdAt: true, sentAt: true, lastError: true, nextAttemptAt: true },
    });
  }

  get(idOrPrefix: string) {
    return this.db.outboxMessage.findFirst({ where: { OR: [{ id: idOrPrefix }, { idempotencyKey: idOrPrefix }] } });
  }

  async countByState(cptsId?: string): Promise<Record<string, number>> {
    const rows = await this.db.outboxMessage.groupBy({ by: ["state"], where: cptsId ? { cptsId } : {}, _count: { _all: true } });
    return Object.fromEntries(rows.map((r) => [r.state, r._count._all]));
  }

  async countByRef(refType: string, refIds: string[]): Promise<{ refId: string | null; state: OutboxState; count: number }[]> {
    if (refIds.length === 0) return [];
    const rows = await this.db.outboxMessage.groupBy({ by: ["refId", "state"], where: { refType, refId: { in: refIds } }, _count: { _all: true } });
    return rows.map((r) => ({ refId: r.refId, state: r.state, count: r._count._all }));
  }

  /** Pending messages of a kind for a member (e.g. reminders made moot by a payment) → ANNULE. */
  async cancelPending(where: { memberId: string; kind: string; refType?: string; refId?: string }): Promise<number> {
    const r = await this.db.outboxMessage.updateMany({ where: { ...where, state: { in: READY } }, data: { state: "ANNULE" } });
    return r.count;
  }

  /** Captured mails of no consequence once SMTP is configured: nothing here re-sends them (they stay readable). */
  async pendingCount(now: Date): Promise<number> {
    return this.db.outboxMessage.count({ where: { OR: [{ state: { in: READY }, nextAttemptAt: { lte: now } }, { state: "EN_COURS", lockedUntil: { lt: now } }] } });
  }
}
