// Sender identity and headers of real mail, captured by a real SMTP server on 127.0.0.1: per-CPTS display
// name and Reply-To, VERP Return-Path, Auto-Submitted / Precedence / List-Id, List-Unsubscribe (https +
// mailto + one-click), DKIM signature verified by mailauth against the test's public key.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { simpleParser } from "mailparser";
import { dkimVerify } from "mailauth/lib/dkim/verify.js";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { contextAt, testConfig } from "./jobs-context.ts";
import { createSender } from "../../src/mail/component.ts";
import { enqueueMessages } from "../../src/app/services/outbox.ts";
import { listUnsubscribeHeaders } from "../../src/mail/links.ts";
import type { AppContext } from "../../src/app/context.ts";

interface Captured {
  mailFrom: string;
  rcptTo: string[];
  raw: string;
}

let t: TestDb;
let ctx: AppContext;
let server: SMTPServer;
let port: number;
const captured: Captured[] = [];
let cptsId: string;
let publicKeyDns: string;

beforeAll(async () => {
  t = await createTestDb();
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        captured.push({ mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", rcptTo: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString("utf8") });
        done();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.server.address() as AddressInfo).port;
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const der = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  publicKeyDns = `v=DKIM1; k=rsa; p=${der}`;
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  ctx = contextAt(
    t,
    new Date().toISOString(),
    testConfig({
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      BOUNCE_ADDRESS: "rebonds@cpts-demo.fr",
      DKIM_DOMAIN: "cpts-demo.fr",
      DKIM_SELECTOR: "coordo",
      // one line with \n, as it is written in a .env file
      DKIM_PRIVATE_KEY: pem.replace(/\n/g, "\\n"),
    }),
  );
  ctx.clock = { now: () => new Date(), today: () => new Date().toISOString().slice(0, 10) };
  cptsId = (
    await t.db.cpts.create({
      data: { slug: "val-de-loire", name: "CPTS du Val de Loire", population: 40_000, mailSenderName: "Coordination CPTS Val de Loire", mailReplyTo: "coordination@cpts-val-de-loire.fr" },
    })
  ).id;
});

afterAll(async () => {
  await new Promise<void>((r) => server?.close(() => r()));
  await t?.cleanup();
});

/** One header of a raw message, unfolded ("" when absent). */
function rawHeader(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, " ");
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line ? line.slice(name.length + 1).trim() : "";
}

const resolver = async (name: string, type: string) => {
  if (type === "TXT" && name === "coordo._domainkey.cpts-demo.fr") return [[publicKeyDns]];
  const err = new Error(`NXDOMAIN ${name}`) as Error & { code: string };
  err.code = "ENOTFOUND";
  throw err;
};

describe(`identité et en-têtes des mails (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("nom d'expéditeur et Reply-To de la CPTS, Return-Path VERP, en-têtes de liste, DKIM vérifié", async () => {
    const member = await t.db.member.create({ data: { cptsId, firstName: "Inès", lastName: "Marchand", email: "ines.marchand@sante-loire.fr" } });
    await t.db.$transaction((tx) =>
      enqueueMessages(tx, [
        {
          cptsId, idempotencyKey: "id:newsletter", channel: "MAIL", kind: "newsletter", recipient: member.email!, memberId: member.id,
          subject: "Lettre de mars", bodyText: "Bonjour,\n\nles nouvelles.", bodyHtml: "<p>Bonjour,</p><p>les nouvelles.</p>",
          headers: listUnsubscribeHeaders(ctx.config, member.unsubscribeToken, "newsletter"),
        },
        {
          cptsId, idempotencyKey: "id:relance", channel: "MAIL", kind: "relance", recipient: member.email!, memberId: member.id,
          subject: "Cotisation 2026", bodyText: "Bonjour,\n\nvotre cotisation.", bodyHtml: "<p>Bonjour,</p><p>votre cotisation.</p>",
          headers: listUnsubscribeHeaders(ctx.config, member.unsubscribeToken, "relances"),
        },
      ]),
    );
    const { sender, transport } = createSender(ctx);
    const counts = await sender.drainAll();
    transport!.close();
    expect(counts.sent).toBe(2);
    expect(captured).toHaveLength(2);
    const rows = await t.db.outboxMessage.findMany({ where: { cptsId } });
    const rowOf = (key: string) => rows.find((r) => r.idempotencyKey === key)!;

    for (const c of captured) {
      const parsed = await simpleParser(c.raw);
      const key = parsed.subject === "Lettre de mars" ? "id:newsletter" : "id:relance";
      // VERP: the envelope sender names the outbox row
      expect(c.mailFrom).toBe(`rebonds+${rowOf(key).id}@cpts-demo.fr`);
      expect(parsed.from?.value[0]).toEqual({ name: "Coordination CPTS Val de Loire", address: "contact@cpts-demo.fr" });
      expect(parsed.replyTo?.value[0]?.address).toBe("coordination@cpts-val-de-loire.fr");
      expect(parsed.messageId).toMatch(/@cpts-demo\.fr>?$/);
      // every mail kind has an HTML and a text part
      expect(parsed.html).toBeTruthy();
      expect(parsed.text).toBeTruthy();
      const lu = rawHeader(c.raw, "list-unsubscribe");
      expect(lu).toMatch(/<https:\/\/coordo\.exemple\.fr\/desabonnement\/[^>]+>/);
      expect(lu).toMatch(/<mailto:rebonds@cpts-demo\.fr\?subject=[^>]+>/);
      expect(rawHeader(c.raw, "list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
      if (key === "id:newsletter") {
        expect(rawHeader(c.raw, "precedence")).toBe("bulk");
        expect(rawHeader(c.raw, "list-id")).toBe("CPTS du Val de Loire <val-de-loire.lettre.cpts-demo.fr>");
        expect(rawHeader(c.raw, "auto-submitted")).toBe("");
      } else {
        expect(rawHeader(c.raw, "auto-submitted")).toBe("auto-generated");
        expect(rawHeader(c.raw, "precedence")).toBe("");
      }
      const v = await dkimVerify(c.raw, { resolver } as Parameters<typeof dkimVerify>[1]);
      expect(v.results).toHaveLength(1);
      expect(v.results[0]!.status.result).toBe("pass");
      expect(v.results[0]!.signingDomain).toBe("cpts-demo.fr");
    }
  });

  it("un mail altéré après signature ne passe plus DKIM (le contrôle n'est pas complaisant)", async () => {
    const raw = captured[0]!.raw.replace("Bonjour", "Bonsoir");
    const v = await dkimVerify(raw, { resolver } as Parameters<typeof dkimVerify>[1]);
    expect(v.results[0]!.status.result).not.toBe("pass");
  });
});
