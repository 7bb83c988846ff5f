// Slack through Bolt: HTTP mode mounted on the shared Hono server (POST /slack/events, signature
// and timestamp checked here), or Socket Mode when SLACK_APP_TOKEN is set. A slash command's answer rides in
// Slack's ack when it is ready within COMMAND_ANSWER_MS (as Slack recommends: one request, shown at once);
// a longer one is acked with « en cours », then answered through its response_url. Other interactions are
// acked at once, then answered through respond() (response_url).
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import nodeHttp from "node:http";
import nodeHttps from "node:https";
import type { Context, Hono } from "hono";
import { z } from "zod";
import { App, LogLevel, type App as BoltApp, type Receiver, type ReceiverEvent } from "@slack/bolt";
import type { AppContext } from "../../app/context.ts";
import type { Dispatcher, ActionRequest, CommandRequest } from "../../app/dispatcher.ts";
import { ChatRateLimited, registerChatNotifier, type ChatNotifier } from "../../app/chat-notifier.ts";
import { escapeMrkdwn, renderSlack } from "./blocks.ts";
import { limitBody } from "../../http/limits.ts";
import { modalId, modalSubmission, type Reply, type ReplyModal } from "../../../commands/types.ts";

export const SLACK_MAX_SKEW_SECONDS = 300;
const ACK_DEADLINE_MS = 2500;
/** How long a form submission may take to be checked before the form is closed (its errors are then posted). */
const FORM_ANSWER_MS = 2000;
/** How long a slash command may take to be answered inside Slack's ack (its limit is 3 s) before « en cours ». */
const COMMAND_ANSWER_MS = 1000;
const WORKING = "⏳ en cours…";

export type SlackVerdict = "ok" | "signature" | "perime";

/** Slack's v0 signature: HMAC-SHA256(secret, "v0:" + timestamp + ":" + raw body), and a timestamp within 5 minutes. */
export function verifySlackRequest(secret: string, timestamp: string | undefined, signature: string | undefined, rawBody: string, nowSeconds: number): SlackVerdict {
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return "signature";
  if (Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) return "perime";
  const expected = Buffer.from(`v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${rawBody}`).digest("hex")}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? "ok" : "signature";
}

/** The checks that need no body (headers, clock): a request failing them is refused before its body is read. */
export function precheckSlackHeaders(timestamp: string | undefined, signature: string | undefined, nowSeconds: number): SlackVerdict {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp) || !/^v0=[0-9a-f]{64}$/.test(signature)) return "signature";
  return Math.abs(nowSeconds - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS ? "perime" : "ok";
}

const id = z.string().min(1).max(200);
/** A slash command as Slack posts it (form-encoded); anything else signed but malformed gets 400. */
const slashSchema = z.object({ command: z.string().min(1).max(100), team_id: id, user_id: id, channel_id: id, trigger_id: id, response_url: z.url().max(2000), text: z.string().max(8000).optional(), user_name: z.string().max(200).optional() });
const userSchema = z.object({ id, name: z.string().max(200).optional() });
/** The interactive payloads and events coordo handles, with the fields its handlers read. */
const interactiveSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("url_verification"), challenge: z.string().max(200) }),
  z.object({ type: z.literal("block_actions"), user: userSchema, team: z.object({ id }).nullable().optional(), actions: z.array(z.object({ action_id: z.string().max(255) })).min(1).max(25) }),
  z.object({ type: z.literal("view_submission"), user: userSchema, view: z.object({ id, callback_id: z.string().max(255), state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish() }))) }) }) }),
  z.object({ type: z.literal("view_closed"), user: userSchema }),
  z.object({ type: z.literal("event_callback"), team_id: id, event: z.object({ type: z.string().max(100) }) }),
]);

/** A Bolt receiver with no server of its own: the Hono route feeds it verified events. */
class HonoReceiver implements Receiver {
  app?: BoltApp;
  init(app: BoltApp) {
    this.app = app;
  }
  async start() {}
  async stop() {}
}

