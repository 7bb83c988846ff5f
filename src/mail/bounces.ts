// Bounces after acceptance: with a relay, the SMTP session says 250 and the failure comes later, by mail to
// the Return-Path (a DSN, RFC 3464, or a complaint, RFC 5965) or by the relay's webhook (Brevo, Mailjet).
// Each report becomes a BounceEvent, matched to its outbox row (the VERP token of the Return-Path, the
// relay's custom id, or the Message-ID), then applied to the member:
// - hard bounce → address flagged invalid with its reason (the member page shows it);
// - soft bounce → counted;
// - spam complaint → no more bulk mail (newsletter, dues reminders);
// - unsubscribe (relay, or the List-Unsubscribe mailto) → that preference off.
import type { ParsedMail } from "mailparser";
import type { Db } from "../db/client.ts";
import { verpToken, parseMailbox } from "./identity.ts";
import { PREFERENCE_TYPES, type PreferenceType } from "./links.ts";

export type BounceKind = "hard" | "soft" | "complaint" | "unsubscribe";
export type BounceSource = "dsn" | "arf" | "mailto" | "brevo" | "mailjet";

export interface BounceEvent {
  kind: BounceKind;
  source: BounceSource;
  /** The recipient the report is about (DSN Final-Recipient, webhook email). */
  email?: string;
  /** Outbox row named by the report (VERP token or the relay's custom id). */
  outboxId?: string;
  /** Message-ID of the original message. */
  messageId?: string;
  /** Status and diagnostic, as the reporter wrote them. */
  reason: string;
  /** For unsubscribes: the member's token and the preference. */
  unsubscribe?: { token: string; type: PreferenceType };
}

const PREF_FIELD = { newsletter: "prefNewsletter", relances: "prefDuesReminders", alertes: "prefAlerts" } as const;

// ───────────────────────────── DSN / ARF parsing ─────────────────────────────

/** "Name: value" fields of a delivery-status or feedback-report part, in groups separated by blank lines. */
function fieldGroups(text: string): Record<string, string>[] {
  const groups: Record<string, string>[] = [];
  for (const block of text.replace(/\r\n/g, "\n").split(/\n\s*\n/)) {
    const fields: Record<string, string> = {};
    let last = "";
    for (const line of block.split("\n")) {
      if (/^[ \t]/.test(line) && last) fields[last] += " " + line.trim();
      else {
        const i = line.indexOf(":");
        if (i > 0) {
          last = line.slice(0, i).trim().toLowerCase();
          fields[last] = line.slice(i + 1).trim();
        }
      }
    }
    if (Object.keys(fields).length) groups.push(fields);
  }
  return groups;
}

/** "rfc822; a@b.fr" → "a@b.fr". */
function addressField(v: string | undefined): string | undefined {
  if (!v) return undefined;
  const a = (v.includes(";") ? v.slice(v.indexOf(";") + 1) : v).trim().replace(/^<|>$/g, "");
  return a.includes("@") ? a.toLowerCase() : undefined;
}

