import { createHash } from "node:crypto";

/** Message-ID derived from the idempotency key: a re-send after a crash carries the same id, so it is recognisable. */
export function messageIdFor(idempotencyKey: string, mailFrom: string): string {
  const domain = /@([^>\s]+)/.exec(mailFrom)?.[1] ?? "coordo.local";
  return `<${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 40)}@${domain}>`;
}
