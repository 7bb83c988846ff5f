import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { contextAt, testConfig } from "./jobs-context.ts";
import { startTestSmtp, type TestSmtp } from "./smtp-test-server.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { main } from "../../src/cli/main.ts";
import { previewReminders } from "../../src/app/services/dues-reminders.ts";
import { systemClock, type AppContext } from "../../src/app/context.ts";
import { sqliteDirect, sqliteDirectHandle } from "../../src/db/sqlite-direct.ts";
import { JOB_RUN_WAL_PAGES } from "../../src/db/sqlite-checkpointer.ts";

let t: TestDb;
let smtp: TestSmtp;
let ctx: AppContext;
let cptsId: string;

beforeAll(async () => {
  t = await createTestDb();
  smtp = await startTestSmtp();
  cptsId = (await loadDemo(t.db, "2026-03-01")).cptsId;
  ctx = { ...contextAt(t, "2026-03-01", testConfig({ SMTP_URL: smtp.url })), clock: systemClock };
});
afterAll(async () => {
  await smtp?.close();
  await t?.cleanup();
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s), context: async () => ctx });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe(`coordo job / coordo outbox (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("job run dues-reminders --at envoie les relances attendues au serveur SMTP, et une seconde fois aucune", async () => {
    const expected = await previewReminders(ctx, cptsId, "2026-03-02");
    expect(expected.count).toBeGreaterThan(10);
    const dry = await cli("job", "run", "dues-reminders", "--at", "2026-03-02", "--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`relances ${expected.count}`);
    expect(smtp.received).toHaveLength(0);

    // SQLite: what the run's connection checkpoints at, read as each mail reaches the server (mid-run)
    const duringRun: number[] = [];
    const handle = sqliteDirectHandle(t.db);
    if (handle) smtp.onMessage = () => duringRun.push(Number(handle.conn!.pragma("wal_autocheckpoint", { simple: true })));
    const first = await cli("job", "run", "dues-reminders", "--at", "2026-03-02");
    smtp.onMessage = undefined;
    if (handle) expect(new Set(duringRun)).toEqual(new Set([JOB_RUN_WAL_PAGES]));
    expect(first.code).toBe(0);
    expect(first.out).toContain(`relances ${expected.count}`);
    expect(first.out).toContain(`Envois : ${expected.count} envoyé(s)`);
    expect(smtp.received).toHaveLength(expected.count);
    expect(new Set(smtp.received.map((r) => r.to[0]))).toEqual(new Set(expected.members.map((m) => m.email!.toLowerCase())));
    expect(smtp.received.every((r) => r.headers["list-unsubscribe"]?.includes("type=relances"))).toBe(true);

    const second = await cli("job", "run", "dues-reminders", "--at", "2026-03-02");
    expect(second.out).toContain("relances 0");
    expect(smtp.received).toHaveLength(expected.count);
    // SQLite: after the runs (and after one stopped early on an unknown CPTS), SQLite's 1,000 pages are back
    const unknown = await cli("job", "run", "dues-reminders", "--at", "2026-03-02", "--cpts", "cpts-inexistante");
    expect(unknown.code).not.toBe(0);
    expect(unknown.err).toContain("introuvable");
    const direct = sqliteDirect(t.db);
    if (direct) expect(await direct((c) => Number(c.pragma("wal_autocheckpoint", { simple: true })))).toBe(1000);
  });

  it("job run dont l'envoi échoue (base indisponible pour l'expéditeur) : message clair, code 1, relances gardées dans l'outbox", async () => {
    const failing = (target: object, fail: (prop: PropertyKey) => boolean): object =>
      new Proxy(target, {
        get(o, prop) {
          if (fail(prop)) return () => Promise.reject(new Error("base indisponible (test)"));
          const v = Reflect.get(o, prop);
          return typeof v === "function" ? v.bind(o) : v;
        },
      });
    const db = new Proxy(t.db, {
      get(o, prop) {
        if (prop === "outboxMessage") return failing(o.outboxMessage, (p) => p === "findMany");
        const v = Reflect.get(o, prop);
        return typeof v === "function" ? v.bind(o) : v;
      },
    }) as typeof t.db;
    const before = smtp.received.length;
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(["job", "run", "dues-reminders", "--at", "2026-04-02"], { out: (s) => out.push(s), err: (s) => err.push(s), context: async () => ({ ...ctx, db }) });
    expect(code).toBe(1);
    expect(out.join("\n")).toMatch(/relances [1-9]/);
    expect(err.join("\n")).toContain("Envois interrompus : base indisponible (test). Rien n'est perdu");
    expect(smtp.received.length).toBe(before);
    expect(await t.db.outboxMessage.count({ where: { kind: "relance", refId: "2026:3", state: "EN_ATTENTE" } })).toBeGreaterThan(0);
  });

  it("job list montre l'horaire et les dernières exécutions ; outbox --voir lit un message", async () => {
    const list = await cli("job", "list");
    expect(list.out).toContain("dues-reminders — relances de cotisation");
    expect(list.out).toContain("« 0 9 * * * » (Europe/Paris)");
    expect(list.out).toMatch(/terminée\s+manuelle\s+.*relances 0/);
    const row = await t.db.outboxMessage.findFirstOrThrow({ where: { kind: "relance" } });
    const shown = await cli("outbox", "--voir", row.id);
    expect(shown.out).toContain(`À : ${row.recipient}`);
    expect(shown.out).toContain(row.bodyText.split("\n")[0]!);
    const listed = await cli("outbox", "--etat", "envoye", "--limite", "5");
    expect(listed.out).toMatch(/envoye\s+relance/);
  });

  it("job run n'envoie que ce que cette exécution a mis en file : le reste de l'outbox attend le service", async () => {
    const other = await t.db.cpts.create({ data: { slug: "autre", name: "CPTS Autre", population: 20_000 } });
    await t.db.outboxMessage.create({ data: { cptsId: other.id, idempotencyKey: "test:autre:1", channel: "MAIL", kind: "newsletter", recipient: "x@cpts-autre.fr", subject: "Autre", bodyText: "x" } });
    await t.db.outboxMessage.create({ data: { cptsId, idempotencyKey: "test:demo:ancien", channel: "MAIL", kind: "alerte", recipient: "y@cpts-demo.fr", subject: "Ancienne", bodyText: "y" } });
    const before = smtp.received.length;
    const r = await cli("job", "run", "aci-deadline-alerts", "--at", "2026-03-02", "--cpts", "demo");
    expect(r.code).toBe(0);
    const own = await t.db.outboxMessage.findMany({ where: { cptsId, kind: "alerte", refType: "deadline" } });
    const ownMails = own.filter((m) => m.channel === "MAIL");
    expect(ownMails.length).toBeGreaterThan(0);
    expect(own.every((m) => m.state === "ENVOYE")).toBe(true);
    expect(r.out).toContain(`Envois : ${own.length} envoyé(s)`); // mails + the chat notice
    expect(smtp.received.length - before).toBe(ownMails.length);
    expect(smtp.received.map((m) => m.to[0])).not.toContain("x@cpts-autre.fr");
    expect((await t.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: "test:autre:1" } })).state).toBe("EN_ATTENTE");
    expect((await t.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: "test:demo:ancien" } })).state).toBe("EN_ATTENTE");
    const help = await cli("job");
    expect(help.err).toContain("seuls les messages que CETTE exécution a mis en file");
  });

  it("refuse une tâche, une date ou un état inconnus avec un message en français (code 2)", async () => {
    expect(await cli("job", "run", "inconnue")).toMatchObject({ code: 2, err: expect.stringContaining("Tâche inconnue : « inconnue »") });
    expect(await cli("job", "run", "dues-reminders", "--at", "2026-02-30")).toMatchObject({ code: 2, err: expect.stringContaining("AAAA-MM-JJ") });
    expect(await cli("outbox", "--etat", "perdu")).toMatchObject({ code: 2, err: expect.stringContaining("État inconnu") });
  });
});
