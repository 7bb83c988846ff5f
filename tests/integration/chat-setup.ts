// Shared set-up of the chat tests: the demo CPTS on a fresh database, a fixed clock, a console session per member.
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { createLogger, type Logger } from "../../src/log.ts";
import { ConsoleChat } from "../../src/chat/console/adapter.ts";
import { renderText } from "../../src/chat/console/render.ts";
import type { Reply } from "../../commands/types.ts";

export const TODAY = "2026-11-23";

export interface ChatWorld {
  t: TestDb;
  app: AppContext;
  chat: ConsoleChat;
  cptsId: string;
  logs: string[];
  /** Runs a command as `email` in `slug` and returns the reply and its text rendering. */
  say(email: string, line: string, slug?: string): Promise<{ reply: Reply; text: string }>;
  /** Runs a command then presses buttons by label in turn. */
  flow(email: string, line: string, clicks: string[], slug?: string): Promise<{ replies: Reply[]; text: string }>;
  close(): Promise<void>;
}

export async function chatWorld(): Promise<ChatWorld> {
  const t = await createTestDb();
  const demo = await loadDemo(t.db, TODAY);
  const logs: string[] = [];
  const log: Logger = createLogger("debug", (l) => logs.push(l));
  const app: AppContext = { config: loadConfig({}), db: t.db, engine: t.engine, log, clock: fixedClock(`${TODAY}T10:00:00+01:00`) };
  const chat = new ConsoleChat(app);
  const flow = async (email: string, line: string, clicks: string[], slug = "demo") => {
    const s = await chat.session(slug, email);
    const replies = [await chat.command(s, line)];
    for (const c of clicks) replies.push(await chat.click(s, replies, c));
    return { replies, text: replies.map((r) => renderText(r)).join("\n---\n") };
  };
  return {
    t,
    app,
    chat,
    cptsId: demo.cptsId,
    logs,
    async say(email, line, slug) {
      const { replies, text } = await flow(email, line, [], slug);
      return { reply: replies[0]!, text };
    },
    flow,
    close: () => t.cleanup(),
  };
}

export const COORDO = "coordination@cpts-demo.fr";
export const PRESIDENCE = "presidence@cpts-demo.fr";