function headerOf(text: string, name: string): string | undefined {
  const unfolded = text.replace(/\r\n/g, "\n").split(/\n\n/)[0]!.replace(/\n[ \t]+/g, " ");
  const line = unfolded.split("\n").find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** Every address the mail was delivered to (the VERP address is one of them). */
function deliveryAddresses(mail: ParsedMail): string[] {
  const out: string[] = [];
  for (const h of ["delivered-to", "x-original-to", "envelope-to", "x-envelope-to", "to"]) {
    const v = mail.headers.get(h);
    if (!v) continue;
    if (typeof v === "string") out.push(...v.split(",").map((s) => parseMailbox(s).address));
    else if (typeof v === "object" && "value" in (v as object)) for (const a of (v as { value: { address?: string }[] }).value) if (a.address) out.push(a.address);
  }
  for (const line of mail.headerLines ?? []) {
    if (line.key === "delivered-to" || line.key === "x-original-to") out.push(parseMailbox(line.line.slice(line.line.indexOf(":") + 1)).address);
  }
  return out;
}

interface MimePart {
  contentType: string;
  text: string;
}

/**
 * The leaf parts of a MIME message (report parts included: mailparser folds message/delivery-status into the
 * text body, so the report is split here). Base64 and quoted-printable bodies are decoded.
 */
export function mimeParts(raw: string, depth = 0): MimePart[] {
  const sep = /\r?\n\r?\n/.exec(raw);
  const head = (sep ? raw.slice(0, sep.index) : raw).replace(/\r?\n[ \t]+/g, " ");
  const body = sep ? raw.slice(sep.index + sep[0].length) : "";
  const field = (name: string) => head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim() ?? "";
  const ctype = field("content-type") || "text/plain";
  const type = ctype.split(";")[0]!.trim().toLowerCase();
  const boundary = /boundary="?([^";]+)"?/i.exec(ctype)?.[1];
  if (type.startsWith("multipart/") && boundary && depth < 5) {
    const chunks = body.split(new RegExp(`^--${boundary.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:--)?[ \t]*\r?$`, "m")).slice(1, -1);
    return chunks.flatMap((c) => mimeParts(c.replace(/^\r?\n/, ""), depth + 1));
  }
  const cte = field("content-transfer-encoding").toLowerCase();
  const text =
    cte === "base64" ? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
    : cte === "quoted-printable" ? Buffer.from(body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8")
    : body;
  return [{ contentType: type, text }];
}

/**
 * Reads one mail of the bounce mailbox: a DSN (multipart/report; report-type=delivery-status), a complaint
 * (report-type=feedback-report) or an unsubscribe by mailto; anything else gives no event.
 */
export async function parseBounceMail(raw: Buffer | string, bounceAddress: string | undefined): Promise<BounceEvent[]> {
  // loaded on first use (~0.3 s of CPU and ~20 MB): not at every start of coordo
  const { simpleParser } = await import("mailparser");
  const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextLinks: true, skipImageLinks: true });
  const token = bounceAddress ? deliveryAddresses(mail).map((a) => verpToken(bounceAddress, a)).find(Boolean) ?? undefined : undefined;
  const parts = mimeParts(Buffer.isBuffer(raw) ? raw.toString("utf8") : raw);
  const status = parts.find((p) => /^message\/(global-)?delivery-status$/.test(p.contentType));
  const feedback = parts.find((p) => p.contentType === "message/feedback-report");
  const original = parts.find((p) => /^(text\/rfc822-headers|message\/rfc822|message\/global-headers)$/.test(p.contentType));
  const originalText = original?.text ?? "";
  const messageId = (originalText && headerOf(originalText, "message-id")) || undefined;

  if (status) {
    const groups = fieldGroups(status.text);
    const events: BounceEvent[] = [];
    for (const g of groups.slice(1).length ? groups.slice(1) : groups) {
      const email = addressField(g["final-recipient"] ?? g["original-recipient"]);
      const action = (g["action"] ?? "").toLowerCase();
      const code = (g["status"] ?? "").trim();
      if (!email || !action) continue;
      const reason = [code, g["diagnostic-code"]?.replace(/^smtp;\s*/i, "")].filter(Boolean).join(" ").slice(0, 500);
      if (action === "failed") events.push({ kind: code.startsWith("4") ? "soft" : "hard", source: "dsn", email, outboxId: token, messageId, reason });
      else if (action === "delayed") events.push({ kind: "soft", source: "dsn", email, outboxId: token, messageId, reason: reason || "remise retardée" });
    }
    return events;
  }

  if (feedback) {
    const f = fieldGroups(feedback.text)[0] ?? {};
    const type = (f["feedback-type"] ?? "").toLowerCase();
    if (type !== "abuse" && type !== "fraud" && type !== "") return [];
    const email = addressField(f["original-rcpt-to"]) ?? (originalText ? addressField(headerOf(originalText, "to")) : undefined);
    const rp = originalText ? headerOf(originalText, "return-path") : undefined;
    const outboxId = token ?? (rp && bounceAddress ? verpToken(bounceAddress, rp.replace(/^<|>$/g, "")) ?? undefined : undefined);
    return [{ kind: "complaint", source: "arf", email, outboxId, messageId, reason: `plainte pour spam (${f["user-agent"] ?? "fournisseur de messagerie"})` }];
  }

  const m = /\bdesabonnement\s+(\S+)\s+([A-Za-z0-9_-]{16,})(?=\s|$)/i.exec(mail.subject ?? "");
  if (m && (PREFERENCE_TYPES as readonly string[]).includes(m[1]!.toLowerCase())) {
    const email = mail.from?.value[0]?.address?.toLowerCase();
    return [{ kind: "unsubscribe", source: "mailto", email, reason: "désabonnement par mail (List-Unsubscribe)", unsubscribe: { token: m[2]!, type: m[1]!.toLowerCase() as PreferenceType } }];
  }
  return [];
}

