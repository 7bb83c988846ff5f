import { describe, it, expect, beforeAll, afterAll, beforeEach } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { contextAt, testConfig } from "./jobs-context.ts";
import { startTestSmtp, type TestSmtp } from "./smtp-test-server.ts";
import { createSender } from "../../src/mail/component.ts";
import { smtpTransport } from "../../src/mail/transport.ts";
import { enqueueMessages, messageIdFor } from "../../src/app/services/outbox.ts";
import { registerChatNotifier } from "../../src/app/chat-notifier.ts";
import type { AppContext } from "../../src/app/context.ts";

let t: TestDb;
let smtp: TestSmtp;
let ctx: AppContext;
let cptsId: string;
let coordinatorId: string;
let n = 0;

async function member(email: string) {
  return t.db.member.create({ data: { cptsId, firstName: "Alex", lastName: `Test${++n}`, email, roles: { create: [{ role: "ADHERENT" }] } } });
}

function mail(key: string, to: string, extra: Record<string, unknown> = {}) {
  return { cptsId, idempotencyKey: key, channel: "MAIL" as const, kind: "relance", recipient: to, subject: `Objet ${key}`, bodyText: `Texte ${key}`, bodyHtml: `<p>Texte ${key}</p>`, ...extra };
}

const enqueue = (drafts: Parameters<typeof enqueueMessages>[1]) => t.db.$transaction((tx) => enqueueMessages(tx, drafts));

beforeAll(async () => {
  t = await createTestDb();
  smtp = await startTestSmtp();
  ctx = contextAt(t, new Date().toISOString(), testConfig({ SMTP_URL: smtp.url, SMTP_POOL_SIZE: "3" }));
  ctx.clock = { now: () => new Date(), today: () => new Date().toISOString().slice(0, 10) };
  cptsId = (await t.db.cpts.create({ data: { slug: "envois", name: "CPTS des Envois", population: 30_000 } })).id;
  coordinatorId = (await t.db.member.create({ data: { cptsId, firstName: "Camille", lastName: "Coord", email: "coord@cpts-envois.fr", roles: { create: [{ role: "COORDONNATEUR" }] } } })).id;
});
afterAll(async () => {
  await smtp?.close();
  await t?.cleanup();
});
beforeEach(() => {
  smtp.received.length = 0;
});

