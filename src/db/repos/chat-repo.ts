// Chat workspaces, identities, delivery dedupe and pending button actions. Every read that can
// reach tenant data is scoped by cptsId.
import type { Db } from "../client.ts";
import { isUniqueViolation } from "../client.ts";
import type { ChatPlatform } from "../../../commands/types.ts";

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

  /** A new code (or none) for the identity; the wrong-tries counter starts again. */
  setLinkCode(identityId: string, data: { linkCode: string | null; linkEmail: string | null; linkExpires: Date | null }): Promise<unknown> {
    return this.db.chatIdentity.update({ where: { id: identityId }, data: { ...data, linkAttempts: 0 } });
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

  /** Forgets the link code (too many wrong tries): a new one must be asked for. */
  clearLinkCode(identityId: string): Promise<unknown> {
    return this.db.chatIdentity.update({ where: { id: identityId }, data: { linkCode: null, linkExpires: null } });
  }

  /** Records a platform delivery; false when it was already seen (retry, duplicate click). */
  async claimDelivery(platform: ChatPlatform, externalId: string): Promise<boolean> {
    try {
      await this.db.chatInteraction.create({ data: { platform, externalId } });
      return true;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  async createAction(cptsId: string, kind: string, payload: Record<string, unknown>, createdBy: string, expiresAt: Date): Promise<string> {
    const row = await this.db.chatAction.create({ data: { cptsId, kind, payload: payload as object, createdBy, expiresAt }, select: { id: true } });
    return row.id;
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
