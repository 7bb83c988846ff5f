// Discord: the gateway (discord.js, when DISCORD_TOKEN is set) and the HTTP interactions endpoint
// (POST /discord/interactions, Ed25519-verified with DISCORD_PUBLIC_KEY). Both answer within the
// 3-second window: the reply itself when ready in time, otherwise an ephemeral defer then an edit
// (a public reply is then posted as a follow-up). No direct messages: channel posts and mail only.
import { createPublicKey, verify, type KeyObject } from "node:crypto";
import type { Context, Hono } from "hono";
import { z } from "zod";
import { limitBody } from "../../http/limits.ts";
import { AttachmentBuilder, Client, Events, GatewayIntentBits, REST, Routes, type Interaction } from "discord.js";
import type { AppContext } from "../../app/context.ts";
import type { ActionRequest, CommandRequest, Dispatcher, DispatchResult } from "../../app/dispatcher.ts";
import { ChatRepository } from "../../db/repos/chat-repo.ts";
import { ChatRateLimited, registerChatNotifier, type ChatNotifier } from "../../app/chat-notifier.ts";
import { commands } from "../../../commands/index.ts";
import { modalSubmission, type OptionValues, type Reply } from "../../../commands/types.ts";
import { commandsHash, discordCommands } from "./definitions.ts";
import { EPHEMERAL, NO_MENTIONS, escapeDiscord, renderDiscord, renderDiscordModal, type DiscordMessage } from "./render.ts";

export const REPLY_DEADLINE_MS = 2000;
const DEFAULT_API = "https://discord.com/api/v10";

/**
 * discord.js's REST client (per-route rate-limit buckets, 429 + Retry-After handled, retries) for
 * `apiBase` ("…/api/v10"; tests point it at a local fake of Discord's REST API).
 */
export function discordRest(token: string | undefined, apiBase: string = DEFAULT_API): REST {
  const m = /^(.*)\/v(\d+)\/?$/.exec(apiBase);
  const rest = new REST({ version: m?.[2] ?? "10", api: m?.[1] ?? apiBase.replace(/\/$/, ""), retries: 2, timeout: 10_000 });
  return token ? rest.setToken(token) : rest;
}

const InteractionType = { PING: 1, COMMAND: 2, COMPONENT: 3, AUTOCOMPLETE: 4, MODAL_SUBMIT: 5 } as const;
const Callback = { PONG: 1, MESSAGE: 4, DEFERRED_MESSAGE: 5, UPDATE_MESSAGE: 7, AUTOCOMPLETE: 8, MODAL: 9 } as const;

/** Ed25519 public key from the hex form shown in the Discord developer portal. */
export function discordPublicKey(hex: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from(hex, "hex")]), format: "der", type: "spki" });
}

/** Like Slack: a signed request older (or newer) than 5 minutes is a replay and refused. */
export const DISCORD_MAX_SKEW_SECONDS = 300;

/** The checks that need no body: signature form and a timestamp within 5 minutes of now. */
export function precheckDiscordHeaders(signatureHex: string | undefined, timestamp: string | undefined, nowSeconds: number): "ok" | "signature" | "perime" {
  if (!signatureHex || !timestamp || !/^[0-9a-f]{128}$/i.test(signatureHex) || !/^\d{1,12}$/.test(timestamp)) return "signature";
  return Math.abs(nowSeconds - Number(timestamp)) > DISCORD_MAX_SKEW_SECONDS ? "perime" : "ok";
}

export function verifyDiscordRequest(key: KeyObject, signatureHex: string | undefined, timestamp: string | undefined, rawBody: string): boolean {
  if (!signatureHex || !timestamp || !/^[0-9a-f]{128}$/i.test(signatureHex)) return false;
  try {
    return verify(null, Buffer.from(timestamp + rawBody), key, Buffer.from(signatureHex, "hex"));
  } catch {
    return false;
  }
}