describe(`envoi SMTP réel (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("le serveur reçoit exactement les messages attendus, avec leurs en-têtes", async () => {
    const a = await member("a@exemple-sante.fr");
    const b = await member("b@exemple-sante.fr");
    await enqueue([
      mail("k:a", a.email!, { memberId: a.id, headers: { "List-Unsubscribe": "<https://coordo.exemple.fr/desabonnement/x?type=newsletter>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" }, kind: "newsletter" }),
      mail("k:b", b.email!, { memberId: b.id }),
    ]);
    const { sender, transport } = createSender(ctx);
    const counts = await sender.drainAll();
    transport!.close();
    expect(counts.sent).toBe(2);
    expect(smtp.received).toHaveLength(2);
    const toA = smtp.received.find((r) => r.to[0] === "a@exemple-sante.fr")!;
    expect(toA.headers["subject"]).toBe("Objet k:a");
    expect(toA.headers["from"]).toContain("contact@cpts-demo.fr");
    expect(toA.headers["message-id"]).toBe(messageIdFor("k:a", ctx.config.MAIL_FROM));
    expect(toA.headers["list-unsubscribe"]).toBe("<https://coordo.exemple.fr/desabonnement/x?type=newsletter>");
    expect(toA.headers["list-unsubscribe-post"]).toBe("List-Unsubscribe=One-Click");
    expect(toA.headers["content-type"]).toMatch(/multipart\/alternative/);
    const rows = await t.db.outboxMessage.findMany({ where: { idempotencyKey: { in: ["k:a", "k:b"] } } });
    expect(rows.every((r) => r.state === "ENVOYE" && r.sentAt && r.attempts === 1 && r.lockedBy === null)).toBe(true);
    expect((await createSender(ctx, { transport: null }).sender.drainAll()).claimed).toBe(0);
  });

  it("421 puis 250 : le message est réessayé après un délai, puis remis une seule fois", async () => {
    const m = await member("tempo@exemple-sante.fr");
    smtp.tempFailOnce.add("tempo@exemple-sante.fr");
    await enqueue([mail("k:tempo", m.email!, { memberId: m.id })]);
    // the sender's clock is moved past the backoff by the test: with a real 300 ms backoff, a loaded machine
    // pausing the test that long between the failure and the « not before » check saw the message sent early
    let ahead = 0;
    const clock = { now: () => new Date(Date.now() + ahead), today: () => ctx.clock.today() };
    const { sender, transport } = createSender({ ...ctx, clock }, { backoffBaseMs: 60_000 });
    const first = await sender.drainAll();
    expect(first.retried).toBe(1);
    const row = await t.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: "k:tempo" } });
    expect(row.state).toBe("ECHEC_TEMPORAIRE");
    expect(row.lastError).toMatch(/421/);
    expect(row.nextAttemptAt.getTime()).toBeGreaterThan(clock.now().getTime());
    expect((await sender.drainAll()).claimed).toBe(0); // not before the backoff
    ahead = 60_000 + 1_000;
    expect((await sender.drainAll()).sent).toBe(1);
    transport!.close();
    expect(smtp.received.filter((r) => r.to.includes("tempo@exemple-sante.fr"))).toHaveLength(1);
    const after = await t.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: "k:tempo" } });
    expect([after.state, after.attempts]).toEqual(["ENVOYE", 2]);
  });

  it("550 : échec enregistré, adresse marquée invalide, coordinateur prévenu, pas de nouvel essai", async () => {
    const m = await member("refuse@exemple-sante.fr");
    smtp.refuse.add("refuse@exemple-sante.fr");
    await enqueue([mail("k:refuse", m.email!, { memberId: m.id })]);
    const { sender, transport } = createSender(ctx, { backoffBaseMs: 10 });
    const c = await sender.drainAll();
    transport!.close();
    expect(c.failed).toBe(1);
    const row = await t.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: "k:refuse" } });
    expect(row.state).toBe("ECHEC");
    expect(row.lastError).toMatch(/550/);
    expect(row.attempts).toBe(1);
    const flagged = await t.db.member.findUniqueOrThrow({ where: { id: m.id } });
    expect(flagged.emailInvalid).toBe(true);
    expect(flagged.emailInvalidAt).not.toBeNull();
    const notice = await t.db.outboxMessage.findFirstOrThrow({ where: { kind: "echec_envoi", refId: row.id } });
    expect(notice.recipient).toBe("coord@cpts-envois.fr");
    expect(notice.state).toBe("ENVOYE"); // delivered in the same drain
    expect(smtp.received.filter((r) => r.to.includes("refuse@exemple-sante.fr"))).toHaveLength(0);
    expect(smtp.received.find((r) => r.to.includes("coord@cpts-envois.fr"))!.headers["subject"]).toContain("refuse@exemple-sante.fr");
    void coordinatorId;
  });

  it("sans SMTP_URL, les mails sont capturés, rien n'est perdu", async () => {
    await enqueue([mail("k:capture", "capture@exemple-sante.fr")]);
    const { sender, transport } = createSender({ ...ctx, config: testConfig() });
    expect(transport).toBeNull();
    expect((await sender.drainAll()).captured).toBe(1);
    const row = await t.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: "k:capture" } });
    expect(row.state).toBe("CAPTURE");
    expect(row.bodyText).toBe("Texte k:capture");
    expect(smtp.received).toHaveLength(0);
  });

  it("deux expéditeurs en parallèle ne prennent jamais le même message", async () => {
    const drafts = Array.from({ length: 120 }, (_, i) => mail(`k:par:${i}`, `par${i}@exemple-sante.fr`));
    await enqueue(drafts);
    const s1 = createSender(ctx, { batchSize: 7 });
    const s2 = createSender(ctx, { batchSize: 7, transport: smtpTransport(ctx.config) });
    const [c1, c2] = await Promise.all([s1.sender.drainAll(), s2.sender.drainAll()]);
    s1.transport!.close();
    s2.transport!.close();
    expect(c1.sent + c2.sent).toBe(120);
    expect(smtp.received).toHaveLength(120);
    expect(new Set(smtp.received.map((r) => r.to[0])).size).toBe(120);
  });

  it("les messages de chat passent par l'adaptateur enregistré, au plus un par intervalle et par canal", async () => {
    const posts: { channel: string; text: string; at: number }[] = [];
    const unregister = registerChatNotifier({ platform: "discord", post: async (ref, text) => void posts.push({ channel: ref.channel, text, at: Date.now() }) });
    await enqueue([1, 2, 3].map((i) => ({ cptsId, idempotencyKey: `k:chat:${i}`, channel: "CHAT" as const, kind: "alerte", recipient: "discord:guild1:alertes", bodyText: `Alerte ${i}` })));
    const { sender, transport } = createSender(ctx, { chatIntervalMs: 200 });
    expect((await sender.drainAll()).sent).toBe(3);
    transport!.close();
    unregister();
    expect(posts.map((p) => p.text).sort()).toEqual(["Alerte 1", "Alerte 2", "Alerte 3"]);
    const times = posts.map((p) => p.at).sort((a, b) => a - b);
    expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(380);
  });
});
