import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { ServerType } from "@hono/node-server";
import { request } from "node:http";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { createHttpApp, listen } from "../../src/http/server.ts";
import { mountHelloAsso } from "../../src/helloasso/route.ts";
import { listPendingPayments, resolvePendingPayment } from "../../src/helloasso/service.ts";

let t: TestDb;
let cptsId: string;
let otherCptsId: string;
let token: string;
let otherToken: string;
const members: Record<string, string> = {};
const servers: ServerType[] = [];

async function server(env: Record<string, string> = {}): Promise<string> {
  const ctx: AppContext = { config: loadConfig({ DATABASE_URL: t.url, ...env }), db: t.db, engine: t.engine, log: silentLogger, clock: fixedClock("2026-03-10") };
  const app = createHttpApp(ctx);
  mountHelloAsso(ctx, app);
  const { server, port } = await listen(app, 0, "127.0.0.1");
  servers.push(server);
  return `http://127.0.0.1:${port}`;
}

let base: string;

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
}

/** A POST that still reads the answer when the server refuses the body before reading it all (fetch gives up). */
function postRaw(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d: string) => (text += d)).on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // the server may close while we still write: the answer usually came first; give it a moment otherwise
    req.on("error", (e: NodeJS.ErrnoException) => (e.code === "EPIPE" || e.code === "ECONNRESET" ? setTimeout(() => reject(e), 2_000).unref() : reject(e)));
    req.end(body);
  });
}

// Shapes of HelloAsso API v5 notifications (association account, membership form).
function paymentEvent(o: { id: number; email: string; firstName: string; lastName: string; amount?: number; state?: string; date?: string }) {
  const amount = o.amount ?? 3000;
  return {
    eventType: "Payment",
    data: {
      order: { id: o.id + 900000, date: o.date ?? "2026-03-09T18:42:11.52+01:00", formSlug: "cotisation", formType: "Membership", organizationName: "CPTS du Val", organizationSlug: "cpts-du-val", formName: "Cotisation 2026", meta: { createdAt: "2026-03-09T18:42:11+01:00", updatedAt: "2026-03-09T18:42:11+01:00" }, isAnonymous: false, isAmountHidden: false },
      payer: { email: o.email, address: "3 rue des Lilas", city: "Valenciennes", zipCode: "59300", country: "FRA", firstName: o.firstName, lastName: o.lastName },
      items: [{ shareAmount: amount, shareItemAmount: amount, shareOptionsAmount: 0, id: o.id + 500000, amount, type: "Membership", state: "Processed" }],
      cashOutState: "MoneyIn",
      paymentReceiptUrl: `https://www.helloasso.com/associations/cpts-du-val/adhesions/cotisation/paiement-attestation/${o.id}`,
      id: o.id,
      amount,
      amountTip: 0,
      date: o.date ?? "2026-03-09T18:42:11.52+01:00",
      paymentMeans: "Card",
      installmentNumber: 1,
      state: o.state ?? "Authorized",
      type: "Offline",
      meta: { createdAt: "2026-03-09T18:42:11+01:00", updatedAt: "2026-03-09T18:42:11+01:00" },
      refundOperations: [],
    },
    metadata: {},
  };
}

function orderEvent(o: { orderId: number; paymentId: number; email: string; firstName: string; lastName: string; withDonation?: boolean }) {
  const items: object[] = [
    { payments: [{ id: o.paymentId, shareAmount: 3000 }], name: "Adhésion professionnel", user: { firstName: o.firstName, lastName: o.lastName }, priceCategory: "Fixed", id: o.orderId + 1, amount: 3000, type: "Membership", initialAmount: 3000, state: "Processed" },
  ];
  if (o.withDonation) items.push({ payments: [{ id: o.paymentId, shareAmount: 1000 }], name: "Don", priceCategory: "Pwyw", id: o.orderId + 2, amount: 1000, type: "Donation", initialAmount: 1000, state: "Processed" });
  const total = o.withDonation ? 4000 : 3000;
  return {
    eventType: "Order",
    data: {
      payer: { email: o.email, country: "FRA", firstName: o.firstName, lastName: o.lastName },
      items,
      payments: [
        {
          items: [{ id: o.orderId + 1, shareAmount: 3000, shareItemAmount: 3000 }, ...(o.withDonation ? [{ id: o.orderId + 2, shareAmount: 1000, shareItemAmount: 1000 }] : [])],
          cashOutState: "Transfered",
          paymentReceiptUrl: "https://www.helloasso.com/…",
          id: o.paymentId,
          amount: total,
          date: "2026-03-08T09:15:00+01:00",
          paymentMeans: "Card",
          installmentNumber: 1,
          state: "Authorized",
          meta: { createdAt: "2026-03-08T09:15:00+01:00", updatedAt: "2026-03-08T09:15:00+01:00" },
        },
      ],
      amount: { total, vat: 0, discount: 0 },
      id: o.orderId,
      date: "2026-03-08T09:15:00+01:00",
      formSlug: "cotisation",
      formType: "Membership",
      organizationName: "CPTS du Val",
      organizationSlug: "cpts-du-val",
      meta: { createdAt: "2026-03-08T09:15:00+01:00", updatedAt: "2026-03-08T09:15:00+01:00" },
      isAnonymous: false,
      isAmountHidden: false,
    },
  };
}