/** Waits for the dispatch up to the deadline; null when it is still running (always null for a deadline of 0). */
async function withinDeadline(p: Promise<DispatchResult>, ms: number): Promise<DispatchResult | null> {
  if (ms <= 0) return null;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

interface RawInteraction {
  id: string;
  application_id: string;
  type: number;
  token: string;
  guild_id?: string;
  channel_id?: string;
  member?: { user: { id: string; username?: string } };
  user?: { id: string; username?: string };
  data?: {
    name?: string;
    options?: { name: string; value?: string | number | boolean; focused?: boolean }[];
    custom_id?: string;
    /** Modal submit: action rows of text inputs. */
    components?: { type: number; components?: { custom_id: string; value?: string }[] }[];
  };
}

const snowflake = z.string().min(1).max(64);
const userShape = z.object({ id: snowflake, username: z.string().max(200).optional() });
const optionValue = z.union([z.string().max(8000), z.number(), z.boolean()]);
/** The fields of an interaction coordo reads; a signed body that does not fit gets 400, never 500. */
const interactionSchema = z.object({
  id: snowflake,
  application_id: snowflake,
  type: z.number().int(),
  token: z.string().min(1).max(1000),
  guild_id: snowflake.optional(),
  channel_id: snowflake.optional(),
  member: z.object({ user: userShape }).optional(),
  user: userShape.optional(),
  data: z
    .object({
      name: z.string().max(100).optional(),
      options: z.array(z.object({ name: z.string().max(100), value: optionValue.optional(), focused: z.boolean().optional() })).max(25).optional(),
      custom_id: z.string().max(100).optional(),
      components: z.array(z.object({ type: z.number(), components: z.array(z.object({ custom_id: z.string().max(100), value: z.string().max(4000).optional() })).max(5).optional() })).max(5).optional(),
    })
    .optional(),
});

function toRequest(i: RawInteraction): CommandRequest | ActionRequest {
  const user = i.member?.user ?? i.user!;
  const base = { platform: "DISCORD" as const, workspaceExternalId: i.guild_id ?? `dm:${user.id}`, userId: user.id, displayName: user.username, channelId: i.channel_id, deliveryId: i.id };
  if (i.type === InteractionType.COMPONENT) return { ...base, type: "action", buttonId: i.data?.custom_id ?? "" };
  if (i.type === InteractionType.MODAL_SUBMIT) {
    const values = Object.fromEntries((i.data?.components ?? []).flatMap((row) => row.components ?? []).map((c) => [c.custom_id, c.value]));
    const { command, options } = modalSubmission(i.data?.custom_id ?? "", values);
    return { ...base, type: "command", command, options, form: true };
  }
  const options: OptionValues = Object.fromEntries((i.data?.options ?? []).map((o) => [o.name, o.value]));
  return { ...base, type: "command", command: i.data?.name ?? "", options };
}

function multipart(body: Record<string, unknown>, reply: Reply): FormData {
  const form = new FormData();
  form.append("payload_json", JSON.stringify(body));
  form.append("files[0]", new Blob([reply.file!.content], { type: reply.file!.mime }), reply.file!.name);
  return form;
}

export interface DiscordHttpOptions {
  publicKey: string;
  /** Discord REST base for follow-ups (tests point it at a local capture server). */
  apiBase?: string;
  deadlineMs?: number;
}

export function mountDiscordInteractions(ctx: AppContext, http: Hono, dispatcher: Dispatcher, opts: DiscordHttpOptions) {
  const key = discordPublicKey(opts.publicKey);
  // interaction webhooks need no bot token (auth: false); the same client handles their rate limits
  const rest = discordRest(undefined, opts.apiBase);
  const webhook = async (i: RawInteraction, method: "PATCH" | "POST", path: "" | "/messages/@original", reply: Reply, extra: Partial<DiscordMessage> = {}) => {
    const body = { ...renderDiscord(reply), ...extra };
    const route = path ? Routes.webhookMessage(i.application_id, i.token, "@original") : Routes.webhook(i.application_id, i.token);
    const files = reply.file ? [{ name: reply.file.name, data: Buffer.from(reply.file.content), contentType: reply.file.mime }] : undefined;
    try {
      await (method === "PATCH" ? rest.patch(route, { body, files, auth: false }) : rest.post(route, { body, files, auth: false }));
    } catch (e) {
      ctx.log.warn("réponse différée Discord refusée", { error: e });
    }
  };

  const malformed = (c: Context, what: string) => {
    ctx.log.warn("interaction Discord signée mais mal formée", { what });
    return c.text("Interaction mal formée.", 400);
  };
  http.post("/discord/interactions", limitBody(), async (c) => {
    const signature = c.req.header("x-signature-ed25519");
    const timestamp = c.req.header("x-signature-timestamp");
    // headers and clock first: a request that cannot be valid is refused before its body is read
    const pre = precheckDiscordHeaders(signature, timestamp, Math.floor(Date.now() / 1000));
    if (pre !== "ok") return c.text(pre === "perime" ? "Requête périmée." : "Signature invalide.", 401);
    const raw = await c.req.text();
    if (!verifyDiscordRequest(key, signature, timestamp, raw)) return c.text("Signature invalide.", 401);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return malformed(c, "JSON illisible");
    }
    const checked = interactionSchema.safeParse(parsed);
    if (!checked.success) return malformed(c, "forme");
    const i = checked.data as RawInteraction;
    if (i.type === InteractionType.PING) return c.json({ type: Callback.PONG });
    if (!i.member?.user && !i.user) return malformed(c, "utilisateur absent");
    if (i.type === InteractionType.AUTOCOMPLETE) {
      const focused = i.data?.options?.find((o) => o.focused);
      let choices: { label: string; value: string }[] = [];
      try {
        if (focused && i.guild_id) choices = await dispatcher.suggest("DISCORD", i.guild_id, i.data?.name ?? "", focused.name, String(focused.value ?? ""));
      } catch (e) {
        ctx.log.error("autocomplétion Discord en erreur", { error: e });
      }
      return c.json({ type: Callback.AUTOCOMPLETE, data: { choices: choices.map((ch) => ({ name: ch.label.slice(0, 100), value: ch.value })) } });
    }
    if (i.type !== InteractionType.COMMAND && i.type !== InteractionType.COMPONENT && i.type !== InteractionType.MODAL_SUBMIT) return c.text("Type d'interaction non pris en charge.", 400);
    // progress messages edit the deferred reply; before the defer there is nothing to edit yet
    let deferred = false;
    const progress = async (text: string) => {
      if (deferred) await webhook(i, "PATCH", "/messages/@original", { text: `⏳ ${text}`, ephemeral: true });
    };
    const running = dispatcher.dispatch({ ...toRequest(i), progress });
    const done = await withinDeadline(running, opts.deadlineMs ?? REPLY_DEADLINE_MS);
    if (done) {
      if (done.duplicate) return c.json({ type: Callback.DEFERRED_MESSAGE, data: { flags: EPHEMERAL } });
      // a modal answers a command or a button (« Corriger »), never a modal submission (Discord's rule)
      if (done.reply.modal && (i.type === InteractionType.COMMAND || i.type === InteractionType.COMPONENT)) return c.json({ type: Callback.MODAL, data: renderDiscordModal(done.reply.modal) });
      // a page of a long list replaces the message whose « Suivant » was pressed (component interactions only)
      if (done.reply.replace && i.type === InteractionType.COMPONENT) {
        const m = renderDiscord(done.reply);
        // every part given (an absent one would stay as on the previous page); the ephemeral flag cannot change
        return c.json({ type: Callback.UPDATE_MESSAGE, data: { content: m.content ?? "", embeds: m.embeds ?? [], components: m.components ?? [], allowed_mentions: m.allowed_mentions } });
      }
      const body = { type: Callback.MESSAGE, data: renderDiscord(done.reply) };
      return done.reply.file ? new Response(multipart(body, done.reply)) : c.json(body);
    }
    deferred = true;
    void running
      .then(async ({ reply, duplicate }) => {
        if (duplicate) return;
        if (reply.ephemeral) return webhook(i, "PATCH", "/messages/@original", reply);
        await webhook(i, "PATCH", "/messages/@original", { text: "Réponse publiée dans le salon.", ephemeral: true });
        await webhook(i, "POST", "", reply);
      })
      .catch((e) => ctx.log.error("réponse différée Discord en erreur", { error: e }));
    return c.json({ type: Callback.DEFERRED_MESSAGE, data: { flags: EPHEMERAL } });
  });
}