export interface SlackAdapterOptions {
  /** The static SLACK_BOT_TOKEN (single-workspace shortcut). */
  botToken?: string;
  signingSecret?: string;
  appToken?: string;
  /** Web API base (tests point it at a local fake). */
  slackApiUrl?: string;
  /** Bot tokens of OAuth installations (one per workspace), tried before the static token. */
  installations?: SlackTokens;
  /** app_uninstalled / tokens_revoked: forget the workspace's installation. */
  forget?: (teamId: string) => Promise<void>;
  /** How long a form's check may take to be answered inside the form (FORM_ANSWER_MS; the HTTP ack waits 500 ms more). Tests on a loaded machine give more. */
  formAnswerMs?: number;
  /** How long a slash command's answer may take to ride in the ack (COMMAND_ANSWER_MS); 0: always « en cours » then response_url. */
  commandAnswerMs?: number;
}

export interface SlackAdapter {
  app: BoltApp;
  tokens: SlackTokens;
  stop(): Promise<void>;
}

type Respond = (m: Record<string, unknown>) => Promise<unknown>;

/** Keep-alive connections to the response_url hosts, closed by stop(). */
interface Agents {
  http: nodeHttp.Agent;
  https: nodeHttps.Agent;
}

/**
 * POSTs a JSON message to a response_url over a kept-alive connection. Does what Bolt's respond()
 * does (one POST of the message) for a fraction of its CPU (axios + follow-redirects per call).
 */
export function postToResponseUrl(agents: Agents, url: string, message: Record<string, unknown>): Promise<void> {
  const target = new URL(url);
  const lib = target.protocol === "https:" ? nodeHttps : target.protocol === "http:" ? nodeHttp : null;
  if (!lib) return Promise.reject(new Error(`response_url non prise en charge : ${target.protocol}`));
  const data = Buffer.from(JSON.stringify(message));
  return new Promise((resolve, reject) => {
    const req = lib.request(
      target,
      { method: "POST", agent: lib === nodeHttps ? agents.https : agents.http, timeout: 10_000, headers: { "content-type": "application/json; charset=utf-8", "content-length": data.length } },
      (res) => {
        res.resume();
        res.on("error", reject);
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve();
          else reject(new Error(`response_url a répondu ${status}`));
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error("response_url : pas de réponse en 10 s")));
    req.on("error", reject);
    req.end(data);
  });
}

/** The reply function of an invocation: its response_url through our agents, else Bolt's respond(). */
const responder = (agents: Agents, url: string | undefined, fallback: Respond): Respond =>
  url ? (m) => postToResponseUrl(agents, url, m) : fallback;

/** Progress of a long action: replaces the « en cours » message (or the pressed message). */
const progressVia = (respond: (m: Record<string, unknown>) => Promise<unknown>) => async (text: string) => {
  await respond({ text: `⏳ ${text}`, response_type: "ephemeral", replace_original: true });
};

/** The reply as a new message, or in place of the pressed message for a page of a long list. */
async function send(respond: (m: Record<string, unknown>) => Promise<unknown>, reply: Reply) {
  await respond({ ...renderSlack(reply), replace_original: reply.replace === true });
}

type SlackMessage = Record<string, unknown>;

/**
 * The ack window of a slash command: the first message of its answer (the reply, or a first progress) is
 * handed to `ack` when it comes within `windowMs`; when the window closes first, the ack says « en cours »
 * and every message goes to `later` (the response_url). `done()` after the handler: nothing to show (a
 * form opened, a duplicate delivery) acks with an empty body.
 */
export function ackWindow(windowMs: number, ack: (m: SlackMessage | null) => unknown, later: Respond): { respond: Respond; done(): void } {
  let sent: Promise<unknown> | undefined;
  const fire = (m: SlackMessage | null): boolean => {
    if (sent) return false;
    clearTimeout(timer);
    // replace_original means nothing in an ack (there is no message yet to replace)
    const body = m && (({ replace_original: _, ...rest }) => rest)(m);
    sent = Promise.resolve(ack(body)).catch(() => {});
    return true;
  };
  const working = { response_type: "ephemeral", text: WORKING };
  const timer = windowMs > 0 ? setTimeout(() => fire(working), windowMs) : undefined;
  if (windowMs <= 0) fire(working);
  return {
    respond: async (m) => {
      if (fire(m)) return;
      // a later message (the answer after « en cours », a page) never overtakes the ack
      await sent;
      return later(m);
    },
    done: () => void fire(null),
  };
}

/** What the user sees when a command failed inside the adapter (the dispatcher answers its own errors). */
const ADAPTER_FAILED = { response_type: "ephemeral", text: "Désolé, une erreur interne nous empêche de répondre. Réessayez dans un moment ; si cela persiste, prévenez la coordination." };

