// SQLite busy: another process holds the write lock (a CLI command, a backup) longer than coordo's busy
// timeout. Enqueuing fails whole (no reminder half-recorded) and can be redone; the sender logs the
// failure, keeps its rows, and delivers each message once (one Message-ID) when the lock goes away.
import Database from "better-sqlite3";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../../src/db/generated/sqlite/client.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrate } from "../../src/db/migrate.ts";
import { sqlitePath, type Db } from "../../src/db/client.ts";
import { enqueueMessages } from "../../src/app/services/outbox.ts";
import { startSink, type Sink } from "../../bench/smtp-sink.ts";
import { delivered, drainUntilSettled, fastSender, faultContext, seedWorld } from "./fault-setup.ts";

// The production client waits 10 s on a lock; the same client with a 150 ms wait makes the test quick.
const BUSY_TIMEOUT_MS = 150;

let url: string;
let drop: () => Promise<void>;
let db: Db;
let sink: Sink;
let locker: Database.Database;

beforeAll(async () => {
  // always SQLite: this file is about SQLite's lock, whatever TEST_PG_ADMIN_URL says
  const dir = mkdtempSync(join(tmpdir(), "coordo-busy-"));
  url = `file:${join(dir, "busy.db")}`;
  drop = async () => rmSync(dir, { recursive: true, force: true });
  await migrate(url);
  db = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: `file:${sqlitePath(url)}`, timeout: BUSY_TIMEOUT_MS } as { url: string }) }) as unknown as Db;
  locker = new Database(sqlitePath(url));
  sink = await startSink();
});

afterAll(async () => {
  locker?.close();
  await sink?.close();
  await db?.$disconnect();
  await drop?.();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("SQLite occupé par un autre processus", () => {
  it("une mise en file refusée n'écrit rien, et réussit une fois le verrou libéré", async () => {
    const w = await seedWorld(db, "verrou-file", 3);
    const drafts = w.recipients.map((to, i) => ({
      cptsId: w.cptsId, idempotencyKey: `newsletter:busy:${i}`, channel: "MAIL" as const, kind: "newsletter", recipient: to, subject: "Lettre", bodyText: "Bonjour",
    }));
    locker.exec("BEGIN EXCLUSIVE");
    let error: unknown;
    try {
      await db.$transaction((tx) => enqueueMessages(tx, drafts), { timeout: 5_000 });
    } catch (e) {
      error = e;
    } finally {
      locker.exec("COMMIT");
    }
    expect(String((error as Error)?.message ?? error)).toMatch(/busy|locked|timed out|timeout/i);
    expect(await db.outboxMessage.count({ where: { cptsId: w.cptsId, kind: "newsletter" } })).toBe(0);
    expect(await db.$transaction((tx) => enqueueMessages(tx, drafts))).toBe(3);
    expect(await db.$transaction((tx) => enqueueMessages(tx, drafts))).toBe(0);
    expect(await db.outboxMessage.count({ where: { cptsId: w.cptsId, kind: "newsletter" } })).toBe(3);
  });

  it("un verrou pris en plein envoi : erreurs journalisées, rien de perdu, un seul message par destinataire", async () => {
    const w = await seedWorld(db, "verrou-envoi", 60);
    const { ctx, lines } = faultContext(db, url, "sqlite", sink.port);
    const { sender, close } = fastSender(ctx, { leaseMs: 300 });
    sender.start();
    const end = Date.now() + 10_000;
    while (sink.messages.length < 10 && Date.now() < end) await sleep(2);
    locker.exec("BEGIN EXCLUSIVE");
    const heldAt = sink.messages.length;
    await sleep(800);
    locker.exec("COMMIT");
    await sender.stop();
    await drainUntilSettled(db, sender, w.cptsId);
    close();

    expect(heldAt).toBeLessThan(60);
    const errors = lines.filter((l) => l.includes('"level":"error"'));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join("\n")).toMatch(/busy|locked|timed out|timeout/i);

    const rows = await db.outboxMessage.findMany({ where: { cptsId: w.cptsId, kind: "relance" } });
    expect(rows.length).toBe(60);
    expect(rows.every((r) => r.state === "ENVOYE")).toBe(true);
    const got = delivered(sink);
    for (const to of w.recipients) {
      expect(got.get(to)?.ids.size, to).toBe(1);
    }
  });
});
