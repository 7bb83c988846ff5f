// The OAuth installation store of coordo's Slack app, in the database: one row per workspace with
// its own bot token, sealed at rest (see secret-box). It is both @slack/oauth's InstallationStore
// (InstallProvider) and the token source of the Slack adapter.
import type { Installation, InstallationQuery, InstallationStore } from "@slack/oauth";
import type { Db } from "../../db/client.ts";
import { openSecret, sealSecret } from "../../app/secret-box.ts";
import type { SlackTokens } from "./adapter.ts";

export class DbSlackInstallations implements InstallationStore, SlackTokens {
  constructor(
    private readonly db: Db,
    private readonly secret: string,
  ) {}

  async botToken(teamId: string): Promise<string | undefined> {
    const row = await this.db.slackInstallation.findUnique({ where: { teamId }, select: { botTokenEnc: true } });
    return row ? openSecret(this.secret, row.botTokenEnc) : undefined;
  }

  async storeInstallation(i: Installation): Promise<void> {
    const teamId = i.team?.id;
    const token = i.bot?.token;
    if (!teamId || !token) throw new Error("installation Slack sans espace ou sans jeton de bot");
    const data = {
      teamName: i.team?.name ?? null, enterpriseId: i.enterprise?.id ?? null, appId: i.appId ?? null, botUserId: i.bot?.userId ?? null,
      botTokenEnc: sealSecret(this.secret, token), scopes: (i.bot?.scopes ?? []).join(","), installedBy: i.user?.id ?? null,
    };
    await this.db.slackInstallation.upsert({ where: { teamId }, create: { teamId, ...data }, update: data });
  }

  async fetchInstallation(q: InstallationQuery<boolean>): Promise<Installation<"v2", false>> {
    const row = q.teamId ? await this.db.slackInstallation.findUnique({ where: { teamId: q.teamId } }) : null;
    if (!row) throw new Error(`aucune installation Slack pour l'espace ${q.teamId ?? "?"}`);
    return {
      team: { id: row.teamId, name: row.teamName ?? undefined }, enterprise: undefined, appId: row.appId ?? undefined, user: { id: row.installedBy ?? "", token: undefined, scopes: undefined },
      bot: { id: "", userId: row.botUserId ?? "", token: openSecret(this.secret, row.botTokenEnc), scopes: row.scopes ? row.scopes.split(",") : [] },
      tokenType: "bot", isEnterpriseInstall: false, authVersion: "v2",
    };
  }

  /** app_uninstalled / tokens_revoked: the workspace's token is forgotten (the link to the CPTS stays, for a reinstall). */
  async deleteInstallation(q: InstallationQuery<boolean>): Promise<void> {
    if (q.teamId) await this.forget(q.teamId);
  }

  async forget(teamId: string): Promise<void> {
    await this.db.slackInstallation.deleteMany({ where: { teamId } });
  }
}
