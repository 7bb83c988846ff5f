// Public links put in mails (preferences / one-click unsubscribe), built from PUBLIC_URL.
import { publicUrl, type Config } from "../config.ts";
import { parseMailbox } from "./identity.ts";

export type PreferenceType = "newsletter" | "relances" | "alertes";
export const PREFERENCE_TYPES: readonly PreferenceType[] = ["newsletter", "relances", "alertes"];

export function unsubscribeUrl(config: Config, token: string, type: PreferenceType): string {
  return `${publicUrl(config)}/desabonnement/${encodeURIComponent(token)}?type=${type}`;
}

/** Subject of the mailto unsubscribe: the bounce mailbox reader (bounces.ts) acts on it. */
export function unsubscribeSubject(token: string, type: PreferenceType): string {
  return `desabonnement ${type} ${token}`;
}

/**
 * RFC 2369 + RFC 8058 headers: mail clients show "unsubscribe" and POST "List-Unsubscribe=One-Click" to the https
 * link; the mailto goes to the bounce mailbox (BOUNCE_ADDRESS, read by coordo) or else to MAIL_FROM.
 */
export function listUnsubscribeHeaders(config: Config, token: string, type: PreferenceType): Record<string, string> {
  const mailbox = config.BOUNCE_ADDRESS ?? parseMailbox(config.MAIL_FROM).address;
  const mailto = `mailto:${mailbox}?subject=${encodeURIComponent(unsubscribeSubject(token, type))}`;
  return { "List-Unsubscribe": `<${unsubscribeUrl(config, token, type)}>, <${mailto}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}
