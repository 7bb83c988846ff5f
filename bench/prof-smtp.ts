// Development aid: builds (once) the quick data set into /tmp/prof/pristine.db, then runs
// `coordo job run dues-reminders` on a copy against the sink, optionally with --cpu-prof.
// node --import tsx bench/prof-smtp.ts [--cpu-prof] [--full]   (PROF_FLAGS="--max-semi-space-size=8": extra node flags)
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { createDataset, benchToday, QUICK, FULL } from "./dataset.ts";
import { spawnCoordo, spawnSink, peakRssMb, cpuMs, nodeFlags, coordoVariables } from "./proc.ts";

const full = process.argv.includes("--full");
const dir = process.env.PROF_DIR ?? "/tmp/prof";
const pristine = `${dir}/pristine${full ? "-full" : ""}.db`;
const today = benchToday();
if (!existsSync(pristine)) await createDataset(`file:${pristine}`, { ...(full ? FULL : QUICK), today });
for (const ext of ["", "-wal", "-shm"]) rmSync(`${dir}/run.db${ext}`, { force: true });
copyFileSync(pristine, `${dir}/run.db`);
const sink = await spawnSink();
const t0 = Date.now();
const cpu = process.argv.includes("--cpu-prof") ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
const child = spawnCoordo(["job", "run", "dues-reminders", "--at", today], {
  DATABASE_URL: `file:${dir}/run.db`, SMTP_URL: `smtp://127.0.0.1:${sink.port}`, SMTP_POOL_SIZE: "5", MAIL_FROM: "CPTS <relances@cpts-bench.fr>",
  PUBLIC_URL: "https://coordo.cpts-bench.fr", LOG_LEVEL: "warn", ...coordoVariables(),
}, { execArgv: [...cpu, ...nodeFlags(process.env.PROF_FLAGS), ...(process.env.PROF_IMPORT ? ["--import", process.env.PROF_IMPORT] : [])] });
let rss: number | null = null;
let cpuUsed: number | null = null;
const poll = setInterval(() => ((rss = peakRssMb(child.proc.pid!) ?? rss), (cpuUsed = cpuMs(child.proc.pid!) ?? cpuUsed)), 50);
const code = await child.exited;
clearInterval(poll);
const stats = await sink.stats();
console.log(JSON.stringify({ code, peak_rss_mb: rss, cpu_s: cpuUsed === null ? null : cpuUsed / 1000, msgs_per_s: Math.round(stats.accepted / ((stats.lastAt! - t0) / 1000)), wall_s: (Date.now() - t0) / 1000, enqueue_s: (stats.firstAt! - t0) / 1000, send_s: (stats.lastAt! - stats.firstAt!) / 1000, ...stats }));
console.log(child.output().trim().split("\n").slice(-4).join("\n"));
await sink.close();
