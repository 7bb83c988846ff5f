// Bounces after acceptance, end to end: a DSN (RFC 3464) dropped into a REAL IMAP mailbox (a private Dovecot
// on 127.0.0.1, see imap-test-server.ts) and Brevo / Mailjet webhooks (payloads shaped like their documented
// ones) each flag the right member within one poll; soft bounces are counted, a complaint stops bulk mail,
// a mailto unsubscribe turns the preference off; a forged webhook or a DSN naming someone else's row changes
// nothing.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { Hono } from "hono";
import { ImapFlow } from "imapflow";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { contextAt, testConfig } from "./jobs-context.ts";
import { startTestImap, dovecotMissing, type TestImap } from "./imap-test-server.ts";
import { createSender } from "../../src/mail/component.ts";
import { enqueueMessages } from "../../src/app/services/outbox.ts";
import { pollBounceMailbox, mountMailWebhooks } from "../../src/mail/bounce-intake.ts";
import type { AppContext } from "../../src/app/context.ts";
import { main } from "../../src/cli/main.ts";

const SECRET = "webhook-secret-de-test-0123456789";
const BOUNCE = "rebonds@cpts-demo.fr";

let t: TestDb;
let ctx: AppContext;
let imap: TestImap | undefined;
let cptsId: string;
let app: Hono;
const rows = new Map<string, { id: string; providerId: string | null; recipient: string }>();

async function member(first: string, email: string) {
  return t.db.member.create({ data: { cptsId, firstName: first, lastName: "Test", email } });
}

async function memberByEmail(email: string) {
  return t.db.member.findFirstOrThrow({ where: { email } });
}

function dsn(opts: { verp: string; finalRecipient: string; status: string; action?: string; diagnostic: string; messageId: string }): string {
  const boundary = "=_dsn_boundary_42";
  return [
    "Return-Path: <>",
    `Delivered-To: ${opts.verp}`,
    "From: MAILER-DAEMON@mx.relais-sante.fr (Mail Delivery System)",
    `To: ${opts.verp}`,
    "Subject: Undelivered Mail Returned to Sender",
    "Date: Tue, 01 Dec 2026 16:20:00 +0100",
    "MIME-Version: 1.0",
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    "",
    `--${boundary}`,
    "Content-Type: text/plain; charset=utf-8",
    "",
    "This is the mail system at host mx.relais-sante.fr.",
    "I'm sorry to have to inform you that your message could not be delivered.",
    "",
    `--${boundary}`,
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.relais-sante.fr",
    "Arrival-Date: Tue, 01 Dec 2026 16:19:58 +0100",
    "",
    `Final-Recipient: rfc822; ${opts.finalRecipient}`,
    `Original-Recipient: rfc822;${opts.finalRecipient}`,
    `Action: ${opts.action ?? "failed"}`,
    `Status: ${opts.status}`,
    "Remote-MTA: dns; mx.destinataire.fr",
    `Diagnostic-Code: smtp; ${opts.diagnostic}`,
    "",
    `--${boundary}`,
    "Content-Type: text/rfc822-headers",
    "",
    "From: CPTS Démo <contact@cpts-demo.fr>",
    `To: ${opts.finalRecipient}`,
    "Subject: Cotisation 2026",
    `Message-ID: ${opts.messageId}`,
    "",
    `--${boundary}--`,
    "",
  ].join("\r\n");
}

