// Child processes of the benchmarks and fault tests: coordo itself (bin/coordo.js), the SMTP sink,
// readiness polling and peak memory (VmHWM) of a running process.
import type { SinkStats } from "./smtp-sink.ts";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const COORDO_BIN = fileURLToPath(new URL("../bin/coordo.js", import.meta.url));

export interface Child {
  proc: ChildProcess;
  /** Everything written on stdout/stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

/** Copies the SQLite database `from` to `to`, over any earlier copy and its WAL (a run starts from the same data). */
export function copySqlite(from: string, to: string): void {
  for (const ext of ["", "-wal", "-shm"]) rmSync(`${to}${ext}`, { force: true });
  copyFileSync(from, to);
}

/** The V8 flags coordo runs with (package.json `start`/`coordo`, the shebang of bin/coordo.js): measured as shipped. */
export const COORDO_NODE_FLAGS = ["--max-old-space-size=256", "--max-semi-space-size=4", "--v8-pool-size=1"];

/** A/B tools: extra node flags for one side, after the product's own (AB_FLAGS_A / AB_FLAGS_B: "--cpu-prof", say). */
export const abSideFlags = (side: "A" | "B"): string[] => nodeFlags(process.env[`AB_FLAGS_${side}`]);

/** Node flags from an environment variable ("--cpu-prof --max-semi-space-size=8"); none when unset. */
export const nodeFlags = (value: string | undefined): string[] => value?.split(/\s+/).filter(Boolean) ?? [];

/** A/B tools: the caller's COORDO_* variables (development switches), passed to both coordo copies. */
export const coordoVariables = (): Record<string, string> =>
  Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith("COORDO_") && e[1] !== undefined));

/** Runs `coordo <args>` with a minimal environment (plus `env`); stdout/stderr are kept. */
export function spawnCoordo(args: string[], env: Record<string, string>, opts: { execArgv?: string[] } = {}): Child {
  const proc = spawn(process.execPath, [...COORDO_NODE_FLAGS, ...(opts.execArgv ?? []), COORDO_BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", TZ: "Europe/Paris", JOBS_ENABLED: "0", CONSOLE_CHAT: "0", LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls GET /health until it answers 200; resolves with the instant it did. */
export async function waitHealthy(port: number, child: Child, timeoutMs = 30_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (child.proc.exitCode !== null) throw new Error(`coordo s'est arrêté pendant le démarrage :\n${child.output()}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`);
      if (r.status === 200) return performance.now();
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`coordo n'a pas répondu sur /health en ${timeoutMs} ms :\n${child.output()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Peak resident set size of a live process, in MB (Linux /proc). */
export function peakRssMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** CPU time (user + system) of a live process so far, in ms (Linux /proc; USER_HZ = 100); null once it is gone. */
export function cpuMs(pid: number): number | null {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return null;
  }
}

export async function stopChild(child: Child, signal: NodeJS.Signals = "SIGTERM", graceMs = 10_000): Promise<void> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  child.proc.kill(signal);
  const timer = setTimeout(() => child.proc.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}

/** The sink's figures as its STATS line gives them (smtp-sink.ts): counters, times, messages per second. */
export type SinkFigures = Omit<SinkStats, "byRecipient"> & { recipients: number; duplicates: number };

/** The SMTP sink in its own process (so that it does not share coordo's or the bench's event loop). */
export async function spawnSink(mode = "accept"): Promise<{ port: number; stats(): Promise<SinkFigures>; acceptedBefore(t: number): Promise<number>; reset(): Promise<void>; close(): Promise<void> }> {
  const proc = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./smtp-sink.ts", import.meta.url))], {
    cwd: ROOT,
    env: { ...process.env, SINK_MODE: mode },
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines: string[] = [];
  let waiter: (() => void) | null = null;
  let buf = "";
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    waiter?.();
  });
  const next = (prefix: string) =>
    new Promise<string>((resolve) => {
      const check = () => {
        const i = lines.findIndex((l) => l.startsWith(prefix));
        if (i < 0) return void (waiter = check);
        waiter = null;
        resolve(lines.splice(i, 1)[0]!.slice(prefix.length + 1));
      };
      check();
    });
  const port = Number(await next("PORT"));
  return {
    port,
    async stats() {
      proc.stdin!.write("STATS\n");
      return JSON.parse(await next("STATS"));
    },
    async acceptedBefore(t: number) {
      proc.stdin!.write(`BEFORE ${t}\n`);
      return Number(await next("BEFORE"));
    },
    async reset() {
      proc.stdin!.write("RESET\n");
      await next("RESET");
    },
    async close() {
      proc.stdin!.write("EXIT\n");
      await new Promise((r) => proc.on("exit", r));
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}
