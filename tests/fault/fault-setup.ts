// Shared setup of the in-process fault tests: a CPTS with a coordinator and members, reminders in the
// outbox, the production sender (src/mail) with short delays, a captured log, and a drain loop.
import { loadConfig } from "../../src/config.ts";
import { systemClock, type AppContext } from "../../src/app/context.ts";
import { createLogger } from "../../src/log.ts";
import { enqueueMessages, type OutboxDraft } from "../../src/app/services/outbox.ts";
import { createSender } from "../../src/mail/component.ts";
import { smtpTransport } from "../../src/mail/transport.ts";
import type { OutboxSender } from "../../src/mail/sender.ts";
import type { Db } from "../../src/db/client.ts";
import type { Sink } from "../../bench/smtp-sink.ts";

export const MAIL_FROM = "CPTS des Pannes <contact@cpts-pannes.fr>";

export interface FaultWorld {
  cptsId: string;
  coordinatorEmail: string;
  recipients: string[];
  memberIds: string[];
}

export async function seedWorld(db: Db, slug: string, count: number): Promise<FaultWorld> {
  const cpts = await db.cpts.create({ data: { slug, name: `CPTS ${slug}`, population: 30_000 } });
  const coordinatorEmail = `coordination@${slug}.fr`;
  await db.member.create({ data: { cptsId: cpts.id, lastName: "Coordination", email: coordinatorEmail, roles: { create: [{ role: "COORDONNATEUR" }] } } });
  const recipients: string[] = [];
  const memberIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const email = `adherent${i}@${slug}.fr`;
    const m = await db.member.create({ data: { cptsId: cpts.id, firstName: "Adhérent", lastName: `N${i}`, email, roles: { create: [{ role: "ADHERENT" }] } } });
    recipients.push(email);
    memberIds.push(m.id);
  }
  const drafts: OutboxDraft[] = recipients.map((to, i) => ({
    cptsId: cpts.id, idempotencyKey: `relance:${memberIds[i]}:2026:1`, channel: "MAIL", kind: "relance", recipient: to, memberId: memberIds[i],
    subject: "Votre cotisation 2026", bodyText: "Bonjour,\n\nVotre cotisation 2026 n'est pas encore réglée.\n",
  }));
  await db.$transaction((tx) => enqueueMessages(tx, drafts), { timeout: 60_000 });
  return { cptsId: cpts.id, coordinatorEmail, recipients, memberIds };
}

export function faultContext(db: Db, url: string, engine: AppContext["engine"], sinkPort: number) {
  const lines: string[] = [];
  const config = loadConfig({ MAIL_FROM, SMTP_URL: `smtp://127.0.0.1:${sinkPort}`, SMTP_POOL_SIZE: "3", PUBLIC_URL: "https://coordo.exemple.fr", DATABASE_URL: url });
  const ctx: AppContext = { config, db, engine, log: createLogger("debug", (l) => lines.push(l)), clock: systemClock };
  return { ctx, lines };
}

export function fastSender(ctx: AppContext, overrides: { leaseMs?: number } = {}): { sender: OutboxSender; close(): void } {
  const transport = smtpTransport(ctx.config, { socketTimeoutMs: 5_000 });
  const { sender } = createSender(ctx, { transport, leaseMs: overrides.leaseMs ?? 2_000, pollMs: 10, backoffBaseMs: 10, backoffMaxMs: 40 });
  return { sender, close: () => transport?.close() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Drains until no row is waiting, in flight or due for a retry (bounded). */
export async function drainUntilSettled(db: Db, sender: OutboxSender, cptsId: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await sender.drainAll();
    const open = await db.outboxMessage.count({ where: { cptsId, state: { in: ["EN_ATTENTE", "EN_COURS", "ECHEC_TEMPORAIRE"] } } });
    if (open === 0) return;
    if (Date.now() > end) throw new Error(`${open} message(s) toujours en attente après ${timeoutMs} ms`);
    await sleep(20);
  }
}

/** Accepted messages per recipient at the server: raw count and distinct Message-IDs. */
export function delivered(sink: Sink): Map<string, { raw: number; ids: Set<string | null> }> {
  const out = new Map<string, { raw: number; ids: Set<string | null> }>();
  for (const m of sink.messages) {
    for (const to of m.to) {
      const e = out.get(to) ?? { raw: 0, ids: new Set() };
      e.raw++;
      e.ids.add(m.messageId);
      out.set(to, e);
    }
  }
  return out;
}