beforeAll(async () => {
  t = await createTestDb();
  ctx = contextAt(t, new Date().toISOString(), testConfig({ BOUNCE_ADDRESS: BOUNCE, MAIL_WEBHOOK_SECRET: SECRET }));
  ctx.clock = { now: () => new Date(), today: () => new Date().toISOString().slice(0, 10) };
  cptsId = (await t.db.cpts.create({ data: { slug: "rebonds", name: "CPTS des Rebonds", population: 20_000 } })).id;
  const people = [
    ["Anne", "anne.dsn@sante-test.fr"],
    ["Bruno", "bruno.brevo@sante-test.fr"],
    ["Chloé", "chloe.mailjet@sante-test.fr"],
    ["Denis", "denis.temporaire@sante-test.fr"],
    ["Emma", "emma.plainte@sante-test.fr"],
    ["Farid", "farid.innocent@sante-test.fr"],
    ["Gaëlle", "gaelle.cli@sante-test.fr"],
  ] as const;
  for (const [first, email] of people) {
    const m = await member(first, email);
    await t.db.$transaction((tx) =>
      enqueueMessages(tx, [{ cptsId, idempotencyKey: `rebond:${first}`, channel: "MAIL", kind: "relance", recipient: email, memberId: m.id, subject: "Cotisation 2026", bodyText: `Bonjour ${first},`, bodyHtml: `<p>Bonjour ${first},</p>` }]),
    );
  }
  // "sent" (captured: same row state for matching, providerId = Message-ID)
  await createSender(ctx, { transport: null }).sender.drainAll();
  for (const r of await t.db.outboxMessage.findMany({ where: { cptsId } })) rows.set(r.recipient, { id: r.id, providerId: r.providerId, recipient: r.recipient });
  app = new Hono();
  mountMailWebhooks(app, ctx);
  if (!dovecotMissing) imap = await startTestImap();
}, 60_000);

afterAll(async () => {
  await imap?.stop();
  await t?.cleanup();
});

const engine = process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite";

// Locally without Dovecot the IMAP test is skipped with its reason; in CI (.ci/run installs dovecot-imapd) it must run.
if (dovecotMissing) {
  if (process.env.CI) throw new Error(`${dovecotMissing} — en CI, .ci/run doit l'installer`);
  console.warn(dovecotMissing);
}

