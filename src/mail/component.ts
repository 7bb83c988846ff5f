// The outbox sender wired to the database, SMTP (or capture when SMTP_URL is empty) and the registered chat
// notifiers; the "envois" component that runs it in the background is in src/app/mail-components.ts.
import { OutboxRepository } from "../db/repos/outbox-repo.ts";
import { chatNotifierFor, consoleChatNotifier, type ChatNotifier, type MailContext } from "./ports.ts";
import { OutboxSender, type SenderOptions } from "./sender.ts";
import { smtpTransport, type MailTransport } from "./transport.ts";
import { MailCircuitRepository, MailWorkerRepository } from "../db/repos/mail-circuit-repo.ts";
import { mailComposer } from "./composer.ts";

/**
 * `scope.keys`: this sender claims only the rows with these idempotency keys (see `collectEnqueued`); the
 * caller may change them between drains (same sender, same SMTP connections).
 */
export function createSender(
  ctx: MailContext,
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

/** The sender `coordo start` runs in the background (the "envois" component), or none. */
export function setRunningSender(sender: OutboxSender | undefined): void {
  running = sender;
}

/** Wakes the running sender (a job or a command just enqueued messages); no-op outside `coordo start`. */
export function pokeSender(): void {
  running?.poke();
}
