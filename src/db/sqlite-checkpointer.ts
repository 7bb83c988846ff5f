// WAL checkpoints of the long-running process (`coordo start` on SQLite) in a worker thread. By default SQLite
// checkpoints inside the commit that crosses 1,000 WAL pages: on our single connection that commit then copies
// the pages into the database file and waits for two fsyncs, ≈ 10-15 ms with the event loop blocked — every
// Slack command, HTTP request and SMTP reply in flight waits with it (2.7 checkpoints a second under 8 Slack
// commands in flight: p99 53-58 ms with them, 37-42 ms without, issue 18). Here a worker thread with its own
// connection runs PASSIVE checkpoints every CHECKPOINT_EVERY_MS: they copy what no reader still needs without
// taking the write lock, so commits go on meanwhile.
// SQLite rewinds the WAL to its start only when a write begins with every page already copied, which a checkpoint
// running beside a steady stream of commits never achieves (the WAL grew to 100 MB in 5 s of commits 1 ms apart).
// So once the WAL passes REWIND_PAGES, the worker asks the main thread for a PAUSE: the main thread takes its
// connection's lock (queries wait, asynchronously: the event loop runs on), the worker copies the few pages written
// since its last checkpoint, and once it answers the lock is released; the next write rewinds the WAL. The pause
// lasts the worker's copy of those pages and its fsyncs, ≈ 1-3 ms. Before it (pass 12 of issue 18), the main
// connection rewound the WAL by checkpointing inside one of its commits every 10,000 pages: 20-30 ms with the event
// loop blocked (a 20 ms fsync seen under strace), once a second under 8 Slack commands in flight, and the 8
// commands then in flight made most of the p99.
// The main connection keeps that BACKSTOP (its own checkpoint every BACKSTOP_PAGES instead of 1,000) for when the
// pauses do not rewind the WAL (another process reading an old snapshot, a worker slower than the writes).
// If the worker stops for any reason, the main connection checkpoints every 1,000 pages again.
// One-shot commands keep SQLite's own checkpoints: no thread for a short life (≈ 10 MB of resident memory).
// `coordo job run` only spaces them out to JOB_RUN_WAL_PAGES (spacedCheckpoints below).
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Db } from "./client.ts";
import { sqliteDirect } from "./sqlite-direct.ts";
import type { Logger } from "../log.ts";

export const CHECKPOINT_EVERY_MS = 200;
/** The main connection's own checkpoint while the worker runs (pages of 4 KiB: a WAL of ≈ 40 MB). */
export const BACKSTOP_PAGES = 10_000;
/**
 * The WAL length (pages of 4 KiB: ≈ 16 MB) at which the worker asks for a pause to rewind it. Under 8 Slack commands in
 * flight, 4,000 rather than SQLite's own 1,000: a quarter of the pauses, CPU a command 1.56-1.58 → 1.45-1.48 ms,
 * `/echeances` p99 26-30 → 21-25 ms (3 bench runs each); 8,000 gave nothing more (issue 18, pass 12).
 */