describe.skipIf(Boolean(dovecotMissing))(`rebonds par la boîte IMAP, Dovecot réel (${engine})${dovecotMissing ? ` — sauté : ${dovecotMissing}` : ""}`, () => {
  it("un DSN déposé dans la boîte signale le bon membre en une relève ; temporaire compté, plainte, désabonnement par mailto, DSN forgé sans effet", async () => {
    const anne = rows.get("anne.dsn@sante-test.fr")!;
    const denis = rows.get("denis.temporaire@sante-test.fr")!;
    const emma = rows.get("emma.plainte@sante-test.fr")!;
    const farid = rows.get("farid.innocent@sante-test.fr")!;
    const faridMember = await memberByEmail("farid.innocent@sante-test.fr");
    const client = new ImapFlow({ host: "127.0.0.1", port: imap!.port, secure: false, doSTARTTLS: false, auth: { user: imap!.user, pass: imap!.password }, logger: false });
    await client.connect();
    await client.append("INBOX", dsn({ verp: `rebonds+${anne.id}@cpts-demo.fr`, finalRecipient: anne.recipient, status: "5.1.1", diagnostic: "550 5.1.1 <anne.dsn@sante-test.fr>: Recipient address rejected: User unknown", messageId: anne.providerId! }));
    await client.append("INBOX", dsn({ verp: `rebonds+${denis.id}@cpts-demo.fr`, finalRecipient: denis.recipient, status: "4.2.2", action: "delayed", diagnostic: "452 4.2.2 Mailbox full", messageId: denis.providerId! }));
    // forged: names Farid's row but reports another address → not trusted, nobody flagged
    await client.append("INBOX", dsn({ verp: `rebonds+${farid.id}@cpts-demo.fr`, finalRecipient: "quelqu.un@ailleurs.fr", status: "5.1.1", diagnostic: "550 no such user", messageId: farid.providerId! }));
    // ARF complaint (RFC 5965) about Emma's message
    await client.append(
      "INBOX",
      [
        `To: rebonds+${emma.id}@cpts-demo.fr`, "From: fbl@fai-exemple.fr", "Subject: Abuse report", "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=feedback-report; boundary="arf"', "", "--arf", "Content-Type: text/plain", "", "Plainte d'un abonné.", "",
        "--arf", "Content-Type: message/feedback-report", "", "Feedback-Type: abuse", "User-Agent: FAI-FBL/1.0", "Version: 1", `Original-Rcpt-To: ${emma.recipient}`, "",
        "--arf", "Content-Type: text/rfc822-headers", "", `To: ${emma.recipient}`, `Message-ID: ${emma.providerId}`, "", "--arf--", "",
      ].join("\r\n"),
    );
    // List-Unsubscribe mailto from Farid (subject written by the mail client from the header)
    await client.append("INBOX", `From: Farid <farid.innocent@sante-test.fr>\r\nTo: ${BOUNCE}\r\nSubject: desabonnement newsletter ${faridMember.unsubscribeToken}\r\n\r\n\r\n`);
    // an ordinary mail (an auto-reply): read, no effect
    await client.append("INBOX", `From: anne.dsn@sante-test.fr\r\nTo: ${BOUNCE}\r\nSubject: Absence du bureau\r\n\r\nJe suis absente.\r\n`);
    await client.logout();

    const counts = await pollBounceMailbox({ ...ctx, config: { ...ctx.config, BOUNCE_IMAP_URL: imap!.url } });
    expect(counts).toEqual({ lus: 6, rebonds_definitifs: 1, rebonds_temporaires: 1, plaintes: 1, desabonnements: 1, sans_suite: 2 });

    const a = await memberByEmail("anne.dsn@sante-test.fr");
    expect(a.emailInvalid).toBe(true);
    expect(a.emailInvalidAt).toBeInstanceOf(Date);
    expect(a.emailInvalidReason).toMatch(/5\.1\.1.*User unknown/);
    expect((await t.db.outboxMessage.findUniqueOrThrow({ where: { id: anne.id } })).lastError).toMatch(/rejet après acceptation/);
    const d = await memberByEmail("denis.temporaire@sante-test.fr");
    expect([d.emailInvalid, d.softBounces]).toEqual([false, 1]);
    const e = await memberByEmail("emma.plainte@sante-test.fr");
    expect([e.emailInvalid, e.prefNewsletter, e.prefDuesReminders, e.prefAlerts, Boolean(e.emailComplainedAt)]).toEqual([false, false, false, true, true]);
    const f = await memberByEmail("farid.innocent@sante-test.fr");
    expect([f.emailInvalid, f.prefNewsletter, f.prefDuesReminders]).toEqual([false, false, true]);
    // nobody else touched
    const others = await t.db.member.findMany({ where: { cptsId, email: { in: ["bruno.brevo@sante-test.fr", "chloe.mailjet@sante-test.fr"] } } });
    expect(others.every((m) => !m.emailInvalid && m.softBounces === 0 && m.prefNewsletter)).toBe(true);

    // the mails were marked read: the next poll reads nothing and changes nothing
    const again = await pollBounceMailbox({ ...ctx, config: { ...ctx.config, BOUNCE_IMAP_URL: imap!.url } });
    expect(again.lus).toBe(0);
    expect((await memberByEmail("denis.temporaire@sante-test.fr")).softBounces).toBe(1);
  }, 60_000);

  it("coordo rebonds relève la boîte tout de suite et dit en français ce qu'il a fait", async () => {
    const gaelle = rows.get("gaelle.cli@sante-test.fr")!;
    const client = new ImapFlow({ host: "127.0.0.1", port: imap!.port, secure: false, doSTARTTLS: false, auth: { user: imap!.user, pass: imap!.password }, logger: false });
    await client.connect();
    await client.append("INBOX", dsn({ verp: `rebonds+${gaelle.id}@cpts-demo.fr`, finalRecipient: gaelle.recipient, status: "5.2.1", diagnostic: "550 5.2.1 mailbox disabled", messageId: gaelle.providerId! }));
    await client.logout();
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), context: async () => ({ ...ctx, config: { ...ctx.config, BOUNCE_IMAP_URL: imap!.url } }) };
    expect(await main(["rebonds"], io)).toBe(0);
    expect(out).toEqual(["Boîte des rebonds relevée : 1 mail(s) lu(s) — 1 adresse(s) invalide(s), 0 rejet(s) temporaire(s), 0 plainte(s), 0 désabonnement(s), 0 sans suite."]);
    expect((await memberByEmail(gaelle.recipient)).emailInvalidReason).toMatch(/5\.2\.1/);
    expect(await main(["rebonds"], { ...io, context: async () => ctx })).toBe(2);
    expect(err[0]).toMatch(/^BOUNCE_IMAP_URL n'est pas défini/);
  }, 60_000);
});