/** The fields of a slash-command payload the adapter reads. */
interface SlashCommand {
  team_id: string;
  user_id: string;
  user_name?: string;
  channel_id: string;
  trigger_id: string;
  command: string;
  text?: string;
  response_url?: string;
}

/**
 * Where bot tokens come from: an OAuth installation of the workspace, else the static
 * SLACK_BOT_TOKEN (the single-workspace shortcut). `strict` (channel posts) refuses the static
 * token for any workspace other than its own.
 */
export interface SlackTokens {
  botToken(teamId: string, opts?: { strict?: boolean }): Promise<string | undefined>;
}

/** A slash command, once acknowledged: dispatch, then the reply (or a form) through `respond`. */
async function onCommand(ctx: AppContext, dispatcher: Dispatcher, client: BoltApp["client"], tokens: SlackTokens, command: SlashCommand, respond: Respond) {
  const req: CommandRequest = {
    type: "command", platform: "SLACK", workspaceExternalId: command.team_id, userId: command.user_id, displayName: command.user_name,
    channelId: command.channel_id, deliveryId: `commande:${command.trigger_id}`, command: command.command, text: command.text, progress: progressVia(respond),
  };
  const { reply, duplicate } = await dispatcher.dispatch(req);
  if (duplicate) return;
  // the workspace's bot token (an OAuth installation: a read and a decryption) only for a form or a file
  const token = reply.modal || reply.file ? await tokens.botToken(command.team_id) : undefined;
  if (reply.modal && token) {
    try {
      await client.views.open({ token, trigger_id: command.trigger_id, view: slackModal(reply.modal, command.channel_id) as never });
      return;
    } catch (e) {
      ctx.log.warn("ouverture du formulaire Slack impossible", { error: e });
    }
  }
  await send(respond, reply);
  if (reply.file && token) await sendFileToUser(ctx, client, token, command.user_id, reply);
}

/** A slash command through its ack window: its handler, a French error if the adapter fails, and an empty ack when nothing was shown. */
async function answerCommand(ctx: AppContext, dispatcher: Dispatcher, client: BoltApp["client"], tokens: SlackTokens, command: SlashCommand, w: ReturnType<typeof ackWindow>) {
  try {
    await onCommand(ctx, dispatcher, client, tokens, command, w.respond);
  } catch (e) {
    ctx.log.error("traitement d'une commande Slack en erreur", { error: e });
    await w.respond(ADAPTER_FAILED).catch(() => {});
  } finally {
    w.done();
  }
}

