// The two bounce intakes (the "rebonds" component in src/app/mail-components.ts runs them):
// - the bounce mailbox (BOUNCE_IMAP_URL), polled over IMAP every BOUNCE_IMAP_POLL_SECONDS: each unread mail is
//   parsed (bounces.ts), applied, then marked read (kept in the mailbox for the audit);
// - the relay webhooks POST /webhooks/mail/brevo/<secret> and /webhooks/mail/mailjet/<secret>
//   (MAIL_WEBHOOK_SECRET): a wrong secret gets 404 and changes nothing.
import { timingSafeEqual, createHash } from "node:crypto";
import type { Hono } from "hono";
import type { MailContext } from "./ports.ts";
import { applyBounceEvent, brevoEvents, mailjetEvents, parseBounceMail, type BounceEvent, type BounceKind } from "./bounces.ts";

export interface BounceCounts {
  lus: number;
  rebonds_definitifs: number;
  rebonds_temporaires: number;
  plaintes: number;
  desabonnements: number;
  sans_suite: number;
}

const emptyCounts = (): BounceCounts => ({ lus: 0, rebonds_definitifs: 0, rebonds_temporaires: 0, plaintes: 0, desabonnements: 0, sans_suite: 0 });
const COUNT_OF: Record<BounceKind, keyof BounceCounts> = { hard: "rebonds_definitifs", soft: "rebonds_temporaires", complaint: "plaintes", unsubscribe: "desabonnements" };

async function applyAll(ctx: MailContext, events: BounceEvent[], counts: BounceCounts): Promise<void> {
  if (events.length === 0) counts.sans_suite++;
  for (const ev of events) {
    const r = await applyBounceEvent(ctx.db, ev, ctx.clock.now());
    if (r.members > 0 || ev.kind === "soft") counts[COUNT_OF[ev.kind]]++;
    else counts.sans_suite++;
  }
}

function imapOptions(url: string) {
  const u = new URL(url);
  const secure = u.protocol === "imaps:";
  return {
    mailbox: decodeURIComponent(u.pathname.replace(/^\//, "")) || "INBOX",
    options: {
      host: u.hostname,
      port: Number(u.port || (secure ? 993 : 143)),
      secure,
      auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
      logger: false as const,
      // a plain imap:// URL is for a mailbox on the same host (tests, local Dovecot): no STARTTLS upgrade forced
      ...(secure ? {} : { doSTARTTLS: false }),
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 60_000,
    },
  };
}

/** One poll of the bounce mailbox: every unread mail is read, applied and marked read. */
export async function pollBounceMailbox(ctx: MailContext, url = ctx.config.BOUNCE_IMAP_URL): Promise<BounceCounts> {
  const counts = emptyCounts();
  if (!url) return counts;
  const { mailbox, options } = imapOptions(url);
  // loaded only when a bounce mailbox is configured (~0.3 s of CPU and ~20 MB at start otherwise)
  const { ImapFlow } = await import("imapflow");
  const client = new ImapFlow(options);
  client.on("error", (e: unknown) => ctx.log.warn("rebonds : erreur IMAP", { error: e }));
  await client.connect();
  try {
    const lock = await client.getMailboxLock(mailbox);
    try {
      const unseen = await client.search({ seen: false }, { uid: true });
      for (const uid of unseen || []) {
        const msg = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (!msg || !msg.source) continue;
        counts.lus++;
        let events: BounceEvent[] = [];
        try {
          events = await parseBounceMail(msg.source, ctx.config.BOUNCE_ADDRESS);
        } catch (e) {
          // an unreadable mail must not block the others: it is marked read and logged
          ctx.log.warn("rebonds : mail illisible, ignoré", { uid, error: e });
        }
        // a database error stops the poll before the mail is marked read: the next poll applies it
        await applyAll(ctx, events, counts);
        await client.messageFlagsAdd(String(uid), ["\\Seen"], { uid: true });
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout().catch(() => client.close());
  }
  if (counts.lus) ctx.log.info("rebonds : boîte relevée", { ...counts });
  return counts;
}

function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export function mountMailWebhooks(app: Hono, ctx: MailContext): void {
  const parsers = { brevo: brevoEvents, mailjet: mailjetEvents } as const;
  app.post("/webhooks/mail/:provider/:secret", async (c) => {
    const secret = ctx.config.MAIL_WEBHOOK_SECRET;
    const provider = c.req.param("provider") as keyof typeof parsers;
    if (!secret || !sameSecret(c.req.param("secret"), secret) || !Object.hasOwn(parsers, provider)) return c.text("Introuvable", 404);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.text("Corps JSON invalide", 400);
    }
    const counts = emptyCounts();
    await applyAll(ctx, parsers[provider](body), counts);
    ctx.log.info(`rebonds : webhook ${provider}`, { ...counts });
    // 200 even for events without effect: the relay must not retry them forever
    return c.json({ ok: true });
  });
}
