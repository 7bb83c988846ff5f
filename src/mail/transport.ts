// SMTP through nodemailer's pooled transport (one message in flight per connection), and the
// classification of its errors: 5xx = permanent, 4xx and connection errors = temporary.
import type { Transporter } from "nodemailer";
import type { Config } from "../config.ts";
import { dkimOptions } from "./identity.ts";

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
  // nodemailer (~80 ms of CPU to load) is loaded at the first send or check, not when coordo starts
  let pooled: Promise<Transporter> | undefined;
  const transport = () => (pooled ??= import("nodemailer").then(({ default: nodemailer }) => nodemailer.createTransport({
    pool: true,
    host: u.hostname,
    port: Number(u.port || (u.protocol === "smtps:" ? 465 : 587)),
    secure: u.protocol === "smtps:",
    auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    maxConnections: opts.poolSize ?? config.SMTP_POOL_SIZE,
    maxMessages: Infinity,
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: opts.socketTimeoutMs ?? 60_000,
    ...(dkim ? { dkim } : {}),
  })));
  return {
    async send(mail) {
      const info = await (await transport()).sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        headers: mail.headers,
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        ...(mail.envelope ? { envelope: mail.envelope } : {}),
      });
      return { response: String(info.response ?? "") };
    },
    async verify() {
      await (await transport()).verify();
    },
    close: () => void pooled?.then((t) => t.close()),
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
