// Development aid: A/B of `coordo start` between two checkouts (each with its dist/ built), alternated on copies
// of the same data set: start to the first 200 on /health (wall, CPU of the coordo process, peak RSS) and, with
// --slack, signed Slack commands 8 in flight (bench/slack-load.ts) with the coordo process's CPU per command.
// CPU time (user + system, /proc/<pid>/stat) is the figure to compare on a shared machine.
// node --import tsx bench/ab-chat.ts <rootA> <rootB> [rounds] [--slack] [--per=200] [--warmup=50]
// Data set: $AB_DB, default $PROF_DIR/pristine-full.db (node --import tsx bench/dataset.ts --url file:<path>).
import { spawn } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { ADHERENT_USER, COORDINATOR_USER, FULL } from "./dataset.ts";
import { abSideFlags, COORDO_NODE_FLAGS, coordoVariables, copySqlite, cpuMs, freePort, peakRssMb, ROOT } from "./proc.ts";

const [rootA, rootB, roundsArg] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const slack = process.argv.includes("--slack");
const per = Number(process.argv.find((a) => a.startsWith("--per="))?.slice(6) ?? 200);
const warmup = Number(process.argv.find((a) => a.startsWith("--warmup="))?.slice(9) ?? 50);
const dir = process.env.PROF_DIR ?? "/tmp/prof";
const pristine = process.env.AB_DB ?? `${dir}/pristine-full.db`;
const secret = "bench-signing-secret-0123456789abcdef";
const commands = [
  { command: "cotisation", user: ADHERENT_USER },
  { command: "echeances", user: COORDINATOR_USER },
  { command: "relance-cotisations", user: COORDINATOR_USER },
].filter((c) => !process.env.AB_COMMANDS || process.env.AB_COMMANDS.split(",").includes(c.command)); // AB_COMMANDS=echeances: one command

async function once(root: string, db: string, withSlack = slack, side = 0) {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawn(process.execPath, [...COORDO_NODE_FLAGS, ...abSideFlags(side === 0 ? "A" : "B"), `${root}/bin/coordo.js`, "start"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "", HOME: "/tmp", TZ: "Europe/Paris", JOBS_ENABLED: "0", CONSOLE_CHAT: "0", LOG_LEVEL: "warn", DATABASE_URL: `file:${db}`, PORT: String(port),
      ...(withSlack ? { SLACK_BOT_TOKEN: "xoxb-bench-0000", SLACK_SIGNING_SECRET: secret } : {}),
      ...coordoVariables(),
    },
    stdio: ["ignore", process.env.AB_STDOUT ? "inherit" : "ignore", "inherit"],
  });
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`coordo (${root}) s'est arrêté pendant le démarrage`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.status === 200, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const out: Record<string, unknown> = { start_wall_ms: Math.round(performance.now() - t0), start_cpu_ms: cpuMs(proc.pid!), rss_mb: peakRssMb(proc.pid!) };
  if (withSlack) {
    const c0 = cpuMs(proc.pid!)!;
    const spec = { port, secret, teams: Array.from({ length: FULL.cpts }, (_, i) => `TB${String(i + 1).padStart(6, "0")}`), commands, perCommand: per, concurrency: 8, warmup, seed: 11 };
    const load = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./slack-load.ts", import.meta.url)), JSON.stringify(spec)], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let text = "";
    load.stdout!.setEncoding("utf8").on("data", (d: string) => (text += d));
    await new Promise((r) => load.on("exit", r));
    const res = JSON.parse(text) as Record<string, { answers: number[]; errors: number; client_cpu_ms: number }>;
    const n = Object.values(res).reduce((a, v) => a + v.answers.length + v.errors, 0) + warmup * commands.length; // + warm-up requests
    out.slack_cpu_ms_per_command = +((cpuMs(proc.pid!)! - c0) / n).toFixed(2);
    out.client_cpu_ms = Object.fromEntries(Object.entries(res).map(([k, v]) => [k, +v.client_cpu_ms.toFixed(2)]));
    out.slack_p50_p99_ms = Object.fromEntries(Object.entries(res).map(([k, v]) => {
      const s = [...v.answers].sort((a, b) => a - b);
      return [k, `${Math.round(s[Math.ceil(0.5 * s.length) - 1]!)}/${Math.round(s[Math.ceil(0.99 * s.length) - 1]!)}${v.errors ? ` (${v.errors} erreurs)` : ""}`];
    }));
  }
  proc.kill("SIGTERM");
  await new Promise((r) => proc.on("exit", r));
  return { ...out, load: os.loadavg()[0]!.toFixed(1) };
}

const roots = [rootA!, rootB].filter((r): r is string => Boolean(r));
const dbs = roots.map((_, i) => `${dir}/ab-chat-${i}.db`);
for (const db of dbs) {
  copySqlite(pristine, db);
}
// a first start of each (not counted): one-time work on a fresh copy
for (let i = 0; i < roots.length; i++) await once(roots[i]!, dbs[i]!, false, i);
for (let r = 0; r < Number(roundsArg ?? 3); r++) {
  for (let i = 0; i < roots.length; i++) console.log("AB"[i], JSON.stringify(await once(roots[i]!, dbs[i]!, slack, i)));
}
