import { randomBytes } from "node:crypto";

/** An unguessable URL token (192 random bits): secret feed and notification URLs. */
export function secretToken(): string {
  return randomBytes(24).toString("base64url");
}
