// The sender's `compose` hook: each CPTS's mail identity (display name, Reply-To) read from the database (cpts-repo.ts),
// kept a minute (an edit in the admin applies to the next batch), then composeHeaders (identity.ts).
import type { MailContext } from "./ports.ts";
import type { ClaimedMessage } from "../db/repos/outbox-repo.ts";
import { composeHeaders, type CptsMailIdentity } from "./identity.ts";
import { cptsMailIdentity } from "../db/repos/cpts-repo.ts";
import type { SenderOptions } from "./sender.ts";

const TTL_MS = 60_000;

export function mailComposer(ctx: Pick<MailContext, "db" | "config">): NonNullable<SenderOptions["compose"]> {
  const cache = new Map<string, { at: number; identity: Promise<CptsMailIdentity | null> }>();
  const identityOf = (cptsId: string): Promise<CptsMailIdentity | null> => {
    const hit = cache.get(cptsId);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.identity;
    const identity = cptsMailIdentity(ctx.db, cptsId);
    identity.catch(() => cache.delete(cptsId));
    cache.set(cptsId, { at: Date.now(), identity });
    return identity;
  };
  return async (msg: ClaimedMessage) =>
    composeHeaders(msg, await identityOf(msg.cptsId), { mailFrom: ctx.config.MAIL_FROM, bounceAddress: ctx.config.BOUNCE_ADDRESS });
}
