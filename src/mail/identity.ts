// Who a mail comes from and what it carries besides its body, decided at send time for every message:
// - From: the operator's verified address (MAIL_FROM), with the CPTS's display name; Reply-To its coordination.
// - Return-Path (SMTP envelope sender): a VERP address per message, `<bounce local>+<outbox id>@<domain>`, so a
//   bounce that comes back later names the row it is about (see bounces.ts).
// - Auto-Submitted on automatic mail (RFC 3834), Precedence and List-Id on newsletters (RFC 2919); the
//   List-Unsubscribe headers (RFC 2369 / 8058) are written by the services that enqueue bulk mail.
// - X-Mailin-custom (Brevo) and X-MJ-CustomID (Mailjet) carry the outbox id: their webhooks echo it back.
import { readFileSync } from "node:fs";
import type { Config } from "../config.ts";

export interface CptsMailIdentity {
  slug: string;
  name: string;
  senderName: string | null;
  replyTo: string | null;
  contactEmail: string | null;
}

export interface ComposedHeaders {
  from: { name: string; address: string };
  replyTo?: string;
  envelope?: { from: string; to: string };
  headers: Record<string, string>;
}

/** Kinds written by a person and sent to a list (everything else coordo sends is automatic). */
export const NEWSLETTER_KINDS: ReadonlySet<string> = new Set(["newsletter"]);

/** "Name <a@b.fr>" or "a@b.fr" → its parts (the address lower-cased in its domain only). */
export function parseMailbox(value: string): { name: string | undefined; address: string } {
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(value);
  const address = (m ? m[2]! : value).trim();
  const name = m?.[1]?.trim() || undefined;
  return { name, address };
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}

/** `rebonds@cpts.fr` + token → `rebonds+<token>@cpts.fr`. */
export function verpAddress(bounceAddress: string, token: string): string {
  const at = bounceAddress.lastIndexOf("@");
  return `${bounceAddress.slice(0, at)}+${token}${bounceAddress.slice(at)}`;
}

/** The token of a VERP address of this bounce mailbox, or null. */
export function verpToken(bounceAddress: string, address: string): string | null {
  const at = bounceAddress.lastIndexOf("@");
  const local = bounceAddress.slice(0, at).toLowerCase();
  const domain = bounceAddress.slice(at + 1).toLowerCase();
  const m = /^([^@+\s]+)\+([A-Za-z0-9_-]+)@([^@\s>]+)$/.exec(parseMailbox(address).address);
  if (!m || m[1]!.toLowerCase() !== local || m[3]!.toLowerCase() !== domain) return null;
  return m[2]!;
}

/** A List-Id label: dot-atom text only. */
function listLabel(slug: string): string {
  return slug.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "cpts";
}

/** A List-Id description as plain ASCII words (kept readable, never encoded around the <id>). */
function asciiPhrase(v: string): string {
  return v.normalize("NFD").replace(/[^\x20-\x7e]/g, "").replace(/[^A-Za-z0-9 '-]+/g, " ").replace(/\s+/g, " ").trim() || "Lettre";
}

function headerText(v: string): string {
  return v.replace(/[\r\n"<>]+/g, " ").trim();
}

export function composeHeaders(
  msg: { id: string; kind: string; recipient: string; headers: Record<string, string> | null },
  identity: CptsMailIdentity | null,
  opts: { mailFrom: string; bounceAddress?: string },
): ComposedHeaders {
  const from = parseMailbox(opts.mailFrom);
  const name = headerText(identity?.senderName || identity?.name || from.name || "coordo");
  const headers: Record<string, string> = { ...(msg.headers ?? {}) };
  if (NEWSLETTER_KINDS.has(msg.kind)) {
    headers["Precedence"] = "bulk";
    if (identity) headers["List-Id"] = `${asciiPhrase(identity.name)} <${listLabel(identity.slug)}.lettre.${domainOf(from.address)}>`;
  } else {
    headers["Auto-Submitted"] = "auto-generated";
  }
  headers["X-Mailin-custom"] = msg.id;
  headers["X-MJ-CustomID"] = msg.id;
  const replyTo = identity?.replyTo || identity?.contactEmail || undefined;
  return {
    from: { name, address: from.address },
    ...(replyTo ? { replyTo } : {}),
    ...(opts.bounceAddress ? { envelope: { from: verpAddress(opts.bounceAddress, msg.id), to: msg.recipient } } : {}),
    headers,
  };
}

/** nodemailer's `dkim` option from DKIM_DOMAIN, DKIM_SELECTOR, DKIM_PRIVATE_KEY (all three, or none). */
export function dkimOptions(config: Pick<Config, "DKIM_DOMAIN" | "DKIM_SELECTOR" | "DKIM_PRIVATE_KEY">): { domainName: string; keySelector: string; privateKey: string } | undefined {
  const { DKIM_DOMAIN: domainName, DKIM_SELECTOR: keySelector, DKIM_PRIVATE_KEY: key } = config;
  if (!domainName || !keySelector || !key) return undefined;
  const privateKey = key.includes("-----BEGIN") ? key.replace(/\\n/g, "\n") : readFileSync(key, "utf8");
  return { domainName, keySelector, privateKey };
}