function register(app: BoltApp, ctx: AppContext, dispatcher: Dispatcher, agents: Agents, tokens: SlackTokens, forget?: (teamId: string) => Promise<void>, formAnswerMs = FORM_ANSWER_MS, commandAnswerMs = COMMAND_ANSWER_MS) {
  // the app was removed from a workspace, or its tokens revoked: its bot token is forgotten at once
  for (const name of ["app_uninstalled", "tokens_revoked"] as const) {
    app.event(name, async ({ body }) => {
      const teamId = (body as { team_id?: string }).team_id;
      if (!teamId) return;
      ctx.log.info("application Slack retirée d'un espace : jeton oublié", { team: teamId, event: name });
      await forget?.(teamId);
    });
  }
  // Socket Mode (the HTTP route below answers its own slash commands the same way)
  app.command(/.*/, async ({ command, ack, respond: boltRespond, client }) => {
    const w = ackWindow(commandAnswerMs, (m) => ack(m ?? undefined).catch((e) => ctx.log.warn("accusé de réception Slack impossible", { error: e })), responder(agents, command.response_url, boltRespond));
    await answerCommand(ctx, dispatcher, client, tokens, command, w);
  });
  // a submitted form runs its command again with the typed values; a refusal is shown inside the
  // form (ack with response_action « errors », the form stays open), any other answer is posted to its author only
  app.view(/.*/, async ({ ack, body, view, client }) => {
    const values: Record<string, string | undefined> = {};
    for (const [blockId, actions] of Object.entries(view.state.values)) values[blockId] = Object.values(actions)[0]?.value ?? undefined;
    const { command, options } = modalSubmission(view.callback_id, values);
    const channel = view.private_metadata || undefined;
    // a corrected submission of the same form is a new delivery; Slack's retry of the same one is not
    const typed = createHash("sha256").update(JSON.stringify(options)).digest("hex").slice(0, 16);
    const req: CommandRequest = {
      type: "command", platform: "SLACK", workspaceExternalId: body.team?.id ?? view.team_id, userId: body.user.id, displayName: body.user.name,
      channelId: channel, deliveryId: `formulaire:${view.id}:${typed}`, command, options, form: true,
    };
    const running = dispatcher.dispatch(req);
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([running, new Promise<null>((r) => (timer = setTimeout(() => r(null), formAnswerMs)))]);
    clearTimeout(timer);
    const errors = inTime?.reply.formErrors;
    if (errors && Object.keys(errors).every((k) => k in view.state.values)) {
      await ack({ response_action: "errors", errors });
      return;
    }
    await ack();
    const { reply, duplicate } = await running;
    if (duplicate) return;
    const m = renderSlack(reply);
    if (channel) await client.chat.postEphemeral({ channel, user: body.user.id, text: m.text, blocks: m.blocks as never });
    else await client.chat.postMessage({ channel: body.user.id, text: m.text, blocks: m.blocks as never });
    if (reply.file) await sendFileToUser(ctx, client, undefined, body.user.id, reply);
  });
  app.action(/.*/, async ({ body, action, ack, respond: boltRespond, client }) => {
    await ack();
    const b = body as { team?: { id: string } | null; user: { id: string; name?: string }; channel?: { id: string }; trigger_id?: string; response_url?: string };
    const respond = responder(agents, b.response_url, boltRespond);
    const a = action as { action_id: string; action_ts?: string };
    const req: ActionRequest = {
      type: "action", platform: "SLACK", workspaceExternalId: b.team?.id ?? "", userId: b.user.id, displayName: b.user.name, channelId: b.channel?.id,
      deliveryId: `action:${b.trigger_id ?? `${a.action_ts}:${b.user.id}`}`, buttonId: a.action_id, progress: progressVia(respond),
    };
    const { reply, duplicate } = await dispatcher.dispatch(req);
    if (duplicate) return;
    const token = reply.modal && b.trigger_id ? await tokens.botToken(b.team?.id ?? "") : undefined;
    if (reply.modal && token) {
      try {
        await client.views.open({ token, trigger_id: b.trigger_id!, view: slackModal(reply.modal, b.channel?.id) as never });
        return;
      } catch (e) {
        ctx.log.warn("ouverture du formulaire Slack impossible", { error: e });
      }
    }
    await send(respond, reply);
  });
}

/** A modal view (views.open): one plain-text input per field, block_id = option name; the channel rides in private_metadata. */
export function slackModal(modal: ReplyModal, channelId?: string) {
  return {
    type: "modal",
    callback_id: modalId(modal),
    private_metadata: channelId ?? "",
    title: { type: "plain_text", text: modal.title.slice(0, 24) },
    submit: { type: "plain_text", text: "Envoyer" },
    close: { type: "plain_text", text: "Annuler" },
    blocks: modal.fields.map((f) => ({
      type: "input",
      block_id: f.name,
      optional: !(f.required ?? false),
      label: { type: "plain_text", text: f.label.slice(0, 2000) },
      element: {
        type: "plain_text_input", action_id: f.name,
        ...(f.placeholder ? { placeholder: { type: "plain_text", text: f.placeholder.slice(0, 150) } } : {}),
        ...(f.value ? { initial_value: f.value.slice(0, 3000) } : {}),
      },
      // a form reopened by « Corriger »: the reason under the refused field
      ...(f.error ? { hint: { type: "plain_text", text: `⚠️ ${f.error}`.slice(0, 2000) } } : {}),
    })),
  };
}

/**
 * A file is for the person who asked for it (personal data, exports): it goes to their direct
 * messages with the bot (conversations.open, then files.uploadV2 to that DM), never to the channel
 * the command was typed in. The ephemeral reply already showed an excerpt.
 */
export async function sendFileToUser(ctx: AppContext, client: BoltApp["client"], token: string | undefined, userId: string, reply: Reply) {
  try {
    const auth = token ? { token } : {};
    const dm = await client.conversations.open({ ...auth, users: userId, return_im: true });
    const channel = dm.channel?.id;
    if (!channel || !/^D/.test(channel)) throw new Error("conversations.open n'a pas rendu de conversation directe");
    await client.files.uploadV2({ ...auth, channel_id: channel, filename: reply.file!.name, content: reply.file!.content, title: reply.file!.name });
  } catch (e) {
    ctx.log.warn("envoi de fichier Slack en message direct impossible", { error: e });
  }
}

