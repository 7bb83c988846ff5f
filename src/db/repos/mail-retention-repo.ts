// Personal data in stored mail. The outbox keeps what the audit needs (who, when, what kind, subject, state,
// Message-ID) for ever, but a message's body only for MAIL_BODY_RETENTION_DAYS after it was sent (or failed,
// or was cancelled); erasing a member (RGPD) scrubs their name and address from every stored message at once.
import type { Db, Tx } from "../client.ts";

const FINAL_UNSENT = ["ECHEC", "ANNULE"] as const;

export function reducedBody(days: number): string {
  return `[Contenu retiré après ${days} jours de conservation : l'audit garde le destinataire, l'objet, le type, les dates et l'état.]`;
}

/** Bodies of messages sent (or final) more than `days` ago are reduced; returns how many (would be). */
export async function reduceOldMailBodies(db: Db, now: Date, days: number, opts: { dryRun?: boolean } = {}): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  const where = {
    bodyReducedAt: null,
    OR: [{ state: "ENVOYE" as const, sentAt: { lt: cutoff } }, { state: { in: [...FINAL_UNSENT] }, createdAt: { lt: cutoff } }],
  };
  if (opts.dryRun) return db.outboxMessage.count({ where });
  const r = await db.outboxMessage.updateMany({ where, data: { bodyText: reducedBody(days), bodyHtml: null, bodyReducedAt: now } });
  return r.count;
}

/** What replaces an erased member's name or address in stored text (safe inside JSON and CSV). */
export const ERASED = "[personne effacée]";

export interface ErasureMatcher {
  /** Candidates for a case-sensitive LIKE: each needle and its common casings. */
  variants: string[];
  /** The text with every needle (any case) replaced by ERASED. */
  scrub(text: string): string;
}

/** Finds an erased member's name (both orders), organization, address, and last name of 3+ letters in stored text. */
export function erasureMatcher(member: { firstName: string | null; lastName: string | null; organization: string | null; email: string | null }): ErasureMatcher | null {
  const full = [member.firstName, member.lastName].filter(Boolean).join(" ").trim();
  const reversed = [member.lastName, member.firstName].filter(Boolean).join(" ").trim();
  const needles = [...new Set([full, reversed, member.organization ?? "", member.email ?? "", (member.lastName ?? "").length >= 3 ? member.lastName! : ""])]
    .map((s) => s.trim())
    .filter((s) => s.length >= 3)
    .sort((a, b) => b.length - a.length);
  if (needles.length === 0) return null;
  const pattern = new RegExp(needles.map(escapeRe).join("|"), "gi");
  return { variants: [...new Set(needles.flatMap((n) => [n, n.toLowerCase(), n.toUpperCase()]))], scrub: (text) => text.replace(pattern, ERASED) };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Removes a member's name and address from every stored message: their own messages lose their body (and
 * recipient), other messages that name them (failure notices to the coordination, lists...) get the name and
 * address replaced. Runs inside the erasure transaction.
 */
export async function scrubMemberFromOutbox(
  tx: Tx,
  cptsId: string,
  member: { id: string; firstName: string | null; lastName: string | null; organization: string | null; email: string | null },
  now: Date,
): Promise<number> {
  const own = await tx.outboxMessage.updateMany({
    where: { cptsId, memberId: member.id },
    data: { bodyText: "[Contenu effacé : membre effacé (RGPD).]", bodyHtml: null, bodyReducedAt: now },
  });
  const m = erasureMatcher(member);
  if (!m) return own.count;
  const rows = await tx.outboxMessage.findMany({
    where: {
      cptsId,
      OR: m.variants.flatMap((v) => [{ bodyText: { contains: v } }, { bodyHtml: { contains: v } }, { subject: { contains: v } }, { recipient: { contains: v } }]),
    },
    select: { id: true, bodyText: true, bodyHtml: true, subject: true, recipient: true, channel: true },
  });
  for (const r of rows) {
    const scrub = m.scrub;
    await tx.outboxMessage.update({
      where: { id: r.id },
      data: {
        bodyText: scrub(r.bodyText),
        bodyHtml: r.bodyHtml === null ? null : scrub(r.bodyHtml),
        subject: r.subject === null ? null : scrub(r.subject),
        ...(member.email && r.recipient.toLowerCase() === member.email.toLowerCase() ? { recipient: "efface@invalid" } : {}),
      },
    });
  }
  return own.count + rows.length;
}