function toFiles(reply: Reply) {
  return reply.file ? [new AttachmentBuilder(Buffer.from(reply.file.content), { name: reply.file.name })] : [];
}

/**
 * Registers the registry's commands on a linked guild when their hash differs from the one
 * recorded (Discord allows 200 command creations a day per guild). Returns whether it registered.
 */
export async function syncGuildCommands(
  chat: ChatRepository,
  put: (route: `/${string}`, body: unknown) => Promise<unknown>,
  applicationId: string,
  guildId: string,
): Promise<boolean> {
  const ws = await chat.findWorkspace("DISCORD", guildId);
  const hash = commandsHash(commands);
  if (!ws || ws.commandsHash === hash) return false;
  await put(Routes.applicationGuildCommands(applicationId, guildId), discordCommands(commands));
  await chat.setCommandsHash(ws.id, hash);
  return true;
}

/** The discord.js gateway: registers guild commands when their hash changed, answers interactions. */
export async function startDiscordGateway(ctx: AppContext, dispatcher: Dispatcher, opts: { token: string; applicationId: string; apiBase?: string }) {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], allowedMentions: { parse: [] } });
  const rest = discordRest(opts.token, opts.apiBase);
  const chat = new ChatRepository(ctx.db);
  const registerGuild = async (guildId: string) => {
    if (await syncGuildCommands(chat, (route, body) => rest.put(route, { body }), opts.applicationId, guildId)) ctx.log.info("commandes Discord enregistrées", { guild: guildId });
  };

  client.once(Events.ClientReady, async (c) => {
    for (const guild of c.guilds.cache.values()) await registerGuild(guild.id).catch((e) => ctx.log.error("enregistrement des commandes Discord en erreur", { guild: guild.id, error: e }));
  });
  client.on(Events.GuildCreate, (g) => void registerGuild(g.id).catch((e) => ctx.log.error("enregistrement des commandes Discord en erreur", { guild: g.id, error: e })));
  client.on(Events.InteractionCreate, (interaction) => void onInteraction(interaction).catch((e) => ctx.log.error("interaction Discord en erreur", { error: e })));

  async function onInteraction(interaction: Interaction) {
    const guild = interaction.guildId ?? `dm:${interaction.user.id}`;
    if (interaction.isAutocomplete()) {
      const focused = interaction.options.getFocused(true);
      const choices = await dispatcher.suggest("DISCORD", guild, interaction.commandName, focused.name, String(focused.value));
      return interaction.respond(choices.map((c) => ({ name: c.label.slice(0, 100), value: c.value })));
    }
    if (!interaction.isChatInputCommand() && !interaction.isButton() && !interaction.isModalSubmit()) return;
    const base = { platform: "DISCORD" as const, workspaceExternalId: guild, userId: interaction.user.id, displayName: interaction.user.username, channelId: interaction.channelId ?? undefined, deliveryId: interaction.id };
    let deferred = false;
    const progress = async (text: string) => {
      if (deferred) await interaction.editReply({ content: `⏳ ${text}` });
    };
    const submitted = interaction.isModalSubmit()
      ? modalSubmission(interaction.customId, Object.fromEntries([...interaction.fields.fields.values()].map((f) => [f.customId, "value" in f ? String(f.value ?? "") : undefined])))
      : null;
    const req: CommandRequest | ActionRequest = interaction.isButton()
      ? { ...base, progress, type: "action", buttonId: interaction.customId }
      : submitted
        ? { ...base, progress, type: "command", command: submitted.command, options: submitted.options, form: true }
        : { ...base, progress, type: "command", command: interaction.isChatInputCommand() ? interaction.commandName : "", options: interaction.isChatInputCommand() ? Object.fromEntries(interaction.options.data.map((o) => [o.name, o.value])) : {} };
    const running = dispatcher.dispatch(req);
    const done = await withinDeadline(running, REPLY_DEADLINE_MS);
    if (done) {
      if (done.duplicate) return;
      if (done.reply.modal && (interaction.isChatInputCommand() || interaction.isButton())) return interaction.showModal(renderDiscordModal(done.reply.modal) as never);
      const m = renderDiscord(done.reply);
      if (done.reply.replace && interaction.isButton()) return interaction.update({ content: m.content ?? "", embeds: m.embeds ?? [], components: m.components ?? [] } as never);
      return interaction.reply({ content: m.content, embeds: m.embeds, components: m.components, flags: m.flags, files: toFiles(done.reply) } as never);
    }
    await interaction.deferReply({ flags: EPHEMERAL } as never);
    deferred = true;
    const { reply, duplicate } = await running;
    if (duplicate) return;
    const m = renderDiscord(reply);
    const payload = { content: m.content, embeds: m.embeds, components: m.components, files: toFiles(reply) };
    if (reply.ephemeral) return interaction.editReply(payload as never);
    await interaction.editReply({ content: "Réponse publiée dans le salon." });
    await interaction.followUp(payload as never);
  }

  await client.login(opts.token);
  return {
    client,
    async stop() {
      await client.destroy();
    },
  };
}

