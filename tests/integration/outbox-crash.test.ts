import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { startTestSmtp, type TestSmtp } from "./smtp-test-server.ts";
import { enqueueMessages } from "../../src/app/services/outbox.ts";

const TOTAL = 600;
const POOL = 5;
let t: TestDb;
let smtp: TestSmtp;

beforeAll(async () => {
  t = await createTestDb();
  smtp = await startTestSmtp();
  const cpts = await t.db.cpts.create({ data: { slug: "crash", name: "CPTS Crash", population: 10_000 } });
  await t.db.$transaction((tx) =>
    enqueueMessages(
      tx,
      Array.from({ length: TOTAL }, (_, i) => ({
        cptsId: cpts.id, idempotencyKey: `crash:${i}`, channel: "MAIL" as const, kind: "newsletter",
        recipient: `pro${i}@exemple-sante.fr`, subject: `Lettre ${i}`, bodyText: `Bonjour ${i}`,
      })),
    ),
  );
});
afterAll(async () => {
  await smtp?.close();
  await t?.cleanup();
});

function startChild(): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", "tests/integration/outbox-crash-child.ts"], {
    env: { ...process.env, DATABASE_URL: t.url, SMTP_URL: smtp.url, SMTP_POOL_SIZE: String(POOL), MAIL_FROM: "CPTS <contact@cpts-crash.fr>", LEASE_MS: "1500", LOG_LEVEL: "error" },
    stdio: ["ignore", "pipe", "inherit"],
  });
}

const until = async (cond: () => boolean, timeoutMs: number) => {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("délai dépassé");
    await new Promise((r) => setTimeout(r, 5));
  }
};

const exited = (c: ChildProcess) => new Promise<number | null>((r) => (c.exitCode !== null ? r(c.exitCode) : c.once("exit", (code) => r(code))));

describe(`reprise après SIGKILL (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it(`tué deux fois en plein envoi de ${TOTAL} mails, chaque destinataire reçoit exactement un message (un seul Message-ID)`, async () => {
    const kills = [150, 380];
    for (const at of kills) {
      const child = startChild();
      await until(() => smtp.received.length >= at, 100_000); // a child through tsx loads slowly on a loaded CI machine
      child.kill("SIGKILL");
      await exited(child);
    }
    const last = startChild();
    expect(await exited(last)).toBe(0);

    const byRecipient = smtp.byRecipient();
    expect(byRecipient.size).toBe(TOTAL);
    for (let i = 0; i < TOTAL; i++) expect(byRecipient.get(`pro${i}@exemple-sante.fr`)?.size, `pro${i}`).toBe(1);
    // Raw re-deliveries can only be the messages in flight at a kill (≤ pool size each), with the same Message-ID.
    const raw = smtp.received.length;
    expect(raw - TOTAL).toBeLessThanOrEqual(POOL * kills.length);
    // The only connection errors the server saw are the sockets of the killed processes.
    expect(smtp.connectionErrors.filter((c) => c !== "ECONNRESET" && c !== "EPIPE")).toEqual([]);
    const states = await t.db.outboxMessage.groupBy({ by: ["state"], _count: { _all: true } });
    expect(states).toEqual([{ state: "ENVOYE", _count: { _all: TOTAL } }]);
    console.info(`reprise après SIGKILL : ${raw} livraisons brutes pour ${TOTAL} destinataires (${raw - TOTAL} renvoi(s) au même Message-ID)`);
    // three child processes, each compiling the sender through tsx: ~20 s at rest, past 60 s on a loaded 2-core CI
  }, 240_000);
});
