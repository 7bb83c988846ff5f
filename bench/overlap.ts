// Development aid (issue 18): can the decisions of a reminders run overlap its sending on this machine? Sends an
// already decided national queue (the rows of a `--sans-envoi` run, resumed by `coordo job run`) alone, then
// again while another coordo process makes the same decisions on its own copy of the data set: two processes,
// two SQLite files, no lock or memory shared — the best case of any design with a second thread. Each round
// measures nodemailer alone with prepared messages first (the reference of `smtp_vs_library`).
// node --import tsx bench/overlap.ts [rounds] [--alone]   (needs /tmp/prof/pristine-full.db: bench/prof-smtp.ts --full;
// PROF_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof": node flags of the sending process)
import { copyFileSync, existsSync, rmSync } from "node:fs";
import { benchToday } from "./dataset.ts";
import { coordoVariables, cpuMs, nodeFlags, spawnCoordo, spawnSink } from "./proc.ts";
import { libraryRawSend } from "./smtp-library.ts";

const dir = process.env.PROF_DIR ?? "/tmp/prof";
const pristine = `${dir}/pristine-full.db`;
const decided = `${dir}/decided-full.db`;
const today = benchToday();
const variables = { MAIL_FROM: "CPTS <relances@cpts-bench.fr>", PUBLIC_URL: "https://coordo.cpts-bench.fr", LOG_LEVEL: "warn", ...coordoVariables() };
const fresh = (from: string, to: string) => {
  for (const ext of ["", "-wal", "-shm"]) rmSync(`${to}${ext}`, { force: true });
  copyFileSync(from, to);
};
const decide = (db: string) => spawnCoordo(["job", "run", "dues-reminders", "--at", today, "--sans-envoi"], { ...variables, DATABASE_URL: `file:${db}` });

if (!existsSync(pristine)) throw new Error(`${pristine} manque : lancez d'abord node --import tsx bench/prof-smtp.ts --full`);
if (!existsSync(decided)) {
  fresh(pristine, `${dir}/decided-tmp.db`);
  if ((await decide(`${dir}/decided-tmp.db`).exited) !== 0) throw new Error("décisions impossibles");
  copyFileSync(`${dir}/decided-tmp.db`, decided); // closed cleanly: the WAL is folded into the file
}

async function round(beside: boolean) {
  fresh(decided, `${dir}/overlap-send.db`);
  fresh(pristine, `${dir}/overlap-decide.db`);
  const sink = await spawnSink();
  const t0 = Date.now();
  const send = spawnCoordo(["job", "run", "dues-reminders", "--at", today], { ...variables, DATABASE_URL: `file:${dir}/overlap-send.db`, SMTP_URL: `smtp://127.0.0.1:${sink.port}`, SMTP_POOL_SIZE: "5" }, { execArgv: nodeFlags(process.env.PROF_FLAGS) });
  const other = beside ? decide(`${dir}/overlap-decide.db`) : undefined;
  let decidedS: number | null = null;
  void other?.exited.then(() => (decidedS = (Date.now() - t0) / 1000));
  let cpu = 0;
  const poll = setInterval(() => (cpu = cpuMs(send.proc.pid!) ?? cpu), 50);
  await send.exited;
  clearInterval(poll);
  await other?.exited;
  const s = await sink.stats();
  await sink.reset();
  const refS = await libraryRawSend(sink.port, 10_000, 5, Math.round(s.bytes / s.accepted));
  await sink.close();
  const rate = s.accepted / ((s.lastAt! - t0) / 1000);
  return { beside, sent: s.accepted, wall_s: (s.lastAt! - t0) / 1000, msgs_per_s: Math.round(rate), vs_library: +(rate / (10_000 / refS)).toFixed(3), send_phase_msgs_per_s: Math.round(s.accepted / ((s.lastAt! - s.firstAt!) / 1000)), send_phase_vs_library: +(s.accepted / ((s.lastAt! - s.firstAt!) / 1000) / (10_000 / refS)).toFixed(3), first_mail_s: (s.firstAt! - t0) / 1000, library_msgs_per_s: Math.round(10_000 / refS), send_cpu_s: cpu / 1000, decisions_done_s: decidedS };
}

for (let r = 0; r < Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 2); r++) for (const beside of process.argv.includes("--alone") ? [false] : [false, true]) console.log(JSON.stringify(await round(beside)));