/** The static SLACK_BOT_TOKEN's own workspace, learnt once through auth.test. */
function staticTokens(authTest: (token: string) => Promise<{ team_id?: string }>, token: string | undefined, log: AppContext["log"]): SlackTokens {
  let team: Promise<string | undefined> | undefined;
  const teamId = () =>
    (team ??= authTest(token!).then(
      (r) => (typeof r.team_id === "string" ? r.team_id : undefined),
      (e) => {
        log.warn("auth.test du jeton Slack statique impossible", { error: e });
        team = undefined;
        return undefined;
      },
    ));
  return {
    async botToken(teamId_, opts) {
      if (!token) return undefined;
      if (!opts?.strict) return token;
      return (await teamId()) === teamId_ ? token : undefined;
    },
  };
}

export async function startSlack(ctx: AppContext, http: Hono, dispatcher: Dispatcher, opts: SlackAdapterOptions): Promise<SlackAdapter> {
  const clientOptions = { ...(opts.slackApiUrl ? { slackApiUrl: opts.slackApiUrl } : {}), rejectRateLimitedCalls: true };
  let app!: BoltApp;
  const fallback = staticTokens((token) => app.client.auth.test({ token }), opts.botToken, ctx.log);
  const tokens: SlackTokens = {
    async botToken(teamId, o) {
      return (await opts.installations?.botToken(teamId, o)) ?? (await fallback.botToken(teamId, o));
    },
  };
  const authorize = async ({ teamId }: { teamId?: string }) => {
    const botToken = teamId ? await tokens.botToken(teamId) : opts.botToken;
    if (!botToken) throw new Error(`coordo n'est pas installé dans l'espace Slack ${teamId ?? "?"}`);
    return { botToken, botId: "B_COORDO", botUserId: "U_COORDO", teamId };
  };
  const common = { authorize, tokenVerificationEnabled: false, logLevel: LogLevel.ERROR, clientOptions };
  const agents: Agents = { http: new nodeHttp.Agent({ keepAlive: true }), https: new nodeHttps.Agent({ keepAlive: true }) };
  if (opts.appToken) {
    app = new App({ ...common, appToken: opts.appToken, socketMode: true });
    register(app, ctx, dispatcher, agents, tokens, opts.forget, opts.formAnswerMs, opts.commandAnswerMs);
    await app.start();
  } else {
    if (!opts.signingSecret) throw new Error("SLACK_SIGNING_SECRET est requis en mode HTTP (sans SLACK_APP_TOKEN)");
    const receiver = new HonoReceiver();
    app = new App({ ...common, receiver });
    register(app, ctx, dispatcher, agents, tokens, opts.forget, opts.formAnswerMs, opts.commandAnswerMs);
    const secret = opts.signingSecret;
    const ackDeadlineMs = opts.formAnswerMs === undefined ? ACK_DEADLINE_MS : opts.formAnswerMs + (ACK_DEADLINE_MS - FORM_ANSWER_MS);
    const malformed = (c: Context, what: string) => {
      ctx.log.warn("requête Slack signée mais mal formée", { what });
      return c.text("Requête mal formée.", 400);
    };
    http.post("/slack/events", limitBody(), async (c) => {
      const timestamp = c.req.header("x-slack-request-timestamp");
      const signature = c.req.header("x-slack-signature");
      const now = Math.floor(Date.now() / 1000);
      // headers and clock first: a request that cannot be valid is refused before its body is read
      let verdict = precheckSlackHeaders(timestamp, signature, now);
      const raw = verdict === "ok" ? await c.req.text() : "";
      if (verdict === "ok") verdict = verifySlackRequest(secret, timestamp, signature, raw, now);
      if (verdict !== "ok") {
        ctx.log.warn("requête Slack refusée", { reason: verdict });
        return c.text(verdict === "perime" ? "Requête périmée." : "Signature invalide.", 401);
      }
      let body: Record<string, any>;
      try {
        body = parseSlackBody(raw, c.req.header("content-type") ?? "");
      } catch {
        return malformed(c, "corps illisible");
      }
      if (body === null || typeof body !== "object" || Array.isArray(body)) return malformed(c, "corps non objet");
      if (body.ssl_check) return c.body(null, 200);
      if (body.command !== undefined) {
        const cmd = slashSchema.safeParse(body);
        if (!cmd.success) return malformed(c, "commande");
        // A slash command skips Bolt's middleware chain (none of ours applies to it): the same handler as
        // app.command — a third of the adapter's CPU per command. Its answer is this HTTP answer when ready in time.
        const url = cmd.data.response_url;
        let answer!: (m: SlackMessage | null) => void;
        const acked = new Promise<SlackMessage | null>((r) => (answer = r));
        const w = ackWindow(opts.commandAnswerMs ?? COMMAND_ANSWER_MS, answer, (m) => postToResponseUrl(agents, url, m));
        void answerCommand(ctx, dispatcher, app.client, tokens, cmd.data, w);
        const m = await acked;
        return m ? c.json(m) : c.body(null, 200);
      }
      const known = interactiveSchema.safeParse(body);
      if (!known.success) return malformed(c, typeof body.type === "string" ? body.type.slice(0, 40) : "type absent");
      if (known.data.type === "url_verification") return c.json({ challenge: known.data.challenge });
      const retry = c.req.header("x-slack-retry-num");
      let resolveAck!: (v: unknown) => void;
      const acked = new Promise<unknown>((r) => (resolveAck = r));
      const event: ReceiverEvent = {
        body,
        retryNum: retry && /^\d{1,3}$/.test(retry) ? Number(retry) : undefined,
        retryReason: c.req.header("x-slack-retry-reason"),
        customProperties: {},
        ack: async (response?: unknown) => resolveAck(response ?? null),
      };
      receiver.app!.processEvent(event).catch((e) => {
        ctx.log.error("traitement d'un évènement Slack en erreur", { error: e });
        resolveAck(null);
      });
      let timer: NodeJS.Timeout | undefined;
      const response = await Promise.race([acked, new Promise((r) => (timer = setTimeout(() => r(null), ackDeadlineMs)))]);
      clearTimeout(timer);
      if (response === null || response === undefined || response === "") return c.body(null, 200);
      return typeof response === "string" ? c.text(response) : c.json(response as object);
    });
  }
  const unregister = registerChatNotifier(slackNotifier(app, tokens));
  return {
    app,
    tokens,
    async stop() {
      unregister();
      agents.http.destroy();
      agents.https.destroy();
      if (opts.appToken) await app.stop();
    },
  };
}