/**
 * Alerts and crisis messages over discord.js's REST client, whether or not the gateway runs. A
 * channel is posted to only when Discord says it belongs to the recipient's own guild (the CPTS's
 * linked server): a channel id of another tenant's server is refused at sending time too.
 */
export function discordRestNotifier(rest: REST): ChatNotifier & { channelInWorkspace(ref: { workspace: string; channel: string }): Promise<boolean> } {
  const guildOf = new Map<string, string | null>();
  const channelGuild = async (channel: string): Promise<string | null> => {
    if (!/^\d{1,25}$/.test(channel)) return null;
    if (!guildOf.has(channel)) {
      try {
        const c = (await rest.get(Routes.channel(channel))) as { guild_id?: string };
        guildOf.set(channel, c.guild_id ?? null);
      } catch (e) {
        if ((e as { status?: number }).status === 404 || (e as { status?: number }).status === 403) return null;
        throw e;
      }
    }
    return guildOf.get(channel) ?? null;
  };
  return {
    platform: "discord",
    async channelInWorkspace(ref) {
      return (await channelGuild(ref.channel)) === ref.workspace;
    },
    async post(ref, text) {
      try {
        const guild = await channelGuild(ref.channel);
        if (guild !== ref.workspace) throw new Error(`le salon Discord ${ref.channel.slice(0, 30)} n'appartient pas au serveur relié ${ref.workspace}`);
        await rest.post(Routes.channelMessages(ref.channel), { body: { content: escapeDiscord(text).slice(0, 2000), allowed_mentions: NO_MENTIONS } });
      } catch (e) {
        const retry = (e as { retryAfter?: number }).retryAfter;
        if (retry) throw new ChatRateLimited(retry);
        throw e;
      }
    },
  };
}

