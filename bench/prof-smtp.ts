// Development aid: builds (once) the quick data set into /tmp/prof/pristine.db, then runs
// `coordo job run dues-reminders` on a copy against the sink, optionally with --cpu-prof.
// node --import tsx bench/prof-smtp.ts [--cpu-prof] [--full] [--decisions]   (PROF_FLAGS="--max-semi-space-size=8": extra node flags)
// --decisions: the run's decisions alone (`--sans-envoi`: ledger and outbox rows written, nothing sent, no sink), a
// figure steadier than the whole run's on a shared machine; ≈ 0.85 s of it is the process's start (issue 18).
import { existsSync } from "node:fs";
import { createDataset, benchToday, QUICK, FULL } from "./dataset.ts";
import { copySqlite, spawnCoordo, spawnSink, peakRssMb, cpuMs, nodeFlags, coordoVariables } from "./proc.ts";

const full = process.argv.includes("--full");
const dir = process.env.PROF_DIR ?? "/tmp/prof";
const pristine = `${dir}/pristine${full ? "-full" : ""}.db`;
const today = benchToday();
if (!existsSync(pristine)) await createDataset(`file:${pristine}`, { ...(full ? FULL : QUICK), today });
copySqlite(pristine, `${dir}/run.db`);
const cpu = process.argv.includes("--cpu-prof") ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
const execArgv = [...cpu, ...nodeFlags(process.env.PROF_FLAGS), ...(process.env.PROF_IMPORT ? ["--import", process.env.PROF_IMPORT] : [])];
const variables = { DATABASE_URL: `file:${dir}/run.db`, MAIL_FROM: "CPTS <relances@cpts-bench.fr>", PUBLIC_URL: "https://coordo.cpts-bench.fr", LOG_LEVEL: "warn" };

/** Runs `coordo job run dues-reminders` with `args` and `env`: exit code, peak RSS (MB) and CPU (s) of the process. */
async function runJob(args: string[], env: Record<string, string>): Promise<{ child: ReturnType<typeof spawnCoordo>; code: number | null; rss: number | null; cpuS: number | null }> {
  const child = spawnCoordo(["job", "run", "dues-reminders", "--at", today, ...args], { ...variables, ...env, ...coordoVariables() }, { execArgv });
  let rss: number | null = null;
  let cpuUsed: number | null = null;
  const poll = setInterval(() => ((rss = peakRssMb(child.proc.pid!) ?? rss), (cpuUsed = cpuMs(child.proc.pid!) ?? cpuUsed)), 50);
  const code = await child.exited;
  clearInterval(poll);
  return { child, code, rss, cpuS: cpuUsed === null ? null : cpuUsed / 1000 };
}

if (process.argv.includes("--decisions")) {
  const t0 = Date.now();
  const { child, code, rss, cpuS } = await runJob(["--sans-envoi"], {});
  console.log(JSON.stringify({ code, wall_s: (Date.now() - t0) / 1000, cpu_s: cpuS, peak_rss_mb: rss }));
  console.log(child.output().trim().split("\n").slice(-2).join("\n"));
  process.exit(code === 0 ? 0 : 1);
}
const sink = await spawnSink();
const t0 = Date.now();
const { child, code, rss, cpuS } = await runJob([], { SMTP_URL: `smtp://127.0.0.1:${sink.port}`, SMTP_POOL_SIZE: "5" });
const stats = await sink.stats();
console.log(JSON.stringify({ code, peak_rss_mb: rss, cpu_s: cpuS, msgs_per_s: Math.round(stats.accepted / ((stats.lastAt! - t0) / 1000)), wall_s: (Date.now() - t0) / 1000, enqueue_s: (stats.firstAt! - t0) / 1000, send_s: (stats.lastAt! - stats.firstAt!) / 1000, ...stats }));
console.log(child.output().trim().split("\n").slice(-4).join("\n"));
await sink.close();