describe(`rebonds par webhook Brevo et Mailjet (${engine})`, () => {
  const post = (path: string, body: unknown) => app.request(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  it("un webhook forgé (mauvais secret, fournisseur inconnu) est refusé et ne change rien", async () => {
    const bruno = rows.get("bruno.brevo@sante-test.fr")!;
    const before = await t.db.member.findMany({ where: { cptsId }, orderBy: { id: "asc" } });
    const forged = { event: "hard_bounce", email: bruno.recipient, "message-id": bruno.providerId, reason: "forgé" };
    expect((await post(`/webhooks/mail/brevo/${SECRET.slice(0, -1)}x`, forged)).status).toBe(404);
    expect((await post(`/webhooks/mail/brevo/`, forged)).status).toBe(404);
    expect((await post(`/webhooks/mail/sendgrid/${SECRET}`, forged)).status).toBe(404);
    const bad = await app.request(`/webhooks/mail/mailjet/${SECRET}`, { method: "POST", headers: { "content-type": "application/json" }, body: "{pas du json" });
    expect(bad.status).toBe(400);
    expect(await t.db.member.findMany({ where: { cptsId }, orderBy: { id: "asc" } })).toEqual(before);
  });

  it("Brevo hard_bounce (Message-ID) signale le bon membre", async () => {
    const bruno = rows.get("bruno.brevo@sante-test.fr")!;
    const res = await post(`/webhooks/mail/brevo/${SECRET}`, {
      event: "hard_bounce", email: bruno.recipient, id: 512345, date: "2026-12-01 17:02:11", ts: 1796227331, "message-id": bruno.providerId,
      ts_event: 1796227331, subject: "Cotisation 2026", tag: "", sending_ip: "185.41.28.109", ts_epoch: 1796227331000, tags: [], reason: "550 5.1.1 mailbox unavailable",
    });
    expect(res.status).toBe(200);
    const b = await memberByEmail(bruno.recipient);
    expect(b.emailInvalid).toBe(true);
    expect(b.emailInvalidReason).toMatch(/Brevo hard_bounce : 550 5\.1\.1 mailbox unavailable/);
  });

  it("Mailjet bounce (tableau groupé, CustomID) : définitif signalé, temporaire compté, spam et désabonnement appliqués", async () => {
    const chloe = rows.get("chloe.mailjet@sante-test.fr")!;
    const res = await post(`/webhooks/mail/mailjet/${SECRET}`, [
      {
        event: "bounce", time: 1796227400, MessageID: 288230381258372012, Message_GUID: "1ab23cd4-e567-8901-2345-6789f0a1b2c3", email: chloe.recipient,
        mj_campaign_id: 0, mj_contact_id: 987654, customcampaign: "", CustomID: chloe.id, Payload: "", blocked: false, hard_bounce: true,
        error_related_to: "recipient", error: "user unknown", comment: "Host or domain name not found",
      },
      { event: "bounce", time: 1796227401, MessageID: 288230381258372013, email: "denis.temporaire@sante-test.fr", CustomID: "", blocked: false, hard_bounce: false, error_related_to: "recipient", error: "mailbox full" },
      { event: "sent", time: 1796227402, MessageID: 288230381258372014, email: "farid.innocent@sante-test.fr", CustomID: "" },
    ]);
    expect(res.status).toBe(200);
    const c = await memberByEmail(chloe.recipient);
    expect(c.emailInvalid).toBe(true);
    expect(c.emailInvalidReason).toMatch(/Mailjet bounce : recipient, user unknown/);
    const d = await memberByEmail("denis.temporaire@sante-test.fr");
    expect(d.emailInvalid).toBe(false);
    expect(d.softBounces).toBeGreaterThanOrEqual(1);
    expect((await memberByEmail("farid.innocent@sante-test.fr")).emailInvalid).toBe(false);
  });
});
