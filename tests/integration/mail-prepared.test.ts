// The mails composed ahead (worker thread) and sent raw are the bytes nodemailer composed when it sent each
// mail itself: same envelope (VERP Return-Path), same headers (Message-ID, List-Unsubscribe, Reply-To...),
// same body, one DKIM signature over the same signed headers. Only Date and the MIME boundaries (random) differ.
import { describe, it, expect, afterAll } from "vitest";
import { SMTPServer } from "smtp-server";
import nodemailer from "nodemailer";
import { generateKeyPairSync } from "node:crypto";
import type { AddressInfo } from "node:net";
import { smtpTransport } from "../../src/mail/transport.ts";
import { nodemailerInput } from "../../src/mail/prepare.ts";
import type { Config } from "../../src/config.ts";

const got: { from: string; to: string[]; data: string }[] = [];
const server = new SMTPServer({
  authOptional: true, disabledCommands: ["STARTTLS", "AUTH"], logger: false,
  onData(stream, s, cb) {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => {
      got.push({ from: s.envelope.mailFrom ? s.envelope.mailFrom.address : "", to: s.envelope.rcptTo.map((r) => r.address), data: Buffer.concat(chunks).toString("utf8") });
      cb();
    });
  },
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const dkim = { domainName: "cpts-essai.fr", keySelector: "coordo", privateKey: pem };
const mail = {
  from: { name: "CPTS Éléonore", address: "relances@cpts-essai.fr" },
  to: "adherent@exemple-sante.fr",
  replyTo: "coordination@cpts-essai.fr",
  envelope: { from: "rebonds+a1b2c3@cpts-essai.fr", to: "adherent@exemple-sante.fr" },
  subject: "Votre cotisation 2026 — rappel",
  text: "Bonjour Élise,\nvotre cotisation 2026 n'est pas encore enregistrée.\n".repeat(30),
  html: "<p>Bonjour Élise, votre cotisation 2026 n'est pas encore enregistrée.</p>".repeat(30),
  messageId: "<0123456789abcdef@cpts-essai.fr>",
  headers: { "List-Unsubscribe": "<https://coordo.cpts-essai.fr/desabonnement/t?type=relances>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click", "Auto-Submitted": "auto-generated", "X-Mailin-custom": "row1", "X-MJ-CustomID": "row1" },
};

/** The received message with what is random or time-dependent blanked: Date, boundaries, the signature and body hash (over the boundaries). */
function comparable(data: string): string {
  let out = data.replace(/^Date: .*$/m, "Date: —");
  [...new Set([...data.matchAll(/boundary="([^"]+)"/g)].map((m) => m[1]!))].forEach((b, i) => (out = out.split(b).join(`LIMITE${i}`)));
  return out.replace(/\bbh=[A-Za-z0-9+/=]+;/, "bh=—;").replace(/\bb=[A-Za-z0-9+/=\s]+(?=;|\r\n\S)/, "b=—");
}

describe("mails composés d'avance (fil de composition, envoi brut)", () => {
  it("envoie les mêmes octets que nodemailer composant lui-même : enveloppe VERP, en-têtes, corps, signature DKIM", async () => {
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.server.address() as AddressInfo).port;
    const before = nodemailer.createTransport({ pool: true, host: "127.0.0.1", port, secure: false, ignoreTLS: true, maxMessages: Infinity, dkim });
    await before.sendMail(nodemailerInput(mail));
    before.close();
    const config = { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_POOL_SIZE: 2, DKIM_DOMAIN: dkim.domainName, DKIM_SELECTOR: dkim.keySelector, DKIM_PRIVATE_KEY: pem } as unknown as Config;
    const now = smtpTransport(config)!;
    try {
      const [a] = now.prepareMany!([mail]);
      await now.sendPrepared!(await a!, mail.messageId);
      await now.send(mail);
    } finally {
      now.close();
    }
    expect(got).toHaveLength(3);
    for (const g of got) {
      expect(g.from).toBe("rebonds+a1b2c3@cpts-essai.fr");
      expect(g.to).toEqual(["adherent@exemple-sante.fr"]);
      expect(g.data.match(/^DKIM-Signature:/gm)).toHaveLength(1);
      expect(g.data).toMatch(/^Message-ID: <0123456789abcdef@cpts-essai\.fr>\r$/m);
    }
    expect(comparable(got[1]!.data)).toBe(comparable(got[0]!.data));
    expect(comparable(got[2]!.data)).toBe(comparable(got[0]!.data));
  });
});
