// Two coordo processes on one database race for the same 100 scheduled slots (the two-replica case of
// a PostgreSQL deployment; on SQLite, two processes on one file): each slot runs exactly once.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";

const CHILD = fileURLToPath(new URL("./fault-race-child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SLOTS = Array.from({ length: 100 }, (_, i) => new Date(Date.UTC(2026, 0, 5, 8, i)).toISOString());

let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});

afterAll(async () => {
  await t?.cleanup();
});

function replica(name: string) {
  const proc = spawn(process.execPath, ["--import", "tsx", CHILD, name, JSON.stringify(SLOTS)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", TZ: "Europe/Paris", DATABASE_URL: t.url, LOG_LEVEL: "error" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let out = "";
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => (onReady = r));
  proc.stdout!.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    if (out.includes("PRET")) onReady();
  });
  proc.stderr!.setEncoding("utf8").on("data", (d: string) => (out += d));
  const done = new Promise<{ code: number | null; out: string }>((resolve) => proc.on("exit", (code) => resolve({ code, out })));
  return { ready: Promise.race([ready, done]), go: () => proc.stdin!.end("GO\n"), done };
}

describe(`deux processus coordo sur une même base (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("se disputent 100 créneaux planifiés : chacun est exécuté une fois et une seule", async () => {
    const a = replica("A");
    const b = replica("B");
    // both processes are loaded and connected before the start signal, so that they really run side by side
    await Promise.all([a.ready, b.ready]);
    a.go();
    b.go();
    const results = await Promise.all([a.done, b.done]);
    const reports = results.map(({ code, out }) => {
      expect(code, out).toBe(0);
      return JSON.parse(out.trim().split("\n").at(-1)!) as { me: string; ran: number; taken: number; failed: number };
    });
    for (const r of reports) {
      expect(r.failed).toBe(0);
      expect(r.ran + r.taken).toBe(SLOTS.length);
    }
    expect(reports[0]!.ran + reports[1]!.ran).toBe(SLOTS.length);
    console.info(`créneaux exécutés : A ${reports[0]!.ran}, B ${reports[1]!.ran}`);

    const runs = await t.db.jobRun.findMany({ where: { jobId: "course-creneaux" } });
    expect(runs.length).toBe(SLOTS.length);
    expect(new Set(runs.map((r) => r.slot))).toEqual(new Set(SLOTS));
    expect(runs.every((r) => r.state === "TERMINE")).toBe(true);

    const executions = await t.db.auditLog.findMany({ where: { action: "course.execution" } });
    expect(executions.length).toBe(SLOTS.length);
    expect(new Set(executions.map((e) => e.target))).toEqual(new Set(SLOTS));
  }, 180_000); // two processes through tsx: their loading alone may take tens of seconds on a loaded 2-core CI
});