export function parseSlackBody(raw: string, contentType: string): Record<string, any> {
  if (contentType.includes("application/json")) return JSON.parse(raw);
  const params = Object.fromEntries(new URLSearchParams(raw));
  return typeof params.payload === "string" ? JSON.parse(params.payload) : params;
}

/**
 * Channel posts (alerts, crisis messages) through chat.postMessage with the bot token of the
 * recipient's own workspace only (never another workspace's token); the text is escaped (payer
 * names and typed text cannot link or mention). A 429 becomes ChatRateLimited for the outbox.
 */
export function slackNotifier(app: BoltApp, tokens: SlackTokens): ChatNotifier {
  return {
    platform: "slack",
    async channelInWorkspace(ref) {
      const token = await tokens.botToken(ref.workspace, { strict: true });
      if (!token) return false;
      try {
        const info = await app.client.conversations.info({ token, channel: ref.channel });
        return Boolean(info.ok && info.channel && !info.channel.is_im);
      } catch (e) {
        const code = (e as { data?: { error?: string } }).data?.error;
        if (code === "channel_not_found" || code === "invalid_channel") return false;
        throw e;
      }
    },
    async post(ref, text) {
      const token = await tokens.botToken(ref.workspace, { strict: true });
      if (!token) throw new Error(`coordo n'est pas installé dans l'espace Slack ${ref.workspace}`);
      try {
        await app.client.chat.postMessage({ token, channel: ref.channel, text: escapeMrkdwn(text), link_names: false, unfurl_links: false });
      } catch (e) {
        const err = e as { code?: string; retryAfter?: number };
        if (err.code === "slack_webapi_rate_limited_error") throw new ChatRateLimited((err.retryAfter ?? 1) * 1000);
        throw e;
      }
    },
  };
}
