// The one way coordo sends anything: a decision writes outbox rows (one per message per recipient, unique
// idempotency key) in the same transaction as the facts behind it; the sender component delivers them.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Db, Tx } from "../../db/client.ts";
import { isUniqueViolation } from "../../db/client.ts";
import { insertNewRows } from "../../db/repos/outbox-repo.ts";
import { withTransactionConnection } from "../../db/sqlite-direct.ts";
import { runBoundTransaction } from "../../db/pg-direct.ts";

export interface OutboxDraft {
  cptsId: string;
  /** Deterministic: the same decision taken twice yields the same key (e.g. "relance:<member>:<year>:<step>"). */
  idempotencyKey: string;
  channel: "MAIL" | "CHAT";
  /** "relance", "newsletter", "alerte", "plan_crise", "code", "crise", "echec_envoi"... */
  kind: string;
  /** E-mail address, or "<platform>:<workspaceExternalId>:<channelId>" for CHAT. */
  recipient: string;
  memberId?: string | null;
  subject?: string;
  bodyText: string;
  bodyHtml?: string;
  headers?: Record<string, string>;
  refType?: string;
  refId?: string;
  /** Not before this instant (scheduled sends); default now. */
  notBefore?: Date;
}

interface Collector {
  keys: Set<string>;
  onCommitted?: (keys: string[]) => void;
}
const collector = new AsyncLocalStorage<Collector>();
/** Keys inserted by the `inTransaction` attempt running in this async context, announced once it commits. */
const staging = new AsyncLocalStorage<string[]>();

/**
 * Runs `fn` and returns, with its result, the idempotency keys of the outbox rows it inserted (in this
 * async context only: a concurrent run, chat command or sender elsewhere is not counted). `coordo job
 * run` uses it to send the messages of its own run and nothing else. `onCommitted` hears the keys of each
 * `inTransaction` as soon as it commits (so sending can start while the run goes on).
 */
export async function collectEnqueued<T>(fn: () => Promise<T>, onCommitted?: (keys: string[]) => void): Promise<{ result: T; keys: string[] }> {
  const into: Collector = { keys: new Set(), onCommitted };
  const result = await collector.run(into, fn);
  return { result, keys: [...into.keys] };
}

function announce(keys: string[], committed: boolean): void {
  const into = collector.getStore();
  if (!into || keys.length === 0) return;
  for (const k of keys) {
    // A key built by a template literal (`relance:${id}:${year}:${step}`) is a tree of V8 "cons strings" (~170
    // bytes); reading a character flattens it in place (~35 bytes). A national run keeps ~50,000 keys until it
    // ends: 8.5 MB held otherwise (README « Mémoire d'une exécution nationale »).
    k.charCodeAt(0);
    into.keys.add(k);
  }
  if (committed) into.onCommitted?.(keys);
}

/** Writes the drafts whose key is new, inside the caller's transaction; returns how many were inserted. */
export async function enqueueMessages(tx: Tx, msgs: OutboxDraft[]): Promise<number> {
  for (const m of msgs) {
    if (m.channel === "MAIL" && !m.subject) throw new Error(`outbox draft ${m.idempotencyKey}: a mail needs a subject`);
    if (m.channel === "CHAT" && m.recipient.split(":").length < 3) throw new Error(`outbox draft ${m.idempotencyKey}: chat recipient must be platform:workspace:channel`);
  }
  return insertNewRows(
    tx,
    msgs.map((m) => ({
      cptsId: m.cptsId,
      idempotencyKey: m.idempotencyKey,
      channel: m.channel,
      kind: m.kind,
      recipient: m.recipient,
      memberId: m.memberId ?? null,
      subject: m.subject ?? null,
      bodyText: m.bodyText,
      bodyHtml: m.bodyHtml ?? null,
      headers: m.headers ?? null,
      refType: m.refType ?? null,
      refId: m.refId ?? null,
      nextAttemptAt: m.notBefore,
    })),
    (keys) => {
      const staged = staging.getStore();
      // inside `inTransaction`: told once committed; elsewhere: collected now, sent after the run
      if (staged) staged.push(...keys);
      else announce(keys, false);
    },
  );
}

/**
 * Runs `fn` in a transaction, retried when a concurrent writer inserted the same unique key first
 * (P2002 at commit: the retry re-reads and finds the key taken, so it becomes a no-op).
 */
export async function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    const staged: string[] = [];
    try {
      // SQLite: the transaction's bulk inserts (outbox, reminder ledger) run on its connection directly
      // PostgreSQL: they run on the transaction's pg connection (pg-direct.ts)
      const result = await staging.run(staged, () =>
        runBoundTransaction((bind) => db.$transaction(bind(withTransactionConnection(db, fn)), { timeout: 60_000, maxWait: 20_000 })),
      );
      announce(staged, true);
      return result;
    } catch (e) {
      if (!isUniqueViolation(e) || i >= attempts) throw e;
    }
  }
}

export { messageIdFor } from "../../mail/message-id.ts";
