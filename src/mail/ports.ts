// What the mail code needs from the layers above it, defined here so that src/mail never imports src/app
// (the app sits above the mail): the handles it works with, and the port through which CHAT outbox rows
// reach a platform. Adapters (Discord, Slack, console) register one notifier per platform; the outbox
// sender looks it up by the recipient's "<platform>:<workspace>:<channel>".
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../log.ts";

/** The handles the mail code works with (the app's context satisfies it). */
export interface MailContext {
  config: Config;
  db: Db;
  log: Logger;
  clock: { now(): Date; /** Today's date in Europe/Paris, YYYY-MM-DD. */ today(): string };
}

export interface ChatNotifier {
  /** Lower-case platform name as used in outbox recipients: "discord", "slack", "console". */
  platform: string;
  /** Posts `text` in `channelRef` ({ workspace, channel }); throws on failure (the outbox retries). */
  post(channelRef: ChatChannelRef, text: string): Promise<void>;
  /** Whether the channel belongs to that workspace/guild, as the platform says (checked when an alert channel is set). */
  channelInWorkspace?(ref: { workspace: string; channel: string }): Promise<boolean>;
}

export interface ChatChannelRef {
  platform: string;
  workspace: string;
  channel: string;
}

/** Thrown by a notifier when the platform asks to slow down; the outbox retries after `retryAfterMs`. */
export class ChatRateLimited extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`limite de débit de la plateforme (réessayer dans ${retryAfterMs} ms)`);
  }
}

const registry = new Map<string, ChatNotifier>();

export function registerChatNotifier(n: ChatNotifier): () => void {
  registry.set(n.platform.toLowerCase(), n);
  return () => {
    if (registry.get(n.platform.toLowerCase()) === n) registry.delete(n.platform.toLowerCase());
  };
}

export function chatNotifierFor(platform: string): ChatNotifier | undefined {
  return registry.get(platform.toLowerCase());
}

export function chatRecipient(platform: string, workspace: string, channel: string): string {
  return `${platform.toLowerCase()}:${workspace}:${channel}`;
}

export function parseChatRecipient(recipient: string): ChatChannelRef | null {
  const [platform, workspace, ...rest] = recipient.split(":");
  if (!platform || !workspace || rest.length === 0) return null;
  return { platform: platform.toLowerCase(), workspace, channel: rest.join(":") };
}

/** The local console "platform": chat notices are written to the log (and kept in the outbox as sent). */
export function consoleChatNotifier(log: Logger, write?: (line: string) => void): ChatNotifier {
  return {
    platform: "console",
    async post(ref, text) {
      log.info("message de chat (console)", { channel: `#${ref.channel}`, text });
      write?.(`[#${ref.channel}] ${text}`);
    },
  };
}
