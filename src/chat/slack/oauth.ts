// « Ajouter à Slack » (OAuth v2 with @slack/oauth's InstallProvider) and « Ajouter à Discord »
// (bot invite): both started from the admin CPTS page, both come back to the admin with a `state`
// bound to the coordinator's admin session and CPTS, and link the installed workspace / guild to
// that CPTS. Loaded only when a coordinator clicks (Bolt's client is heavy).
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { AppContext } from "../../app/context.ts";
import { UserError } from "../../app/errors.ts";
import { ChatRepository } from "../../db/repos/chat-repo.ts";
import { publicUrl } from "../../config.ts";

/** What the bot needs: slash commands, posting (alerts), files and DMs for personal files, channel checks. */
export const SLACK_BOT_SCOPES = ["commands", "chat:write", "chat:write.public", "files:write", "im:write", "channels:read", "groups:read"];
const STATE_MINUTES = 15;

export const slackRedirectPath = "/admin/chat/slack/retour";
export const discordRedirectPath = "/admin/chat/discord/retour";

/** `<payload>.<hmac>`: the CPTS, a hash of the admin session, an expiry and a nonce, signed. */
export function makeState(secret: string, cptsId: string, sessionId: string, now: Date): string {
  const payload = Buffer.from(JSON.stringify({ c: cptsId, s: createHash("sha256").update(sessionId).digest("base64url").slice(0, 22), e: now.getTime() + STATE_MINUTES * 60_000, n: randomBytes(9).toString("base64url") })).toString("base64url");
  return `${payload}.${createHmac("sha256", secret).update(payload).digest("base64url")}`;
}

/** The CPTS of a state made for this very admin session and not expired; null otherwise. */
export function readState(secret: string, state: string, sessionId: string, now: Date): string | null {
  const [payload, mac] = state.split(".");
  if (!payload || !mac || state.length > 600) return null;
  const expected = Buffer.from(createHmac("sha256", secret).update(payload).digest("base64url"));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const p = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { c: string; s: string; e: number };
    if (p.e < now.getTime()) return null;
    if (p.s !== createHash("sha256").update(sessionId).digest("base64url").slice(0, 22)) return null;
    return typeof p.c === "string" ? p.c : null;
  } catch {
    return null;
  }
}

export interface SlackOAuthConfig {
  clientId: string;
  clientSecret: string;
  stateSecret: string;
  secretKey: string;
  slackApiUrl?: string;
}

export function slackOAuthConfig(ctx: AppContext): SlackOAuthConfig | null {
  const c = ctx.config;
  if (!c.SLACK_CLIENT_ID || !c.SLACK_CLIENT_SECRET || !c.COORDO_SECRET_KEY) return null;
  return { clientId: c.SLACK_CLIENT_ID, clientSecret: c.SLACK_CLIENT_SECRET, stateSecret: c.SLACK_STATE_SECRET ?? c.COORDO_SECRET_KEY, secretKey: c.COORDO_SECRET_KEY, slackApiUrl: c.SLACK_API_URL };
}

async function provider(ctx: AppContext, o: SlackOAuthConfig) {
  const [{ InstallProvider }, { DbSlackInstallations }] = await Promise.all([import("@slack/oauth"), import("./installations.ts")]);
  const store = new DbSlackInstallations(ctx.db, o.secretKey);
  const installer = new InstallProvider({ clientId: o.clientId, clientSecret: o.clientSecret, stateSecret: o.stateSecret, installationStore: store, clientOptions: o.slackApiUrl ? { slackApiUrl: o.slackApiUrl } : {} });
  return { installer, store };
}

/** The slack.com authorize URL for this coordinator's session (the button of the admin page). */
export async function slackInstallUrl(ctx: AppContext, o: SlackOAuthConfig, cptsId: string, sessionId: string): Promise<string> {
  const { installer } = await provider(ctx, o);
  return installer.generateInstallUrl({ scopes: SLACK_BOT_SCOPES, redirectUri: `${publicUrl(ctx.config)}${slackRedirectPath}` }, true, makeState(o.stateSecret, cptsId, sessionId, ctx.clock.now()));
}

/**
 * The return from slack.com: state checked against the admin session, code exchanged with
 * oauth.v2.access (as InstallProvider.handleCallback does), the installation stored through the
 * InstallationStore, the workspace linked to the coordinator's CPTS. French UserError otherwise.
 */
