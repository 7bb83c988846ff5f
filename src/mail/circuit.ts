// Who is at fault, and who holds what (issue 11).
// - The circuit breaker: when the relay refuses OUR sending (MAIL FROM, DATA, auth, TLS, unreachable, or the
//   same refusal for a large share of a batch), every sender pauses — the state lives in the database so that
//   `coordo start`, `coordo job run` and replicas all see it — and one probe at a time tries again.
// - The lease holders: a process that claims outbox rows names itself in the lease (host, pid, boot id,
//   random) and heartbeats; a holder whose process is gone is taken over at once instead of after the lease.
import { hostname } from "node:os";
import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";

export interface CircuitState {
  open: boolean;
  openedAt: Date | null;
  reason: string | null;
  /** Failed probes since it opened. */
  probes: number;
  nextProbeAt: Date | null;
}

export interface CircuitStore {
  read(): Promise<CircuitState>;
  /** Opens the circuit; true when this call opened it (a new outage), false when it was open already. */
  open(reason: string, at: Date, nextProbeAt: Date): Promise<boolean>;
  /** Takes the next probe (one prober at a time): true when this process may probe now. */
  takeProbe(at: Date, force: boolean, nextProbeAt: Date): Promise<boolean>;
  probeFailed(reason: string, at: Date, nextProbeAt: Date): Promise<void>;
  /** Closes it; true when this call closed it. */
  close(at: Date): Promise<boolean>;
  /**
   * Tells each CPTS that has mail held back, once per outage (recorded in the outbox under a key naming the
   * outage): returns the idempotency keys of the messages recorded now.
   */
  alertHeldBack(openedAt: Date, reason: string): Promise<string[]>;
}

export interface HolderIdentity {
  /** "<host>/<pid>/<boot>/<random>": the prefix of every lock token of this process. */
  id: string;
  host: string;
  pid: number;
  bootId: string;
}

export interface WorkerRegistry {
  register(who: HolderIdentity, at: Date): Promise<void>;
  heartbeat(id: string, at: Date): Promise<void>;
  unregister(id: string): Promise<void>;
  /**
   * Makes the leases of dead holders lapse now: a holder on this host whose process is gone (or from an
   * earlier boot), or whose heartbeat is older than `timeoutMs`. Returns how many rows were freed.
   */
  takeOverDead(me: HolderIdentity, at: Date, timeoutMs: number): Promise<number>;
}

let boot: string | undefined;

/** This machine's boot id (Linux), so that a pid from before a reboot is never taken for a live one. */
export function bootId(): string {
  if (boot === undefined) {
    try {
      boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim().replace(/-/g, "").slice(0, 12);
    } catch {
      boot = "inconnu";
    }
  }
  return boot;
}

export function holderIdentity(): HolderIdentity {
  const host = hostname().replace(/[/:\s]/g, "_") || "hote";
  const b = bootId();
  return { id: `${host}/${process.pid}/${b}/${randomBytes(4).toString("hex")}`, host, pid: process.pid, bootId: b };
}

/** The holder named by a lock token ("<holder>:<uuid>"), when it has the holder form. */
export function parseHolder(lockToken: string): { holder: string; host: string; pid: number; bootId: string } | null {
  const holder = lockToken.slice(0, lockToken.lastIndexOf(":"));
  const parts = holder.split("/");
  if (parts.length !== 4 || !/^\d+$/.test(parts[1]!)) return null;
  return { holder, host: parts[0]!, pid: Number(parts[1]), bootId: parts[2]! };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Is this holder certainly dead, seen from `me`? (Same host: its pid is gone, or it ran before this boot.) */
export function deadOnThisHost(me: HolderIdentity, h: { host: string; pid: number; bootId: string }): boolean {
  if (h.host !== me.host) return false;
  if (h.bootId !== me.bootId) return true;
  return h.pid !== me.pid && !pidAlive(h.pid);
}
