// Development aid (issue 18): can the decisions of a reminders run overlap its sending on this machine? Sends an
// already decided national queue (the rows of a `--sans-envoi` run, resumed by `coordo job run`) alone, then
// again while another coordo process makes the same decisions on its own copy of the data set: two processes,
// two SQLite files, no lock or memory shared — the best case of any design with a second thread. After each send,
// nodemailer alone sends prepared messages of the same size to the same server (the reference of `smtp_vs_library`).
// node --import tsx bench/overlap.ts [rounds] [--alone]
// (PROF_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof": node flags of the sending process)
import { copyFileSync, existsSync } from "node:fs";
import { benchToday, createDataset, FULL } from "./dataset.ts";
import { coordoVariables, copySqlite, cpuMs, nodeFlags, spawnCoordo, spawnSink } from "./proc.ts";
import { libraryRawSend } from "./smtp-library.ts";

const dir = process.env.PROF_DIR ?? "/tmp/prof";
const pristine = `${dir}/pristine-full.db`;
const decided = `${dir}/decided-full.db`;
const today = benchToday();
const REFERENCE_MESSAGES = 10_000;
const variables = { MAIL_FROM: "CPTS <relances@cpts-bench.fr>", PUBLIC_URL: "https://coordo.cpts-bench.fr", LOG_LEVEL: "warn", ...coordoVariables() };
const decide = (db: string) => spawnCoordo(["job", "run", "dues-reminders", "--at", today, "--sans-envoi"], { ...variables, DATABASE_URL: `file:${db}` });

if (!existsSync(pristine)) await createDataset(`file:${pristine}`, { ...FULL, today });
if (!existsSync(decided)) {
  copySqlite(pristine, `${dir}/decided-tmp.db`);
  if ((await decide(`${dir}/decided-tmp.db`).exited) !== 0) throw new Error("décisions impossibles");
  copyFileSync(`${dir}/decided-tmp.db`, decided); // closed cleanly: the WAL is folded into the file
}

async function round(beside: boolean) {
  copySqlite(decided, `${dir}/overlap-send.db`);
  copySqlite(pristine, `${dir}/overlap-decide.db`);
  const sink = await spawnSink();
  const t0 = Date.now();
  const send = spawnCoordo(
    ["job", "run", "dues-reminders", "--at", today],
    { ...variables, DATABASE_URL: `file:${dir}/overlap-send.db`, SMTP_URL: `smtp://127.0.0.1:${sink.port}`, SMTP_POOL_SIZE: "5" },
    { execArgv: nodeFlags(process.env.PROF_FLAGS) },
  );
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
  const library = REFERENCE_MESSAGES / (await libraryRawSend(sink.port, REFERENCE_MESSAGES, 5, Math.round(s.bytes / s.accepted)));
  await sink.close();
  const rate = s.accepted / ((s.lastAt! - t0) / 1000);
  const phaseRate = s.accepted / ((s.lastAt! - s.firstAt!) / 1000);
  return {
    beside, sent: s.accepted, wall_s: (s.lastAt! - t0) / 1000, first_mail_s: (s.firstAt! - t0) / 1000,
    msgs_per_s: Math.round(rate), vs_library: +(rate / library).toFixed(3),
    send_phase_msgs_per_s: Math.round(phaseRate), send_phase_vs_library: +(phaseRate / library).toFixed(3),
    library_msgs_per_s: Math.round(library), send_cpu_s: cpu / 1000, decisions_done_s: decidedS,
  };
}

const rounds = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 2);
for (let r = 0; r < rounds; r++) for (const beside of process.argv.includes("--alone") ? [false] : [false, true]) console.log(JSON.stringify(await round(beside)));