// ───────────────────────────── Relay webhooks ─────────────────────────────

/** Brevo posts one event per request (transactional webhooks). */
export function brevoEvents(body: unknown): BounceEvent[] {
  const list = Array.isArray(body) ? body : [body];
  const out: BounceEvent[] = [];
  for (const e of list) {
    if (!e || typeof e !== "object") continue;
    const o = e as Record<string, unknown>;
    const event = String(o["event"] ?? "");
    const kind: BounceKind | undefined =
      event === "hard_bounce" || event === "invalid_email" ? "hard"
      : event === "soft_bounce" ? "soft"
      : event === "spam" || event === "complaint" ? "complaint"
      : event === "unsubscribed" || event === "unsubscribe" ? "unsubscribe"
      : undefined;
    const email = typeof o["email"] === "string" ? o["email"].toLowerCase() : undefined;
    if (!kind || !email) continue;
    const custom = typeof o["X-Mailin-custom"] === "string" ? o["X-Mailin-custom"] : undefined;
    const mid = typeof o["message-id"] === "string" ? o["message-id"] : undefined;
    out.push({ kind, source: "brevo", email, outboxId: custom, messageId: mid, reason: `Brevo ${event}${o["reason"] ? ` : ${String(o["reason"]).slice(0, 400)}` : ""}` });
  }
  return out;
}

/** Mailjet posts one event, or an array of them when grouping is on. */
export function mailjetEvents(body: unknown): BounceEvent[] {
  const list = Array.isArray(body) ? body : [body];
  const out: BounceEvent[] = [];
  for (const e of list) {
    if (!e || typeof e !== "object") continue;
    const o = e as Record<string, unknown>;
    const event = String(o["event"] ?? "");
    const email = typeof o["email"] === "string" ? o["email"].toLowerCase() : undefined;
    if (!email) continue;
    const hardBounce = o["hard_bounce"] === true || o["hard_bounce"] === "true";
    const kind: BounceKind | undefined =
      event === "bounce" ? (hardBounce ? "hard" : "soft")
      : event === "blocked" && o["error_related_to"] === "recipient" ? "hard"
      : event === "spam" ? "complaint"
      : event === "unsub" ? "unsubscribe"
      : undefined;
    if (!kind) continue;
    const detail = [o["error_related_to"], o["error"], o["comment"], o["source"]].filter((v) => typeof v === "string" && v).join(", ");
    out.push({ kind, source: "mailjet", email, outboxId: typeof o["CustomID"] === "string" && o["CustomID"] ? o["CustomID"] : undefined, reason: `Mailjet ${event}${detail ? ` : ${detail.slice(0, 400)}` : ""}` });
  }
  return out;
}

// ───────────────────────────── Applying an event ─────────────────────────────

export interface AppliedBounce {
  kind: BounceKind;
  /** Members changed by this event (0: unknown address, or already in that state). */
  members: number;
}

