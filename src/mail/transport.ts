// SMTP through nodemailer's pooled transport (one message in flight per connection), and the
// classification of its errors: 5xx = permanent, 4xx and connection errors = temporary.
// Each mail is composed and DKIM-signed once (prepare.ts) and its bytes sent over nodemailer's SMTPConnection
// kept open, one message in flight per connection (raw-pool.ts).
import nodemailer from "nodemailer";
import type { Config } from "../config.ts";
import { dkimOptions } from "./identity.ts";
import { MailPreparer, type PreparedMail } from "./prepare.ts";
import { RawSmtpPool } from "./raw-pool.ts";

export type { PreparedMail } from "./prepare.ts";

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
  /**
   * Optional: composes mails into their final bytes ahead of sending (one promise per mail, in order), and
   * sends such bytes. The sender composes a batch while it sends, then sends each prepared mail.
   */
  prepareMany?(mails: readonly OutgoingMail[]): Promise<PreparedMail>[];
  sendPrepared?(mail: PreparedMail, messageId: string): Promise<{ response: string }>;
  /** Optional cheap check of the relay (connection, TLS, authentication) before a probe message. */
  verify?(): Promise<void>;
  close(): void;
}

export function smtpTransport(config: Config, opts: { smtpUrl?: string; poolSize?: number; socketTimeoutMs?: number } = {}): MailTransport | null {
  const url = opts.smtpUrl ?? config.SMTP_URL;
  if (!url) return null;
  const u = new URL(url);
  const connection = {
    host: u.hostname,
    port: Number(u.port || (u.protocol === "smtps:" ? 465 : 587)),
    secure: u.protocol === "smtps:",
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: opts.socketTimeoutMs ?? 60_000,
  };
  const auth = u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined;
  // for verify() only: messages go through the connections of `pool`
  const transport = nodemailer.createTransport({ ...connection, auth });
  // no DKIM on sending: the prepared bytes are already signed (signing them again would add a second signature)
  const pool = new RawSmtpPool(connection, auth, opts.poolSize ?? config.SMTP_POOL_SIZE);
  const preparer = new MailPreparer(dkimOptions(config));
  const sendPrepared = (p: PreparedMail, _messageId: string) => pool.send(p);
  return {
    async send(mail) {
      return sendPrepared(await preparer.prepare(mail), mail.messageId);
    },
    prepareMany: (mails) => preparer.prepareMany(mails),
    sendPrepared,
    async verify() {
      await transport.verify();
    },
    close: () => {
      pool.close();
      transport.close();
    },
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
