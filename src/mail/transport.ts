// SMTP through nodemailer: each mail composed once into bytes (mime.ts), sent over a pool of its SMTPConnections
// (smtp-pool.ts, one message in flight per connection); and the
// classification of its errors: 5xx = permanent, 4xx and connection errors = temporary.
import { buffer } from "node:stream/consumers";
import type MailComposerT from "nodemailer/lib/mail-composer";
import type DKIMT from "nodemailer/lib/dkim";
import type { Config } from "../config.ts";
import { dkimOptions } from "./identity.ts";
import { composeRaw, envelopeOf, loadMimeEncoders, type MimeEncoders } from "./mime.ts";
import { SmtpPool } from "./smtp-pool.ts";

export interface OutgoingMail {
  from: string | { name: string; address: string };
  to: string;
  replyTo?: string;
  /** SMTP envelope (MAIL FROM = the Return-Path, a VERP bounce address); default: From and To. */
  envelope?: { from: string; to: string };
  subject: string;
  text: string;
  html?: string;
  messageId: string;
  headers?: Record<string, string>;
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<{ response: string }>;
  /** Optional cheap check of the relay (connection, TLS, authentication) before a probe message. */
  verify?(): Promise<void>;
  close(): void;
}

export function smtpTransport(config: Config, opts: { smtpUrl?: string; poolSize?: number; socketTimeoutMs?: number } = {}): MailTransport | null {
  const url = opts.smtpUrl ?? config.SMTP_URL;
  if (!url) return null;
  const u = new URL(url);
  const dkim = dkimOptions(config); // read now: a missing key file still stops the start
  const pool = new SmtpPool({
    host: u.hostname,
    port: Number(u.port || (u.protocol === "smtps:" ? 465 : 587)),
    secure: u.protocol === "smtps:",
    ...(u.username ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } } : {}),
    maxConnections: opts.poolSize ?? config.SMTP_POOL_SIZE,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: opts.socketTimeoutMs ?? 60_000,
  });
  // nodemailer's encoders, composer and DKIM signer (~80 ms of CPU to load) are loaded at the first send
  let lib: Promise<{ enc: MimeEncoders; composer: typeof MailComposerT; signer: DKIMT | null }> | undefined;
  const library = () => (lib ??= Promise.all([loadMimeEncoders(), import("nodemailer/lib/mail-composer"), dkim ? import("nodemailer/lib/dkim") : null]).then(([enc, mc, dk]) => ({
    enc,
    composer: mc.default,
    signer: dk && dkim ? new dk.default(dkim) : null,
  })));
  return {
    async send(mail) {
      const { enc, composer, signer } = await library();
      // one pass with nodemailer's encoders; what only its full composer handles (non-ASCII addresses…) goes through it
      let raw = composeRaw(enc, mail) ?? (await new composer(nodemailerOptions(mail)).compile().build());
      if (signer) raw = await buffer(signer.sign(raw));
      return { response: await pool.send(envelopeOf(mail), raw) };
    },
    verify: () => pool.verify(),
    close: () => pool.close(),
  };
}

/** The mail as nodemailer's sendMail / MailComposer options. */
export function nodemailerOptions(mail: OutgoingMail) {
  return {
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    headers: mail.headers,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    ...(mail.envelope ? { envelope: mail.envelope } : {}),
  };
}

export interface SendFailure {
  permanent: boolean;
  /** The refusal concerns the recipient's address (flag it invalid): a 5xx answer to its RCPT TO only. */
  recipientRefused: boolean;
  /**
   * The relay refuses OUR sending, whoever the recipient: 5xx at MAIL FROM or after DATA, authentication,
   * TLS, connection refused. No address is at fault: the queue pauses (circuit breaker) instead.
   */
  senderProblem?: boolean;
  message: string;
}

/** Failures of the session itself (not of one message): the relay cannot be used at all. */
const SESSION_CODES = new Set(["EAUTH", "ENOAUTH", "EOAUTH2", "ETLS", "EREQUIRETLS", "EDNS", "ECONFIG", "EPROXY"]);
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN/;

export function classifySmtpError(e: unknown): SendFailure {
  const err = e as { responseCode?: number; code?: string; command?: string; response?: string; message?: string };
  const code = err.responseCode;
  const command = (err.command ?? "").toUpperCase();
  const message = ([command && command !== "CONN" && command !== "API" ? `${command} :` : "", err.response ?? err.message ?? String(e)].filter(Boolean).join(" ")).slice(0, 500);
  if (err.code && SESSION_CODES.has(err.code)) return { permanent: false, recipientRefused: false, senderProblem: true, message };
  if (UNREACHABLE.test(`${err.message ?? ""} ${(e as { errno?: unknown }).errno ?? ""}`)) return { permanent: false, recipientRefused: false, senderProblem: true, message };
  if (code !== undefined && code >= 500 && code < 600) {
    // Only a refusal of the recipient at RCPT TO is about the address; at MAIL FROM, DATA (content) or
    // anywhere else the relay refuses our sending, whoever the recipient is.
    if (command === "RCPT TO") return { permanent: true, recipientRefused: true, message };
    return { permanent: false, recipientRefused: false, senderProblem: true, message };
  }
  return { permanent: false, recipientRefused: false, message };
}
