// Spacing of sends: a global messages-per-second ceiling, and one post per interval per chat channel.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class RateLimiter {
  private next = 0;
  constructor(private readonly perSecond: number) {}

  /** Waits for the next free slot (no wait when the rate is 0 = unlimited). */
  async take(): Promise<void> {
    if (this.perSecond <= 0) return;
    const interval = 1000 / this.perSecond;
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + interval;
    if (at > now) await sleep(at - now);
  }
}

export class KeyedSpacer {
  private readonly nextAt = new Map<string, number>();
  constructor(private readonly intervalMs: number) {}

  async take(key: string): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.nextAt.get(key) ?? 0);
    this.nextAt.set(key, at + this.intervalMs);
    if (at > now) await sleep(at - now);
  }
}