async function snapshot() {
  const [payments, pending, outbox, audit] = await Promise.all([
    t.db.duesPayment.findMany({ orderBy: { id: "asc" } }),
    t.db.pendingPayment.findMany({ orderBy: { id: "asc" } }),
    t.db.outboxMessage.findMany({ orderBy: { id: "asc" } }),
    t.db.auditLog.count(),
  ]);
  return JSON.stringify({ payments, pending, outbox, audit });
}

beforeAll(async () => {
  t = await createTestDb();
  const cpts = await t.db.cpts.create({
    data: {
      slug: "val",
      name: "CPTS du Val",
      population: 60_000,
      alertChannelId: "alertes",
      workspaces: { create: { platform: "CONSOLE", externalId: "console", alertChannelId: "tresorerie" } },
    },
  });
  cptsId = cpts.id;
  token = cpts.helloassoToken;
  const other = await t.db.cpts.create({ data: { slug: "voisine", name: "CPTS voisine", population: 30_000 } });
  otherCptsId = other.id;
  otherToken = other.helloassoToken;
  const mk = async (key: string, data: { firstName: string; lastName: string; email: string; profession?: string }, where = cptsId) =>
    (members[key] = (await t.db.member.create({ data: { cptsId: where, ...data } })).id);
  await mk("claire", { firstName: "Claire", lastName: "Dubois", email: "claire.dubois@exemple-sante.fr", profession: "infirmier" });
  await mk("martin1", { firstName: "Jean", lastName: "Martin", email: "jean.martin@cabinet-a.fr" });
  await mk("martin2", { firstName: "Jean", lastName: "Martin", email: "j.martin@cabinet-b.fr" });
  await mk("eloise", { firstName: "Éloïse", lastName: "Lefèvre", email: "eloise.lefevre@exemple-sante.fr" });
  await mk("voisin", { firstName: "Paul", lastName: "Voisin", email: "paul.voisin@exemple-sante.fr" }, otherCptsId);
  // A dues reminder waiting in the outbox for Claire, and one already sent.
  await t.db.outboxMessage.createMany({
    data: [
      { cptsId, idempotencyKey: `relance:${members.claire}:2026:2`, channel: "MAIL", kind: "relance", recipient: "claire.dubois@exemple-sante.fr", memberId: members.claire, subject: "Cotisation 2026", bodyText: "…" },
      { cptsId, idempotencyKey: `relance:${members.claire}:2025:3`, channel: "MAIL", kind: "relance", recipient: "claire.dubois@exemple-sante.fr", memberId: members.claire, subject: "Cotisation 2025", bodyText: "…" },
      { cptsId, idempotencyKey: `relance:${members.claire}:2026:1`, channel: "MAIL", kind: "relance", recipient: "claire.dubois@exemple-sante.fr", memberId: members.claire, subject: "Cotisation 2026", bodyText: "…", state: "ENVOYE" },
    ],
  });
  base = await server();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await t?.cleanup();
});

