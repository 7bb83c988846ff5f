// Development aid: A/B of `coordo job run dues-reminders` between two checkouts (each with its dist/ built),
// alternated on copies of the same data set (bench/prof-smtp.ts builds it), against the sink in its own process.
// Reports wall time, the coordo process's CPU time (user + system: less sensitive to a loaded machine than
// wall time) and peak RSS. node --import tsx bench/ab-smtp.ts <rootA> <rootB> [rounds] [--full]
// (the same root twice with AB_FLAGS_B="--v8-pool-size=1" compares node flags)
import { spawn } from "node:child_process";
import os from "node:os";
import { benchToday } from "./dataset.ts";
import { abSideFlags, COORDO_NODE_FLAGS, copySqlite, coordoVariables, cpuMs, peakRssMb, spawnSink } from "./proc.ts";

const [rootA, rootB, roundsArg] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const full = process.argv.includes("--full");
const dir = process.env.PROF_DIR ?? "/tmp/prof";
const pristine = `${dir}/pristine${full ? "-full" : ""}.db`;
const today = benchToday();

async function once(root: string, side: "A" | "B") {
  copySqlite(pristine, `${dir}/ab.db`);
  const sink = await spawnSink();
  const t0 = Date.now();
  const proc = spawn(process.execPath, [...COORDO_NODE_FLAGS, ...abSideFlags(side), `${root}/bin/coordo.js`, "job", "run", "dues-reminders", "--at", today], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: "/tmp", TZ: "Europe/Paris", JOBS_ENABLED: "0", CONSOLE_CHAT: "0", LOG_LEVEL: "warn", DATABASE_URL: `file:${dir}/ab.db`, SMTP_URL: `smtp://127.0.0.1:${sink.port}`, SMTP_POOL_SIZE: process.env.POOL ?? "5", MAIL_FROM: "CPTS <relances@cpts-bench.fr>", PUBLIC_URL: "https://coordo.cpts-bench.fr", ...coordoVariables() },
    stdio: ["ignore", "ignore", "inherit"],
  });
  let cpu = 0;
  let rss = 0;
  const poll = setInterval(() => {
    cpu = (cpuMs(proc.pid!) ?? cpu * 1000) / 1000;
    rss = Math.max(rss, peakRssMb(proc.pid!) ?? 0);
  }, 20);
  await new Promise((r) => proc.on("exit", r));
  clearInterval(poll);
  const s = await sink.stats();
  await sink.close();
  return { sent: s.accepted, wall_s: (Date.now() - t0) / 1000, send_msgs_per_s: Math.round(s.accepted / ((s.lastAt! - s.firstAt!) / 1000)), cpu_s: cpu, cpu_ms_per_msg: +((cpu * 1000) / s.accepted).toFixed(2), rss_mb: rss, load: os.loadavg()[0]!.toFixed(1) };
}

for (let r = 0; r < Number(roundsArg ?? 2); r++) {
  for (const [name, root] of [["A", rootA!], ["B", rootB]] as const) if (root) console.log(name, JSON.stringify(await once(root, name)));
}
