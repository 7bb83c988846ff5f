// Crash resume (issue 11 §2): `coordo job run dues-reminders` SIGKILLed at 5 random points of a 1,500-reminder
// run, the same command re-run AT ONCE after each kill (no waiting for a lease to expire: the killed process's
// lease names it, and a holder on this host whose pid is dead is taken over). Every due member gets exactly one
// reminder (one Message-ID), raw re-sends stay ≤ pool size per kill, and the last run says what it resumed.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { startRelay, type Relay } from "./relay-server.ts";
import { seedRemindersWorld, REMINDER_DAY, type RemindersWorld } from "./reminders-world.ts";
import { prng } from "../../src/prng.ts";

const MEMBERS = 1_500;
const KILLS = 5;
const POOL = 5;
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);

let t: TestDb;
let relay: Relay;
let w: RemindersWorld;

beforeAll(async () => {
  t = await createTestDb();
  relay = await startRelay("accept");
  w = await seedRemindersWorld(t.db, "coupure", MEMBERS);
});
afterAll(async () => {
  await relay?.close();
  await t?.cleanup();
});

function jobRun() {
  const proc = spawn(process.execPath, ["bin/coordo.js", "job", "run", "dues-reminders", "--at", REMINDER_DAY], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "", TZ: "Europe/Paris", DATABASE_URL: t.url, SMTP_URL: relay.url, SMTP_POOL_SIZE: String(POOL),
      MAIL_FROM: "CPTS coupure <contact@cpts-coupure.fr>", PUBLIC_URL: "https://coordo.exemple.fr", LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => (out += d));
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const exited = new Promise<{ code: number | null; signal: string | null; out: string }>((r) => proc.on("exit", (code, signal) => r({ code, signal, out })));
  return { exited, kill: () => proc.kill("SIGKILL") };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`job run dues-reminders tué par SIGKILL puis relancé (graine ${seed}, ${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it(`${KILLS} arrêts brutaux pendant ${MEMBERS} relances : chaque adhérent reçoit exactement une relance, la dernière exécution dit ce qu'elle a repris`, async () => {
    const rnd = prng(seed);
    const killedAt: number[] = [];
    // kill points spread over the run: after a random share of the reminders reached the relay, at least one
    // (a first target of 0, 1 seed in 250, killed the run before it sent anything and failed the check below)
    const targets = Array.from({ length: KILLS }, (_, k) => Math.max(1, Math.floor(((k + rnd()) / (KILLS + 1)) * MEMBERS))).sort((a, b) => a - b);
    for (const target of targets) {
      const run = jobRun();
      const end = Date.now() + 60_000;
      let finished = false;
      void run.exited.then(() => (finished = true));
      while (relay.accepted.length < target && !finished && Date.now() < end) await sleep(2);
      run.kill();
      const { signal, out } = await run.exited;
      if (signal !== "SIGKILL") throw new Error(`l'exécution s'est terminée avant d'être tuée (cible ${target}, reçus ${relay.accepted.length}) :\n${out}`);
      killedAt.push(relay.accepted.length);
    }
    // the kills landed in the middle of the sending
    expect(killedAt.at(-1)!).toBeLessThan(MEMBERS);
    expect(killedAt[0]!).toBeGreaterThan(0);

    const last = jobRun();
    const { code, out } = await last.exited;
    expect(code, out).toBe(0);
    expect(out).toContain("relances 0");
    const resumed = /Reprise : (\d+) message\(s\)/.exec(out);
    expect(resumed, out).not.toBeNull();
    // what the last kill left: at least the reminders not yet at the relay
    expect(Number(resumed![1])).toBeGreaterThanOrEqual(MEMBERS - killedAt.at(-1)!);
    expect(Number(resumed![1])).toBeLessThanOrEqual(MEMBERS);

    const states = await t.db.outboxMessage.groupBy({ by: ["state"], where: { cptsId: w.cptsId, kind: "relance" }, _count: { _all: true } });
    expect(states).toEqual([{ state: "ENVOYE", _count: { _all: MEMBERS } }]);
    const got = relay.byRecipient();
    expect(got.size).toBe(MEMBERS);
    for (const m of w.members) expect(got.get(m.email)?.ids.size, m.email).toBe(1);
    const resent = [...got.values()].reduce((s, e) => s + e.raw - 1, 0);
    expect(resent).toBeLessThanOrEqual(KILLS * POOL);
    // one Message-ID per member, never shared
    const ids = new Set([...got.values()].map((e) => [...e.ids][0]));
    expect(ids.size).toBe(MEMBERS);
    console.info(`graine ${seed} : reçus au moment de chaque arrêt ${killedAt.join(", ")} ; renvois du même Message-ID ${resent} ; ${out.trim().split("\n").find((l) => l.startsWith("Reprise"))}`);
  }, 400_000); // ~40 s on a quiet machine (six coordo processes)
});
