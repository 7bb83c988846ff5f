// Interactive console on stdin, started by `coordo start` when no Discord/Slack token is set and
// stdin is a terminal (or CONSOLE_CHAT=1). Never blocks or crashes when stdin is not a TTY.
import { createInterface } from "node:readline";
import type { Component } from "../../app/components.ts";
import type { AppContext } from "../../app/context.ts";
import { UserError } from "../../app/errors.ts";
import { registerChatNotifier, consoleChatNotifier } from "../../app/chat-notifier.ts";
import { ConsoleChat, type ConsoleSession } from "./adapter.ts";
import { renderText } from "./render.ts";
import { holdTerminalLog } from "../../log.ts";
import type { Reply } from "../../../commands/types.ts";

export function consoleWanted(ctx: AppContext, stdinIsTty = Boolean(process.stdin.isTTY)): boolean {
  if (ctx.config.CONSOLE_CHAT === false) return false;
  if (ctx.config.CONSOLE_CHAT === true) return true;
  const platformToken = ctx.config.DISCORD_TOKEN || ctx.config.SLACK_BOT_TOKEN;
  return !platformToken && stdinIsTty;
}

const HELP =
  "Console de chat coordo. Tapez une commande (/aide), le numéro d'un bouton pour le presser, " +
  ":en <e-mail> pour parler au nom d'un membre, :cpts <slug> pour changer de CPTS, :quitter pour fermer la console.";

export const consoleChatComponent: Component = {
  name: "chat-console",
  async start(ctx) {
    if (!consoleWanted(ctx)) return;
    // with the console open, chat notices (alerts) print where the operator reads
    const unregister = registerChatNotifier(consoleChatNotifier(ctx.log, (line) => process.stdout.write(`${line}\n`)));
    const chat = new ConsoleChat(ctx);
    chat.onProgress = (text) => void process.stdout.write(`⏳ ${text}\n`);
    const first = await ctx.db.member.findFirst({ where: { status: "ACTIF", roles: { some: { role: "COORDONNATEUR" } } }, select: { email: true, cpts: { select: { slug: true } } }, orderBy: { createdAt: "asc" } });
    let slug = first?.cpts.slug ?? "demo";
    let email = first?.email ?? "console@localhost";
    let session: ConsoleSession | null = null;
    let last: Reply | null = null;
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: Boolean(process.stdin.isTTY) });
    const print = (s: string): void => {
      process.stdout.write(`${s}\n`);
    };
    rl.setPrompt("coordo> ");
    let queue = Promise.resolve();
    rl.on("line", (raw) => {
      // log lines wait until the answer is printed (they never split it)
      const release = holdTerminalLog();
      queue = queue.then(async () => {
        const line = raw.trim();
        try {
          if (!line) return;
          if (line === ":quitter") return void rl.close();
          if (line.startsWith(":en ")) {
            email = line.slice(4).trim();
            session = null;
            return print(`Vous êtes maintenant ${email}.`);
          }
          if (line.startsWith(":cpts ")) {
            slug = line.slice(6).trim();
            session = null;
            return print(`CPTS : ${slug}.`);
          }
          session ??= await chat.session(slug, email);
          last = /^\d+$/.test(line) && last ? await chat.click(session, last, line) : await chat.command(session, line);
          print(renderText(last));
        } catch (e) {
          print(e instanceof UserError ? e.message : "Erreur interne de la console (voir le journal).");
          if (!(e instanceof UserError)) ctx.log.error("console de chat en erreur", { error: e });
        } finally {
          release();
          rl.prompt();
        }
      });
    });
    rl.on("error", (e) => ctx.log.warn("console de chat : entrée standard indisponible", { error: e }));
    return {
      // printed once everything is up, after the logs of the start (the prompt comes last)
      interactive() {
        print(`${HELP}\nVous êtes ${email} (CPTS ${slug}).`);
        rl.prompt();
      },
      async stop() {
        rl.close();
        await queue;
        unregister();
      },
    };
  },
};