export const REWIND_PAGES = 4_000;
/** The longest the main thread holds its connection for a worker's pause (the worker answers in a few ms). */
const PAUSE_LIMIT_MS = 1_000;
/** SQLite's default, restored on the main connection when the worker stops. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

// CommonJS (the worker is evaluated from this text, not a file of its own: nothing to bundle or find).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
let total = 0;
let asked = false;
let pauses = 0;
// the WAL length at which to ask: after a pause, not again before the WAL has grown by another rewindPages, unless it
// started over meanwhile (a pause that cannot rewind it, another process reading an old snapshot, would else come
// back at every tick and cost the main thread for nothing)
let askAt = workerData.rewindPages;
// the WAL's length at the last checkpoint: shorter now, it started over; the same, nothing was written since
let lastLog = 0;
const checkpoint = () => {
  try {
    const [r] = db.pragma("wal_checkpoint(PASSIVE)");
    if (r.checkpointed > 0) total++;
    return r;
  } catch (e) {
    // another process (a second coordo start, a CLI) checkpointing at this very moment: next time
    if (!/^SQLITE_(BUSY|LOCKED)/.test(String(e && e.code))) throw e;
    return null;
  }
};
const tick = () => {
  const r = checkpoint();
  if (!r) return;
  if (r.log < lastLog || r.log < workerData.rewindPages) askAt = workerData.rewindPages;
  // without frames written since the last checkpoint this one has copied everything, and the next write rewinds the
  // WAL by itself: a pause is only for a WAL that writes keep growing (one request at a time)
  const growing = r.log > lastLog;
  lastLog = r.log;
  if (!asked && growing && r.log >= askAt) {
    asked = true;
    parentPort.postMessage({ rewind: r.log });
  }
};
tick();
parentPort.postMessage({ ready: true });
const timer = setInterval(tick, workerData.everyMs);
parentPort.on("message", (m) => {
  if (m === "paused" || m === "skip") {
    // the main connection writes nothing meanwhile: this copies the last pages, and its next write rewinds the WAL
    // (unless another connection still reads from it)
    const r = m === "paused" ? checkpoint() : null;
    const copied = Boolean(r && r.busy === 0 && r.log === r.checkpointed);
    if (m === "paused") pauses++;
    asked = false;
    if (r) lastLog = r.log;
    askAt = (r ? r.log : askAt) + workerData.rewindPages;
    parentPort.postMessage({ copied });
    return;
  }
  if (m !== "stop") return;
  clearInterval(timer);
  tick();
  db.close();
  parentPort.postMessage({ checkpoints: total, pauses });
  parentPort.close();
});
`;

export interface Checkpointer {
  /** True once the worker has opened the file and the main connection checkpoints only every BACKSTOP_PAGES; false if it could not. */
  ready: Promise<boolean>;
  /**
   * Stops the worker (after a last checkpoint); the main connection checkpoints by itself again. `pauses`: the pauses
   * the worker asked for; `rewinds`: those after which the whole WAL was in the file (the main connection's next
   * write starts it over, unless another connection still reads from it).
   */
  stop(): Promise<{ checkpoints: number; pauses: number; rewinds: number } | null>;
}

/**
 * Starts background checkpoints of the SQLite file at `path`, opened by `db` (createDb, already connected).
 * Returns at once (the worker starts in ≈ 30 ms, not on `coordo start`'s path to /health); null when `db`
 * has no direct SQLite connection.
 */