/** Registers the commands on every linked guild whose recorded hash differs (at start, over REST). */
export async function registerLinkedGuilds(ctx: AppContext, rest: REST, applicationId: string): Promise<number> {
  const chat = new ChatRepository(ctx.db);
  let n = 0;
  for (const ws of await chat.listWorkspaces("DISCORD")) {
    try {
      if (await syncGuildCommands(chat, (route, body) => rest.put(route, { body }), applicationId, ws.externalId)) n++;
    } catch (e) {
      ctx.log.error("enregistrement des commandes Discord en erreur", { guild: ws.externalId, error: e });
    }
  }
  if (n) ctx.log.info("commandes Discord enregistrées", { guilds: n });
  return n;
}

/**
 * The bot's REST side, gateway or not: channel posts (alerts, crisis) and command registration
 * on linked guilds at start. Needs DISCORD_TOKEN and DISCORD_APPLICATION_ID.
 */
export async function startDiscordRest(ctx: AppContext, opts: { token: string; applicationId: string; apiBase?: string }) {
  const rest = discordRest(opts.token, opts.apiBase);
  const notifier = discordRestNotifier(rest);
  const unregister = registerChatNotifier(notifier);
  await registerLinkedGuilds(ctx, rest, opts.applicationId);
  return {
    rest,
    notifier,
    async stop() {
      unregister();
      rest.clearHashSweeper();
      rest.clearHandlerSweeper();
    },
  };
}
