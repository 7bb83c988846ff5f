// The mail components `coordo start` runs (src/app/components.ts):
// - "envois": drains the outbox in the background (SMTP, or capture when SMTP_URL is empty; chat notices
//   through the registered notifiers) and serves the unsubscribe and crisis one-click answer endpoints;
// - "rebonds": polls the bounce mailbox and serves the relay webhooks.
import type { Component } from "./components.ts";
import { createSender, setRunningSender } from "../mail/component.ts";
import { mountUnsubscribe } from "../mail/unsubscribe.ts";
import { mountMailWebhooks, pollBounceMailbox } from "../mail/bounce-intake.ts";
import { mountCrisisAnswer } from "../http/crisis-answer.ts";
import { addReadyCheck } from "../http/server.ts";

export const outboxComponent: Component = {
  name: "envois",
  async start(ctx, http) {
    mountUnsubscribe(http, ctx);
    mountCrisisAnswer(http, ctx);
    const { sender, transport } = createSender(ctx);
    ctx.log.info(transport ? "envois : SMTP configuré" : "envois : pas de SMTP_URL, les mails sont capturés dans l'outbox (coordo outbox)");
    sender.start();
    setRunningSender(sender);
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
        setRunningSender(undefined);
        await sender.stop();
        transport?.close();
      },
    };
  },
};

export const bounceComponent: Component = {
  name: "rebonds",
  async start(ctx, http) {
    mountMailWebhooks(http, ctx);
    const url = ctx.config.BOUNCE_IMAP_URL;
    if (!url) return;
    let stopped = false;
    let running: Promise<unknown> = Promise.resolve();
    let busy = false;
    const tick = () => {
      if (busy) return; // a slow poll is never overlapped by the next one
      busy = true;
      running = pollBounceMailbox(ctx)
        .catch((e) => ctx.log.error("rebonds : relève de la boîte impossible", { error: e }))
        .finally(() => (busy = false));
    };
    const timer = setInterval(() => {
      if (!stopped) tick();
    }, ctx.config.BOUNCE_IMAP_POLL_SECONDS * 1000);
    timer.unref?.();
    tick();
    ctx.log.info("rebonds : boîte des rebonds relevée en IMAP", { everySeconds: ctx.config.BOUNCE_IMAP_POLL_SECONDS });
    return {
      async stop() {
        stopped = true;
        clearInterval(timer);
        await running;
      },
    };
  },
};
