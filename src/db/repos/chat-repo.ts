// Chat workspaces, identities, delivery dedupe and pending button actions. Every read that can
// reach tenant data is scoped by cptsId.
import { randomBase64url } from "../../random-pool.ts";
import type { Db } from "../client.ts";
import { isUniqueViolation } from "../client.ts";
import { Prisma } from "../generated/postgres/client.ts";
import type { ChatPlatform } from "../../../commands/types.ts";
import { MEMBER_COLUMNS, memberFromRows, type MemberRow, type MemberWithRoles } from "./member-repo.ts";
import { datedRows, directExecute } from "../direct-read.ts";

export interface WorkspaceRow {
  id: string;
  platform: ChatPlatform;
  externalId: string;
  cptsId: string;
  alertChannelId: string | null;
  commandsHash: string | null;
  cpts: { id: string; slug: string; name: string; paymentLink: string | null; paymentInstructions: string | null; contactEmail: string | null };
}

export interface IdentityRow {
  id: string;
  userId: string;
  displayName: string | null;
  memberId: string | null;
  linkCode: string | null;
  linkEmail: string | null;
  linkExpires: Date | null;
}

/** What every chat request needs first: the workspace (with its CPTS), the caller's identity, their member record. */
export interface ResolvedCaller {
  workspace: WorkspaceRow;
  /** null when this user never wrote in this workspace. */
  identity: IdentityRow | null;
  /** The identity's member, in the workspace's own CPTS only. */
  member: MemberWithRoles | null;
}

export interface NewAction {
  cptsId: string;
  kind: string;
  payload: Record<string, unknown>;
  createdBy: string;
  expiresAt: Date;
}

/**
 * A pending action's (or a delivery's) id: the creation time in milliseconds (9 base-36 digits, so ids sort
 * by time) then 120 random bits, URL-safe; 29 characters, within Discord's 100-character custom ids with the
 * command and action names. Time first: the rows of one answer (an /echeances and its 20 buttons) land side
 * by side in the primary key's index, two or three pages written instead of one page per button (0.53 →
 * 0.31 ms for one such insert, measured on the national set). The random part alone keeps it unguessable.
 */
export const newActionId = () => `${Date.now().toString(36).padStart(9, "0")}${randomBase64url(15)}`;

type ResolveRow = MemberRow & {
  wId: string; platform: ChatPlatform; externalId: string; cptsId: string; alertChannelId: string | null; commandsHash: string | null;
  cSlug: string; cName: string; cPaymentLink: string | null; cPaymentInstructions: string | null; cContactEmail: string | null;
  iId: string | null; iUserId: string | null; iDisplayName: string | null; iMemberId: string | null; iLinkCode: string | null; iLinkEmail: string | null; iLinkExpires: Date | null;
};

// The statements every chat request runs (delivery claim, caller resolution, pending actions) go outside Prisma's
// queries (direct-read.ts): prepared once on SQLite and run under the adapter's lock, by pg on PostgreSQL. A Prisma
// query costs its compilation and interpretation (~1-3 ms of CPU each on SQLite, ≈ 0.4 ms of compilation on
// PostgreSQL), a prepared statement microseconds. Before the first connection, Prisma.

const cptsSelect = { id: true, slug: true, name: true, paymentLink: true, paymentInstructions: true, contactEmail: true } as const;

export class ChatRepository {
  constructor(private readonly db: Db) {}

  findWorkspace(platform: ChatPlatform, externalId: string): Promise<WorkspaceRow | null> {
    return this.db.chatWorkspace.findUnique({
      where: { platform_externalId: { platform, externalId } },
      select: { id: true, platform: true, externalId: true, cptsId: true, alertChannelId: true, commandsHash: true, cpts: { select: cptsSelect } },
    }) as Promise<WorkspaceRow | null>;
  }

  listWorkspaces(platform: ChatPlatform): Promise<WorkspaceRow[]> {
    return this.db.chatWorkspace.findMany({
      where: { platform },
      select: { id: true, platform: true, externalId: true, cptsId: true, alertChannelId: true, commandsHash: true, cpts: { select: cptsSelect } },
    }) as Promise<WorkspaceRow[]>;
  }