describe(`notifications HelloAsso (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("enregistre une cotisation payée, annule la relance en attente et prévient la trésorerie dans le chat", async () => {
    const res = await post(`${base}/helloasso/${token}`, paymentEvent({ id: 41001, email: "Claire.Dubois@exemple-sante.fr", firstName: "Claire", lastName: "Dubois" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ paiements: [{ paymentId: "41001", outcome: "enregistre" }] });
    const payments = await t.db.duesPayment.findMany({ where: { memberId: members.claire } });
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ source: "HELLOASSO", externalId: "41001", amountCents: 3000, paidOn: "2026-03-09", year: 2026, method: "CARTE", refundedOn: null });
    const relances = await t.db.outboxMessage.findMany({ where: { memberId: members.claire, kind: "relance" }, orderBy: { idempotencyKey: "asc" } });
    // 2025's reminder is about another dues year: left alone.
    expect(relances.map((r) => [r.idempotencyKey.split(":").slice(2).join(":"), r.state])).toEqual([["2025:3", "EN_ATTENTE"], ["2026:1", "ENVOYE"], ["2026:2", "ANNULE"]]);
    const notice = await t.db.outboxMessage.findMany({ where: { cptsId, channel: "CHAT", refId: "41001" } });
    expect(notice).toHaveLength(1);
    expect(notice[0]!.recipient).toBe("console:console:tresorerie");
    expect(notice[0]!.bodyText).toContain("Claire Dubois");
    expect(notice[0]!.bodyText).toContain("30,00");
    expect(notice[0]!.bodyText).toContain("1 relance en attente annulée");
  });

  it("compte une seule fois un paiement notifié deux fois (rejeu) et aussi par l'événement Order", async () => {
    const before = await snapshot();
    const replay = await post(`${base}/helloasso/${token}`, paymentEvent({ id: 41001, email: "claire.dubois@exemple-sante.fr", firstName: "Claire", lastName: "Dubois" }));
    expect(await replay.json()).toMatchObject({ paiements: [{ outcome: "deja_compte" }] });
    const order = await post(`${base}/helloasso/${token}`, { ...orderEvent({ orderId: 941001, paymentId: 41001, email: "claire.dubois@exemple-sante.fr", firstName: "Claire", lastName: "Dubois" }) });
    expect(await order.json()).toMatchObject({ paiements: [{ paymentId: "41001", outcome: "deja_compte" }] });
    expect(await snapshot()).toBe(before);
  });

  it("un événement Order seul enregistre la part adhésion, pas le don joint", async () => {
    const res = await post(`${base}/helloasso/${token}`, orderEvent({ orderId: 942000, paymentId: 42000, email: "eloise.lefevre@exemple-sante.fr", firstName: "Éloïse", lastName: "Lefèvre", withDonation: true }));
    expect(await res.json()).toMatchObject({ paiements: [{ paymentId: "42000", outcome: "enregistre" }] });
    const p = await t.db.duesPayment.findFirstOrThrow({ where: { externalId: "42000" } });
    expect(p).toMatchObject({ memberId: members.eloise, amountCents: 3000, paidOn: "2026-03-08" });
  });

  it("un remboursement annule le paiement, une seule fois", async () => {
    const res = await post(`${base}/helloasso/${token}`, paymentEvent({ id: 42000, email: "eloise.lefevre@exemple-sante.fr", firstName: "Éloïse", lastName: "Lefèvre", state: "Refunded" }));
    expect(await res.json()).toMatchObject({ paiements: [{ outcome: "rembourse" }] });
    expect((await t.db.duesPayment.findFirstOrThrow({ where: { externalId: "42000" } })).refundedOn).toBe("2026-03-10");
    const before = await snapshot();
    const again = await post(`${base}/helloasso/${token}`, paymentEvent({ id: 42000, email: "eloise.lefevre@exemple-sante.fr", firstName: "Éloïse", lastName: "Lefèvre", state: "Refunded" }));
    expect(await again.json()).toMatchObject({ paiements: [{ outcome: "deja_rembourse" }] });
    expect(await snapshot()).toBe(before);
  });

  it("met en file de vérification un payeur inconnu ou homonyme, puis le rattache à l'adhérent choisi", async () => {
    const unknown = await post(`${base}/helloasso/${token}`, paymentEvent({ id: 43000, email: "inconnu@ailleurs.fr", firstName: "Zoé", lastName: "Nulle" }));
    expect(await unknown.json()).toMatchObject({ paiements: [{ outcome: "a_verifier" }] });
    const homonym = await post(`${base}/helloasso/${token}`, paymentEvent({ id: 43001, email: "jean.martin.perso@gmail.com", firstName: "JEAN", lastName: "martin" }));
    expect(await homonym.json()).toMatchObject({ paiements: [{ outcome: "a_verifier" }] });
    expect(await t.db.duesPayment.count({ where: { externalId: { in: ["43000", "43001"] } } })).toBe(0);
    const ctx: AppContext = { config: loadConfig({ DATABASE_URL: t.url }), db: t.db, engine: t.engine, log: silentLogger, clock: fixedClock("2026-03-11") };
    const pending = await listPendingPayments(ctx, cptsId);
    expect(pending.map((p) => p.payerEmail).sort()).toEqual(["inconnu@ailleurs.fr", "jean.martin.perso@gmail.com"]);
    expect(pending.find((p) => p.payerEmail === "jean.martin.perso@gmail.com")!.reason).toContain("2 adhérents");
    expect(await listPendingPayments(ctx, otherCptsId)).toEqual([]);
    const martin = pending.find((p) => p.payerEmail === "jean.martin.perso@gmail.com")!;
    // Another CPTS's member cannot be chosen.
    await expect(resolvePendingPayment(ctx, cptsId, martin.id, members.voisin!, "admin:tresorerie")).rejects.toThrow(/introuvable/);
    await resolvePendingPayment(ctx, cptsId, martin.id, members.martin2!, "admin:tresorerie");
    expect(await t.db.duesPayment.findFirstOrThrow({ where: { externalId: "43001" } })).toMatchObject({ memberId: members.martin2, recordedBy: "admin:tresorerie" });
    await expect(resolvePendingPayment(ctx, cptsId, martin.id, members.martin1!, "admin:tresorerie")).rejects.toThrow(/déjà été traité/);
    expect((await listPendingPayments(ctx, cptsId)).map((p) => p.payerEmail)).toEqual(["inconnu@ailleurs.fr"]);
    // A replay after the manual match counts nothing new.
    const replay = await post(`${base}/helloasso/${token}`, paymentEvent({ id: 43001, email: "jean.martin.perso@gmail.com", firstName: "Jean", lastName: "Martin" }));
    expect(await replay.json()).toMatchObject({ paiements: [{ outcome: "deja_compte" }] });
    expect(await t.db.duesPayment.count({ where: { externalId: "43001" } })).toBe(1);
  });

  it("refuse sans rien écrire une URL inconnue, un contenu invalide ou la clé d'une autre CPTS", async () => {
    const before = await snapshot();
    const forged = await post(`${base}/helloasso/faux-jeton-123456`, paymentEvent({ id: 44000, email: "claire.dubois@exemple-sante.fr", firstName: "Claire", lastName: "Dubois" }));
    expect(forged.status).toBe(404);
    const notJson = await post(`${base}/helloasso/${token}`, "{pas du json");
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).erreur).toContain("JSON");
    const bad = paymentEvent({ id: 44001, email: "claire.dubois@exemple-sante.fr", firstName: "Claire", lastName: "Dubois" }) as { data: Record<string, unknown> };
    bad.data.amount = "30 euros";
    const invalid = await post(`${base}/helloasso/${token}`, bad);
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).erreur).toContain("amount");
    const huge = await postRaw(`${base}/helloasso/${token}`, JSON.stringify({ eventType: "Payment", data: { padding: "x".repeat(600 * 1024) } }));
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body).erreur).toContain("trop volumineuse");
    const noEmail = paymentEvent({ id: 44002, email: "pas-une-adresse", firstName: "Claire", lastName: "Dubois" });
    expect((await post(`${base}/helloasso/${token}`, noEmail)).status).toBe(400);
    // The neighbour CPTS's URL with our member's e-mail: no member there → queued there, nothing here.
    const cross = await post(`${base}/helloasso/${otherToken}`, paymentEvent({ id: 44003, email: "claire.dubois@exemple-sante.fr", firstName: "Claire", lastName: "Dubois" }));
    expect(await cross.json()).toMatchObject({ paiements: [{ outcome: "a_verifier" }] });
    expect(await t.db.duesPayment.count({ where: { externalId: "44003" } })).toBe(0);
    expect(await t.db.pendingPayment.count({ where: { externalId: "44003", cptsId: otherCptsId } })).toBe(1);
    await t.db.pendingPayment.deleteMany({ where: { externalId: "44003" } });
    await t.db.outboxMessage.deleteMany({ where: { refId: "44003" } });
    expect(await snapshot()).toBe(before);
  });

  it("ignore un don, un paiement refusé et un autre type d'événement", async () => {
    const before = await snapshot();
    const donation = paymentEvent({ id: 45000, email: "claire.dubois@exemple-sante.fr", firstName: "Claire", lastName: "Dubois" });
    donation.data.items[0]!.type = "Donation";
    donation.data.order.formType = "Donation";
    expect(await (await post(`${base}/helloasso/${token}`, donation)).json()).toMatchObject({ paiements: [] });
    const refused = paymentEvent({ id: 45001, email: "claire.dubois@exemple-sante.fr", firstName: "Claire", lastName: "Dubois", state: "Refused" });
    expect(await (await post(`${base}/helloasso/${token}`, refused)).json()).toMatchObject({ paiements: [{ outcome: "ignore" }] });
    const form = await post(`${base}/helloasso/${token}`, { eventType: "Form", data: { formSlug: "cotisation", formType: "Membership", title: "Cotisation" } });
    expect(form.status).toBe(200);
    expect(await snapshot()).toBe(before);
  });

  it("n'accepte que les adresses autorisées, et X-Forwarded-For seulement du proxy déclaré", async () => {
    const strict = await server({ HELLOASSO_ALLOWED_IPS: "203.0.113.7" });
    const before = await snapshot();
    const event = paymentEvent({ id: 46000, email: "jean.martin@cabinet-a.fr", firstName: "Jean", lastName: "Martin" });
    expect((await post(`${strict}/helloasso/${token}`, event)).status).toBe(403);
    // Without a declared proxy the header is not believed.
    expect((await post(`${strict}/helloasso/${token}`, event, { "x-forwarded-for": "203.0.113.7" })).status).toBe(403);
    expect(await snapshot()).toBe(before);
    const proxied = await server({ HELLOASSO_ALLOWED_IPS: "203.0.113.7", HELLOASSO_TRUSTED_PROXY: "127.0.0.1" });
    // A client-forged first entry does not help: the proxy's appended (last) entry counts.
    expect((await post(`${proxied}/helloasso/${token}`, event, { "x-forwarded-for": "203.0.113.7, 198.51.100.9" })).status).toBe(403);
    const ok = await post(`${proxied}/helloasso/${token}`, event, { "x-forwarded-for": "198.51.100.9, 203.0.113.7" });
    expect(ok.status).toBe(200);
    expect(await t.db.duesPayment.count({ where: { externalId: "46000", memberId: members.martin1 } })).toBe(1);
  });

  it("deux livraisons simultanées de la même notification ne comptent qu'un paiement et un message", async () => {
    const event = paymentEvent({ id: 47000, email: "j.martin@cabinet-b.fr", firstName: "Jean", lastName: "Martin" });
    const responses = await Promise.all([1, 2, 3].map(() => post(`${base}/helloasso/${token}`, event)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    const outcomes = (await Promise.all(responses.map((r) => r.json()))).map((b) => b.paiements[0].outcome).sort();
    expect(outcomes).toEqual(["deja_compte", "deja_compte", "enregistre"]);
    expect(await t.db.duesPayment.count({ where: { externalId: "47000" } })).toBe(1);
    expect(await t.db.outboxMessage.count({ where: { refId: "47000", channel: "CHAT" } })).toBe(1);
    const unknown = paymentEvent({ id: 47001, email: "quelqu.un@ailleurs.fr", firstName: "Quelqu", lastName: "Un" });
    const queued = await Promise.all([1, 2, 3].map(() => post(`${base}/helloasso/${token}`, unknown).then((r) => r.json())));
    expect(queued.map((b) => b.paiements[0].outcome).sort()).toEqual(["a_verifier", "deja_a_verifier", "deja_a_verifier"]);
    expect(await t.db.pendingPayment.count({ where: { externalId: "47001" } })).toBe(1);
    expect(await t.db.outboxMessage.count({ where: { refId: "47001", channel: "CHAT" } })).toBe(1);
  });
});
