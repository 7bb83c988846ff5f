// Public links put in mails (preferences / one-click unsubscribe), built from PUBLIC_URL.
import { publicUrl, type Config } from "../config.ts";

export type PreferenceType = "newsletter" | "relances" | "alertes";
export const PREFERENCE_TYPES: readonly PreferenceType[] = ["newsletter", "relances", "alertes"];

export function unsubscribeUrl(config: Config, token: string, type: PreferenceType): string {
  return `${publicUrl(config)}/desabonnement/${encodeURIComponent(token)}?type=${type}`;
}

/** RFC 2369 + RFC 8058 headers: mail clients show "unsubscribe" and POST "List-Unsubscribe=One-Click". */
export function listUnsubscribeHeaders(config: Config, token: string, type: PreferenceType): Record<string, string> {
  return { "List-Unsubscribe": `<${unsubscribeUrl(config, token, type)}>`, "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" };
}