/**
 * Applies one event. The outbox row named by the report is trusted only when its recipient is the reported
 * address; without a row, every member with that address (any CPTS, not erased) is concerned.
 */
export async function applyBounceEvent(db: Db, ev: BounceEvent, now: Date): Promise<AppliedBounce> {
  const actor = `rebond:${ev.source}`;
  if (ev.kind === "unsubscribe" && ev.unsubscribe) {
    const m = await db.member.findUnique({ where: { unsubscribeToken: ev.unsubscribe.token }, select: { id: true, cptsId: true } });
    if (!m) return { kind: ev.kind, members: 0 };
    const field = PREF_FIELD[ev.unsubscribe.type];
    const r = await db.member.updateMany({ where: { id: m.id, [field]: true }, data: { [field]: false } });
    if (r.count) await db.auditLog.create({ data: { cptsId: m.cptsId, actor, action: "preferences.unsubscribe", target: ev.unsubscribe.type, details: { via: "mailto" } } });
    return { kind: ev.kind, members: r.count };
  }

  let row: { id: string; cptsId: string; memberId: string | null; recipient: string } | null = null;
  if (ev.outboxId) row = await db.outboxMessage.findUnique({ where: { id: ev.outboxId }, select: { id: true, cptsId: true, memberId: true, recipient: true } });
  if (!row && ev.messageId) {
    const mid = ev.messageId.startsWith("<") ? ev.messageId : `<${ev.messageId}>`;
    row = await db.outboxMessage.findFirst({ where: { providerId: mid, channel: "MAIL" }, select: { id: true, cptsId: true, memberId: true, recipient: true } });
  }
  const email = (ev.email ?? row?.recipient)?.toLowerCase();
  if (row && email && row.recipient.toLowerCase() !== email) row = null; // names a row of someone else: not trusted
  if (!email) return { kind: ev.kind, members: 0 };
  const members = row?.memberId
    ? await db.member.findMany({ where: { id: row.memberId, status: { not: "EFFACE" } }, select: { id: true, cptsId: true, email: true } })
    : await db.member.findMany({ where: { email: { in: [email, ev.email ?? email] }, status: { not: "EFFACE" } }, select: { id: true, cptsId: true, email: true } });
  const ids = members.filter((m) => m.email?.toLowerCase() === email).map((m) => m.id);
  if (ids.length === 0) return { kind: ev.kind, members: 0 };

  let changed = 0;
  if (ev.kind === "hard") {
    changed = (await db.member.updateMany({ where: { id: { in: ids }, emailInvalid: false }, data: { emailInvalid: true, emailInvalidAt: now, emailInvalidReason: `rejet après acceptation : ${ev.reason}`.slice(0, 500) } })).count;
    if (row) await db.outboxMessage.update({ where: { id: row.id }, data: { lastError: `rejet après acceptation : ${ev.reason}`.slice(0, 500) } });
  } else if (ev.kind === "soft") {
    changed = (await db.member.updateMany({ where: { id: { in: ids } }, data: { softBounces: { increment: 1 } } })).count;
  } else if (ev.kind === "complaint") {
    changed = (await db.member.updateMany({ where: { id: { in: ids } }, data: { emailComplainedAt: now, prefNewsletter: false, prefDuesReminders: false } })).count;
  } else {
    changed = (await db.member.updateMany({ where: { id: { in: ids }, prefNewsletter: true }, data: { prefNewsletter: false } })).count;
  }
  if (changed && ev.kind !== "soft") {
    const action = { hard: "member.email_bounced", complaint: "member.spam_complaint", unsubscribe: "preferences.unsubscribe" }[ev.kind];
    await db.auditLog.createMany({
      data: members.filter((m) => ids.includes(m.id)).map((m) => ({ cptsId: m.cptsId, actor, action, target: m.id, details: { reason: ev.reason, outboxId: row?.id ?? null } })),
    });
  }
  return { kind: ev.kind, members: changed };
}