  /**
   * Workspace + CPTS + identity + member + roles in ONE query (one row per role): the first read of
   * every chat request. Same scoping as findWorkspace → identity → MemberRepository.findById.
   */
  async resolve(platform: ChatPlatform, externalId: string, userId: string): Promise<ResolvedCaller | null> {
    const q = Prisma.sql`SELECT w."id" AS "wId", w."platform", w."externalId", w."cptsId", w."alertChannelId", w."commandsHash",
        c."slug" AS "cSlug", c."name" AS "cName", c."paymentLink" AS "cPaymentLink", c."paymentInstructions" AS "cPaymentInstructions", c."contactEmail" AS "cContactEmail",
        i."id" AS "iId", i."userId" AS "iUserId", i."displayName" AS "iDisplayName", i."memberId" AS "iMemberId", i."linkCode" AS "iLinkCode",
        i."linkEmail" AS "iLinkEmail", i."linkExpires" AS "iLinkExpires", ${MEMBER_COLUMNS}
      FROM "ChatWorkspace" w
      JOIN "Cpts" c ON c."id" = w."cptsId"
      LEFT JOIN "ChatIdentity" i ON i."workspaceId" = w."id" AND i."userId" = ${userId}
      LEFT JOIN "Member" m ON m."id" = i."memberId" AND m."cptsId" = w."cptsId"
      LEFT JOIN "MemberRole" r ON r."memberId" = m."id"
      WHERE w."platform" = ${platform} AND w."externalId" = ${externalId}
      ORDER BY r."id"`;
    const rows = await datedRows<ResolveRow>(this.db, q);
    const f = rows[0];
    if (!f) return null;
    return {
      workspace: {
        id: f.wId, platform: f.platform, externalId: f.externalId, cptsId: f.cptsId, alertChannelId: f.alertChannelId, commandsHash: f.commandsHash,
        cpts: { id: f.cptsId, slug: f.cSlug, name: f.cName, paymentLink: f.cPaymentLink, paymentInstructions: f.cPaymentInstructions, contactEmail: f.cContactEmail },
      },
      identity: f.iId === null
        ? null
        : {
            id: f.iId, userId: f.iUserId!, displayName: f.iDisplayName, memberId: f.iMemberId, linkCode: f.iLinkCode, linkEmail: f.iLinkEmail,
            // read straight from SQLite: the stored text
            linkExpires: typeof f.iLinkExpires === "string" ? new Date(f.iLinkExpires) : f.iLinkExpires,
          },
      member: memberFromRows(rows),
    };
  }

  /** Links a workspace (guild, team, console) to a CPTS; refuses one already linked to another CPTS. */
  async linkWorkspace(platform: ChatPlatform, externalId: string, cptsId: string, name?: string): Promise<{ created: boolean; otherCptsId?: string }> {
    const existing = await this.db.chatWorkspace.findUnique({ where: { platform_externalId: { platform, externalId } } });
    if (existing) return existing.cptsId === cptsId ? { created: false } : { created: false, otherCptsId: existing.cptsId };
    await this.db.chatWorkspace.create({ data: { platform, externalId, cptsId, name } });
    return { created: true };
  }

  /** The console workspace of a CPTS (created on first use). */
  async consoleWorkspace(cptsId: string, slug: string): Promise<WorkspaceRow> {
    const found = await this.db.chatWorkspace.findFirst({ where: { platform: "CONSOLE", cptsId }, select: { externalId: true } });
    if (found) return (await this.findWorkspace("CONSOLE", found.externalId))!;
    await this.linkWorkspace("CONSOLE", `console-${slug}`, cptsId, "Console locale");
    return (await this.findWorkspace("CONSOLE", `console-${slug}`))!;
  }

  setCommandsHash(workspaceId: string, hash: string): Promise<unknown> {
    return this.db.chatWorkspace.update({ where: { id: workspaceId }, data: { commandsHash: hash } });
  }

