// Development aid: builds (once) the quick data set into /tmp/prof/pristine.db, then runs
// `coordo job run dues-reminders` on a copy against the sink, optionally with --cpu-prof.
// node --import tsx bench/prof-smtp.ts [--cpu-prof] [--full]
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { createDataset, benchToday, QUICK, FULL } from "./dataset.ts";
import { spawnCoordo, spawnSink } from "./proc.ts";

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
  PUBLIC_URL: "https://coordo.cpts-bench.fr", LOG_LEVEL: "warn",
}, { execArgv: [...cpu, ...(process.env.PROF_IMPORT ? ["--import", process.env.PROF_IMPORT] : [])] });
const code = await child.exited;
const stats = await sink.stats();
console.log(JSON.stringify({ code, wall_s: (Date.now() - t0) / 1000, enqueue_s: (stats.firstAt! - t0) / 1000, send_s: (stats.lastAt! - stats.firstAt!) / 1000, ...stats }));
console.log(child.output().trim().split("\n").slice(-4).join("\n"));
await sink.close();
