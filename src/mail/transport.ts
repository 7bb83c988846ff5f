// SMTP through nodemailer's pooled transport (one message in flight per connection), and the
// classification of its errors: 5xx = permanent, 4xx and connection errors = temporary.
import nodemailer from "nodemailer";
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
  close(): void;
}

export function smtpTransport(config: Config, opts: { smtpUrl?: string; poolSize?: number; socketTimeoutMs?: number } = {}): MailTransport | null {
  const url = opts.smtpUrl ?? config.SMTP_URL;
  if (!url) return null;
  const u = new URL(url);
  const transport = nodemailer.createTransport({
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
    ...(dkimOptions(config) ? { dkim: dkimOptions(config) } : {}),
  });
  return {
    async send(mail) {
      const info = await transport.sendMail({
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
    close: () => transport.close(),
  };
}

export interface SendFailure {
  permanent: boolean;
  /** The refusal concerns the recipient's address (flag it invalid). */
  recipientRefused: boolean;
  message: string;
}

export function classifySmtpError(e: unknown): SendFailure {
  const err = e as { responseCode?: number; code?: string; command?: string; response?: string; message?: string };
  const code = err.responseCode;
  const message = (err.response ?? err.message ?? String(e)).slice(0, 500);
  if (code !== undefined && code >= 500 && code < 600 && err.code !== "EAUTH") {
    return { permanent: true, recipientRefused: err.code === "EENVELOPE" || /RCPT|DATA/i.test(err.command ?? ""), message };
  }
  return { permanent: false, recipientRefused: false, message };
}
