// Long synchronous work (better-sqlite3 queries, checking 40,000 imported rows) never lets the event loop reach
// its I/O phase by itself: sockets (SMTP replies, Slack acks, HTTP requests) wait until it ends. These let one
// turn of the loop run in between.

/** Resolves after one turn of the event loop (the I/O waiting meanwhile is handled first). */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A function to await inside long work: once `everyMs` of work has passed since the last turn it yields one
 * turn of the loop (`nextTurn`), otherwise it returns at once.
 */
export function turnYielder(everyMs: number): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < everyMs) return;
    await nextTurn();
    last = performance.now();
  };
}
