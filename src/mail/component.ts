// The "envois" component: drains the outbox in the background (SMTP, or capture when SMTP_URL is empty;
// chat notices through the registered notifiers) and serves the unsubscribe endpoint.
import type { Component } from "../app/components.ts";
import type { AppContext } from "../app/context.ts";
import { OutboxRepository } from "../db/repos/outbox-repo.ts";
import { chatNotifierFor, consoleChatNotifier, type ChatNotifier } from "../app/chat-notifier.ts";
import { OutboxSender, type SenderOptions } from "./sender.ts";
import { smtpTransport, type MailTransport } from "./transport.ts";
import { mountUnsubscribe } from "./unsubscribe.ts";
import { MailCircuitRepository, MailWorkerRepository } from "../db/repos/mail-circuit-repo.ts";
import { mailComposer } from "./composer.ts";
import { mountCrisisAnswer } from "./crisis-answer.ts";
import { addReadyCheck } from "../http/server.ts";

/**
 * `scope.keys`: this sender claims only the rows with these idempotency keys (see `collectEnqueued`); the
 * caller may change them between drains (same sender, same SMTP connections).
 */
export function createSender(
  ctx: AppContext,
  { scope, ...opts }: Partial<SenderOptions> & { transport?: MailTransport | null; scope?: { keys?: readonly string[] } } = {},
): { sender: OutboxSender; transport: MailTransport | null } {
  const transport = opts.transport !== undefined ? opts.transport : smtpTransport(ctx.config);
  const fallbackConsole = consoleChatNotifier(ctx.log);
  const chat = (platform: string): ChatNotifier | undefined => chatNotifierFor(platform) ?? (platform === "console" ? fallbackConsole : undefined);
  const sender = new OutboxSender(new OutboxRepository(ctx.db, scope ?? {}), transport, chat, ctx.log, {
    mailFrom: ctx.config.MAIL_FROM,
    concurrency: ctx.config.SMTP_POOL_SIZE,
    ratePerSecond: ctx.config.SMTP_RATE_PER_SECOND,
    circuit: new MailCircuitRepository(ctx.db),
    workers: new MailWorkerRepository(ctx.db),
    compose: mailComposer(ctx),
    ...opts,
  }, () => ctx.clock.now());
  return { sender, transport };
}

let running: OutboxSender | undefined;

/** Wakes the running sender (a job or a command just enqueued messages); no-op outside `coordo start`. */
export function pokeSender(): void {
  running?.poke();
}

export const outboxComponent: Component = {
  name: "envois",
  async start(ctx, http) {
    mountUnsubscribe(http, ctx);
    mountCrisisAnswer(http, ctx);
    const { sender, transport } = createSender(ctx);
    ctx.log.info(transport ? "envois : SMTP configuré" : "envois : pas de SMTP_URL, les mails sont capturés dans l'outbox (coordo outbox)");
    sender.start();
    running = sender;
    let verified: { at: number; result: { ok: boolean; [k: string]: unknown } } | undefined;
    addReadyCheck(http, "smtp", async () => {
      if (!transport) return { ok: true, etat: "capture (pas de SMTP_URL)" };
      if (!transport.verify) return { ok: true, etat: "configuré" };
      // one connection test a minute at most (a monitoring probe must not hammer the relay)
      if (!verified || Date.now() - verified.at > 60_000) {
        const result = await transport.verify().then(
          () => ({ ok: true, etat: "joignable" }),
          (e: Error) => ({ ok: false, etat: "injoignable", erreur: e.message }),
        );
        verified = { at: Date.now(), result };
      }
      return verified.result;
    });
    return {
      async stop() {
        running = undefined;
        await sender.stop();
        transport?.close();
      },
    };
  },
};