export function startCheckpointer(
  db: Db,
  path: string,
  log: Logger,
  opts: { everyMs?: number; backstopPages?: number; rewindPages?: number } = {},
): Checkpointer | null {
  const { everyMs = CHECKPOINT_EVERY_MS, backstopPages = BACKSTOP_PAGES, rewindPages = REWIND_PAGES } = opts;
  if (!sqliteDirect(db)) return null; // not connected yet, or not SQLite: SQLite's own checkpoints stay
  // looked up at each call: the connection of the moment (Prisma may have reconnected), under its own lock
  const setAuto = async (pages: number) => {
    await sqliteDirect(db)?.((c) => c.pragma(`wal_autocheckpoint = ${pages}`))?.catch(() => undefined);
  };
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { driver: createRequire(import.meta.url).resolve("better-sqlite3"), path, everyMs, rewindPages },
    // a few kilobytes of JavaScript: a small heap (the thread still costs ≈ 10 MB of resident memory: V8 and Node's own)
    resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 },
  });
  worker.unref();
  let summary: { checkpoints: number; pauses: number; rewinds: number } | null = null;
  let rewinds = 0;
  let stopping = false;
  let gone = false;
  let opened!: (ok: boolean) => void;
  const ready = new Promise<boolean>((resolve) => (opened = resolve));
  // whatever ends the worker, the main connection checkpoints every 1,000 pages again: queued after the backstop below (FIFO lock)
  const exited = new Promise<void>((resolve) => worker.once("exit", () => ((gone = true), resolve())));
  const restored = exited.then(() => setAuto(SQLITE_AUTOCHECKPOINT_PAGES));
  void restored.then(() => opened(false));
  /** Ends the pause in progress (the worker has answered, stopped, or is too slow). */
  let resume: (() => void) | null = null;
  void exited.then(() => resume?.());
  /** The worker asks for a pause: hold the connection's lock until it has copied the last pages. */
  const pause = async () => {
    const run = sqliteDirect(db);
    if (!run) return void worker.postMessage("skip");
    await run(
      () =>
        new Promise<void>((resolve) => {
          if (gone || stopping) return resolve();
          const limit = setTimeout(() => resume?.(), PAUSE_LIMIT_MS);
          resume = () => {
            clearTimeout(limit);
            resume = null;
            resolve();
          };
          worker.postMessage("paused");
        }),
    );
  };
  worker.on("message", (m: { ready?: true; checkpoints?: number; pauses?: number; rewind?: number; copied?: boolean }) => {
    if (m.rewind !== undefined) {
      // a connection gone meanwhile (Prisma disconnected): no pause, and the worker may ask again later
      return void pause().catch(() => {
        if (resume) resume();
        else if (!gone) worker.postMessage("skip");
      });
    }
    if (m.copied !== undefined) {
      if (m.copied) rewinds++;
      return void resume?.();
    }
    if (!m.ready) return void (summary = { checkpoints: m.checkpoints ?? 0, pauses: m.pauses ?? 0, rewinds });
    // the worker has opened the file and checkpointed once: the main connection keeps only its backstop
    if (!gone) void setAuto(backstopPages).then(() => opened(!gone));
  });
  worker.on("error", (e) => {
    if (!stopping) log.warn("points de reprise SQLite en arrière-plan arrêtés : la connexion principale les refait elle-même", { error: e });
  });
  return {
    ready,
    async stop() {
      stopping = true;
      worker.postMessage("stop");
      const late = setTimeout(() => void worker.terminate(), 2_000);
      await restored;
      clearTimeout(late);
      return summary;
    },
  };
}

/**
 * The WAL size at which a `coordo job run` checkpoints (the same ≈ 40 MB as `coordo start`'s backstop). A national
 * dues run writes ≈ 300,000 WAL pages (each reminder inserted, claimed, then marked sent, with its indexes): at
 * SQLite's 1,000 pages, 877 fsyncs, and in the CPU profile a checkpoint about once a second blocking the event loop
 * 60-80 ms while every SMTP connection waited. Every 10,000 pages: 94 fsyncs, 22 % fewer pages copied into the file
 * (a row claimed then marked between two checkpoints is copied once), COMMIT time 3.6-3.8 → 3.5 s (slow machine
 * state) and 3.4 → 2.8 s (fast state); end-to-end throughput within noise (issue 18, README « Neuvième passe »).
 */
export const JOB_RUN_WAL_PAGES = BACKSTOP_PAGES;

/**
 * Spaces out the checkpoints of `db`'s own connection (SQLite, connected) to every `pages` WAL pages, for a one-shot
 * command that writes a lot; returns what puts the previous setting back. Durability does not change (a commit is in
 * the WAL either way): only the WAL file may grow to ≈ `pages` × 4 KiB before it is copied and rewound. Nothing to do
 * without a direct SQLite connection (PostgreSQL), or when the connection already checkpoints as rarely
 * (`coordo start`'s worker is running; called before that worker is ready, the restore would undo its backstop: the
 * CLI's one-shot commands never run beside it). A failure to read or set the pragma leaves SQLite's own setting.
 */
export async function spacedCheckpoints(db: Db, pages: number): Promise<() => Promise<void>> {
  const none = async () => {};
  const run = sqliteDirect(db);
  if (!run) return none;
  try {
    const before = await run((c) => Number(c.pragma("wal_autocheckpoint", { simple: true })));
    if (before === 0 || before >= pages) return none;
    await run((c) => c.pragma(`wal_autocheckpoint = ${pages}`));
    return async () => {
      await sqliteDirect(db)?.((c) => c.pragma(`wal_autocheckpoint = ${before}`))?.catch(() => undefined);
    };
  } catch {
    return none;
  }
}