  async identity(workspaceId: string, userId: string, displayName?: string): Promise<IdentityRow> {
    const select = { id: true, userId: true, displayName: true, memberId: true, linkCode: true, linkEmail: true, linkExpires: true } as const;
    const found = await this.db.chatIdentity.findUnique({ where: { workspaceId_userId: { workspaceId, userId } }, select });
    if (found) return found;
    try {
      return await this.db.chatIdentity.create({ data: { workspaceId, userId, displayName }, select });
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return (await this.db.chatIdentity.findUnique({ where: { workspaceId_userId: { workspaceId, userId } }, select }))!;
    }
  }

  /** Links an identity to a member of the workspace's own CPTS (the caller checked the tenant). */
  linkIdentity(identityId: string, memberId: string): Promise<unknown> {
    return this.db.chatIdentity.update({ where: { id: identityId }, data: { memberId, linkCode: null, linkEmail: null, linkExpires: null, linkAttempts: 0 } });
  }

  /**
   * A new code for the identity. The wrong-tries counter is NOT reset by a new code (asking for
   * codes again would give unlimited guesses): it starts again only when `resetAttempts`.
   */
  setLinkCode(identityId: string, data: { linkCode: string; linkEmail: string; linkExpires: Date }, resetAttempts: boolean): Promise<unknown> {
    return this.db.chatIdentity.update({ where: { id: identityId }, data: { ...data, ...(resetAttempts ? { linkAttempts: 0 } : {}) } });
  }

  /** No code any more (an address that is not a member's): counter and dates untouched. */
  forgetLinkCode(identityId: string, linkEmail: string): Promise<unknown> {
    return this.db.chatIdentity.update({ where: { id: identityId }, data: { linkCode: null, linkEmail } });
  }

  /**
   * Takes one try of the identity's current link code, atomically: false when there is no code
   * or its `max` tries are used up (parallel guesses cannot exceed `max` comparisons).
   */
  async takeLinkAttempt(identityId: string, max: number): Promise<{ ok: boolean; attempts: number }> {
    const r = await this.db.chatIdentity.updateMany({ where: { id: identityId, linkCode: { not: null }, linkAttempts: { lt: max } }, data: { linkAttempts: { increment: 1 } } });
    const row = await this.db.chatIdentity.findUnique({ where: { id: identityId }, select: { linkAttempts: true } });
    return { ok: r.count === 1, attempts: row?.linkAttempts ?? 0 };
  }

  /** Forgets the link code (too many wrong tries); its expiry stays, it dates the lock-out. */
  clearLinkCode(identityId: string): Promise<unknown> {
    return this.db.chatIdentity.update({ where: { id: identityId }, data: { linkCode: null } });
  }

  /** Records a platform delivery; false when it was already seen (retry, duplicate click). */
  async claimDelivery(platform: ChatPlatform, externalId: string): Promise<boolean> {
    // one statement, no exception on a duplicate (which would also abort a PostgreSQL transaction)
    const q = Prisma.sql`INSERT INTO "ChatInteraction" ("id", "platform", "externalId", "createdAt")
      VALUES (${newActionId()}, ${platform}, ${externalId}, ${new Date()}) ON CONFLICT ("platform", "externalId") DO NOTHING`;
    return (await directExecute(this.db, q)) === 1;
  }

  /** Stores several pending actions in one statement (ids chosen by the caller with newActionId). */
  async createActions(rows: (NewAction & { id: string })[]): Promise<void> {
    if (rows.length === 0) return;
    const now = new Date();
    const values = rows.map((r) => Prisma.sql`(${r.id}, ${r.cptsId}, ${r.kind}, ${JSON.stringify(r.payload)}, ${r.createdBy}, ${r.expiresAt}, ${now})`);
    const q = Prisma.sql`INSERT INTO "ChatAction" ("id", "cptsId", "kind", "payload", "createdBy", "expiresAt", "createdAt") VALUES ${Prisma.join(values)}`;
    await directExecute(this.db, q);
  }

  findAction(cptsId: string, id: string) {
    return this.db.chatAction.findFirst({ where: { id, cptsId } });
  }

  /** Marks a one-shot action used; false when another press already consumed it. */
  async consumeAction(cptsId: string, id: string, at: Date): Promise<boolean> {
    const r = await this.db.chatAction.updateMany({ where: { id, cptsId, usedAt: null }, data: { usedAt: at } });
    return r.count === 1;
  }
}
