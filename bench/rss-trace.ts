// Development aid: `coordo job run dues-reminders` on a copy of the national set (as bench/prof-smtp.ts --full),
// sampling the process's RSS every 50 ms: prints when the peak happens and the RSS over time (to find what makes it).
// node --import tsx bench/rss-trace.ts
import { readFileSync } from "node:fs";
import { benchToday } from "./dataset.ts";
import { copySqlite, spawnCoordo, spawnSink } from "./proc.ts";

const dir = process.env.PROF_DIR ?? "/tmp/prof";
copySqlite(`${dir}/pristine-full.db`, `${dir}/run.db`);
const sink = await spawnSink();
const t0 = Date.now();
const child = spawnCoordo(["job", "run", "dues-reminders", "--at", benchToday()], {
  DATABASE_URL: `file:${dir}/run.db`, SMTP_URL: `smtp://127.0.0.1:${sink.port}`, SMTP_POOL_SIZE: "5", MAIL_FROM: "CPTS <relances@cpts-bench.fr>",
  PUBLIC_URL: "https://coordo.cpts-bench.fr", LOG_LEVEL: "warn", ...(process.env.EXTRA_ENV ? JSON.parse(process.env.EXTRA_ENV) : {}),
}, { execArgv: process.env.EXTRA_FLAGS?.split(" ").filter(Boolean) ?? [] });
const samples: [number, number, number][] = [];
const poll = setInterval(() => {
  try {
    const s = readFileSync(`/proc/${child.proc.pid}/status`, "utf8");
    const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)![1]) / 1024;
    samples.push([(Date.now() - t0) / 1000, Math.round(kb("VmRSS")), Math.round(kb("RssFile") + kb("RssShmem"))]);
  } catch { /* exited */ }
}, 50);
await child.exited;
clearInterval(poll);
const stats = await sink.stats();
const peak = samples.reduce((a, b) => (b[1] > a[1] ? b : a), [0, 0, 0]);
console.log(JSON.stringify({ wall_s: (Date.now() - t0) / 1000, rate: Math.round(stats.accepted / ((stats.lastAt! - t0) / 1000)), accepted: stats.accepted, duplicates: stats.duplicates, peak_at_s: peak[0], peak_mb: peak[1], peak_file_mb: peak[2] }));
if (process.env.SHOW_SAMPLES) for (let i = 0; i < samples.length; i += Math.max(1, Math.floor(samples.length / 40))) console.log(samples[i]!.join("\t"));
if (process.env.SHOW_OUTPUT) console.log(child.output());
await sink.close();