export async function completeSlackInstall(ctx: AppContext, o: SlackOAuthConfig, q: { code?: string; state?: string; error?: string }, session: { id: string; cptsId: string }): Promise<{ teamId: string; teamName: string }> {
  if (q.error) throw new UserError("Installation annulée sur Slack : rien n'a été relié.");
  const cptsId = q.state ? readState(o.stateSecret, q.state, session.id, ctx.clock.now()) : null;
  if (!cptsId || cptsId !== session.cptsId) throw new UserError("Ce retour de Slack ne correspond pas à votre session (lien expiré ou ouvert ailleurs) : relancez « Ajouter à Slack » depuis la page CPTS.");
  if (!q.code || q.code.length > 300) throw new UserError("Réponse de Slack incomplète : relancez « Ajouter à Slack ».");
  const { installer, store } = await provider(ctx, o);
  const { webApi } = await import("@slack/bolt");
  const client = new webApi.WebClient(undefined, o.slackApiUrl ? { slackApiUrl: o.slackApiUrl } : {});
  let r: Awaited<ReturnType<typeof client.oauth.v2.access>>;
  try {
    r = await client.oauth.v2.access({ client_id: o.clientId, client_secret: o.clientSecret, code: q.code, redirect_uri: `${publicUrl(ctx.config)}${slackRedirectPath}` });
  } catch (e) {
    ctx.log.warn("échange du code OAuth Slack refusé", { error: e });
    throw new UserError("Slack a refusé l'installation (code expiré ou déjà utilisé) : relancez « Ajouter à Slack ».");
  }
  const teamId = r.team?.id;
  if (!r.ok || !teamId || !r.access_token || r.token_type !== "bot") throw new UserError("Slack n'a pas donné de jeton de bot : relancez « Ajouter à Slack ».");
  const chat = new ChatRepository(ctx.db);
  const existing = await chat.findWorkspace("SLACK", teamId);
  if (existing && existing.cptsId !== cptsId) throw new UserError("Cet espace Slack est déjà relié à une autre CPTS : un espace ne sert qu'une CPTS.");
  await store.storeInstallation({
    team: { id: teamId, name: r.team?.name }, enterprise: r.enterprise ? { id: r.enterprise.id!, name: r.enterprise.name } : undefined, appId: r.app_id,
    user: { id: r.authed_user?.id ?? "", token: undefined, scopes: undefined },
    bot: { id: "", userId: r.bot_user_id ?? "", token: r.access_token, scopes: (r.scope ?? "").split(",").filter(Boolean) },
    tokenType: "bot", isEnterpriseInstall: r.is_enterprise_install ?? false, authVersion: "v2",
  });
  void installer;
  await chat.linkWorkspace("SLACK", teamId, cptsId, r.team?.name);
  return { teamId, teamName: r.team?.name ?? teamId };
}

/** Discord's bot invite (OAuth2 `bot applications.commands`), coming back with the guild id. */
export function discordInviteUrl(ctx: AppContext, cptsId: string, sessionId: string): string | null {
  const c = ctx.config;
  if (!c.DISCORD_APPLICATION_ID || !c.COORDO_SECRET_KEY) return null;
  const u = new URL("https://discord.com/oauth2/authorize");
  u.searchParams.set("client_id", c.DISCORD_APPLICATION_ID);
  u.searchParams.set("scope", "bot applications.commands");
  // Send Messages, Attach Files, Embed Links, View Channel
  u.searchParams.set("permissions", String((1 << 11) | (1 << 15) | (1 << 14) | (1 << 10)));
  u.searchParams.set("redirect_uri", `${publicUrl(c)}${discordRedirectPath}`);
  u.searchParams.set("response_type", "code");
  u.searchParams.set("state", makeState(c.COORDO_SECRET_KEY, cptsId, sessionId, ctx.clock.now()));
  return u.toString();
}

/**
 * The return of the Discord invite: the guild (guild_id of the OAuth2 callback) linked to the
 * session's CPTS, and its commands registered at once over REST (same hash as at start) when the
 * bot token is set; `commands` says so in French for the admin.
 */
export async function completeDiscordInvite(ctx: AppContext, q: { guild_id?: string; state?: string; error?: string }, session: { id: string; cptsId: string }): Promise<{ guild: string; commands: string }> {
  const secret = ctx.config.COORDO_SECRET_KEY;
  if (q.error) throw new UserError("Ajout annulé sur Discord : rien n'a été relié.");
  const cptsId = secret && q.state ? readState(secret, q.state, session.id, ctx.clock.now()) : null;
  if (!cptsId || cptsId !== session.cptsId) throw new UserError("Ce retour de Discord ne correspond pas à votre session (lien expiré ou ouvert ailleurs) : relancez « Ajouter à Discord » depuis la page CPTS.");
  if (!q.guild_id || !/^\d{5,25}$/.test(q.guild_id)) throw new UserError("Discord n'a pas indiqué de serveur : relancez « Ajouter à Discord ».");
  const r = await new ChatRepository(ctx.db).linkWorkspace("DISCORD", q.guild_id, cptsId);
  if (r.otherCptsId) throw new UserError("Ce serveur Discord est déjà relié à une autre CPTS : un serveur ne sert qu'une CPTS.");
  return { guild: q.guild_id, commands: await registerInvitedGuild(ctx, q.guild_id) };
}

async function registerInvitedGuild(ctx: AppContext, guild: string): Promise<string> {
  const { DISCORD_TOKEN: token, DISCORD_APPLICATION_ID: applicationId, DISCORD_API_URL: apiBase } = ctx.config;
  if (!token || !applicationId) return "ses commandes y seront enregistrées quand coordo démarrera avec DISCORD_TOKEN.";
  // discord.js is loaded only here (the admin does not need it otherwise)
  const { discordRest, syncGuildCommands } = await import("../discord/adapter.ts");
  const rest = discordRest(token, apiBase);
  try {
    await syncGuildCommands(new ChatRepository(ctx.db), (route, body) => rest.put(route, { body }), applicationId, guild);
    ctx.log.info("commandes Discord enregistrées", { guild });
    return "ses commandes y sont enregistrées.";
  } catch (e) {
    ctx.log.error("enregistrement des commandes Discord en erreur", { guild, error: e });
    return "l'enregistrement de ses commandes a échoué ; coordo le refera à son prochain démarrage.";
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}
