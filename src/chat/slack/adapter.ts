// Slack through Bolt: HTTP mode mounted on the shared Hono server (POST /slack/events, signature
// and timestamp checked here), or Socket Mode when SLACK_APP_TOKEN is set. Every invocation is
// acked at once with « en cours », then answered through respond() (response_url).
import { createHmac, timingSafeEqual } from "node:crypto";
import nodeHttp from "node:http";
import nodeHttps from "node:https";
import type { Hono } from "hono";
import { App, LogLevel, type App as BoltApp, type Receiver, type ReceiverEvent } from "@slack/bolt";
import type { AppContext } from "../../app/context.ts";
import type { Dispatcher, ActionRequest, CommandRequest } from "../../app/dispatcher.ts";
import { ChatRateLimited, registerChatNotifier, type ChatNotifier } from "../../app/chat-notifier.ts";
import { renderSlack } from "./blocks.ts";
import { modalId, modalSubmission, type Reply, type ReplyModal } from "../../../commands/types.ts";

export const SLACK_MAX_SKEW_SECONDS = 300;
const ACK_DEADLINE_MS = 2500;
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
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  /** Web API base (tests point it at a local fake). */
  slackApiUrl?: string;
}

export interface SlackAdapter {
  app: BoltApp;
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

async function send(respond: (m: Record<string, unknown>) => Promise<unknown>, reply: Reply) {
  await respond({ ...renderSlack(reply), replace_original: false });
}

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

/** A slash command, once acknowledged: dispatch, then the reply (or a form) through `respond`. */
async function onCommand(ctx: AppContext, dispatcher: Dispatcher, client: BoltApp["client"], command: SlashCommand, respond: Respond) {
  const req: CommandRequest = {
    type: "command", platform: "SLACK", workspaceExternalId: command.team_id, userId: command.user_id, displayName: command.user_name,
    channelId: command.channel_id, deliveryId: `commande:${command.trigger_id}`, command: command.command, text: command.text, progress: progressVia(respond),
  };
  const { reply, duplicate } = await dispatcher.dispatch(req);
  if (duplicate) return;
  if (reply.modal) {
    try {
      await client.views.open({ trigger_id: command.trigger_id, view: slackModal(reply.modal, command.channel_id) as never });
      return;
    } catch (e) {
      ctx.log.warn("ouverture du formulaire Slack impossible", { error: e });
    }
  }
  await send(respond, reply);
  if (reply.file) await uploadFile(ctx, client, command.channel_id, reply);
}

function register(app: BoltApp, ctx: AppContext, dispatcher: Dispatcher, agents: Agents) {
  app.command(/.*/, async ({ command, ack, respond: boltRespond, client }) => {
    await ack({ response_type: "ephemeral", text: WORKING });
    await onCommand(ctx, dispatcher, client, command, responder(agents, command.response_url, boltRespond));
  });
  // a submitted form runs its command again with the typed values; the answer is posted to its author only
  app.view(/.*/, async ({ ack, body, view, client }) => {
    await ack();
    const values: Record<string, string | undefined> = {};
    for (const [blockId, actions] of Object.entries(view.state.values)) values[blockId] = Object.values(actions)[0]?.value ?? undefined;
    const { command, options } = modalSubmission(view.callback_id, values);
    const channel = view.private_metadata || undefined;
    const req: CommandRequest = {
      type: "command", platform: "SLACK", workspaceExternalId: body.team?.id ?? view.team_id, userId: body.user.id, displayName: body.user.name,
      channelId: channel, deliveryId: `formulaire:${view.id}`, command, options,
    };
    const { reply, duplicate } = await dispatcher.dispatch(req);
    if (duplicate) return;
    const m = renderSlack(reply);
    if (channel) await client.chat.postEphemeral({ channel, user: body.user.id, text: m.text, blocks: m.blocks as never });
    else await client.chat.postMessage({ channel: body.user.id, text: m.text, blocks: m.blocks as never });
  });
  app.action(/.*/, async ({ body, action, ack, respond: boltRespond }) => {
    await ack();
    const b = body as { team?: { id: string } | null; user: { id: string; name?: string }; channel?: { id: string }; trigger_id?: string; response_url?: string };
    const respond = responder(agents, b.response_url, boltRespond);
    const a = action as { action_id: string; action_ts?: string };
    const req: ActionRequest = {
      type: "action", platform: "SLACK", workspaceExternalId: b.team?.id ?? "", userId: b.user.id, displayName: b.user.name, channelId: b.channel?.id,
      deliveryId: `action:${b.trigger_id ?? `${a.action_ts}:${b.user.id}`}`, buttonId: a.action_id, progress: progressVia(respond),
    };
    const { reply, duplicate } = await dispatcher.dispatch(req);
    if (!duplicate) await send(respond, reply);
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
      element: { type: "plain_text_input", action_id: f.name, ...(f.placeholder ? { placeholder: { type: "plain_text", text: f.placeholder.slice(0, 150) } } : {}) },
    })),
  };
}

/** Files go through files.uploadV2 when the platform accepts them; the inline excerpt already answered. */
async function uploadFile(ctx: AppContext, client: BoltApp["client"], channel: string, reply: Reply) {
  try {
    await client.files.uploadV2({ channel_id: channel, filename: reply.file!.name, content: reply.file!.content, title: reply.file!.name });
  } catch (e) {
    ctx.log.warn("envoi de fichier Slack impossible", { error: e });
  }
}

export async function startSlack(ctx: AppContext, http: Hono, dispatcher: Dispatcher, opts: SlackAdapterOptions): Promise<SlackAdapter> {
  const clientOptions = { ...(opts.slackApiUrl ? { slackApiUrl: opts.slackApiUrl } : {}), rejectRateLimitedCalls: true };
  const common = { token: opts.botToken, botId: "B_COORDO", botUserId: "U_COORDO", tokenVerificationEnabled: false, logLevel: LogLevel.ERROR, clientOptions };
  let app: BoltApp;
  const agents: Agents = { http: new nodeHttp.Agent({ keepAlive: true }), https: new nodeHttps.Agent({ keepAlive: true }) };
  if (opts.appToken) {
    app = new App({ ...common, appToken: opts.appToken, socketMode: true });
    register(app, ctx, dispatcher, agents);
    await app.start();
  } else {
    if (!opts.signingSecret) throw new Error("SLACK_SIGNING_SECRET est requis en mode HTTP (sans SLACK_APP_TOKEN)");
    const receiver = new HonoReceiver();
    app = new App({ ...common, receiver });
    register(app, ctx, dispatcher, agents);
    const secret = opts.signingSecret;
    http.post("/slack/events", async (c) => {
      const raw = await c.req.text();
      const verdict = verifySlackRequest(secret, c.req.header("x-slack-request-timestamp"), c.req.header("x-slack-signature"), raw, Math.floor(Date.now() / 1000));
      if (verdict !== "ok") {
        ctx.log.warn("requête Slack refusée", { reason: verdict });
        return c.text(verdict === "perime" ? "Requête périmée." : "Signature invalide.", 401);
      }
      const body = parseSlackBody(raw, c.req.header("content-type") ?? "");
      if (body.type === "url_verification") return c.json({ challenge: body.challenge });
      if (body.ssl_check) return c.body(null, 200);
      if (typeof body.command === "string" && typeof body.team_id === "string" && typeof body.response_url === "string" && body.response_url) {
        // A slash command skips Bolt's middleware chain (none of ours applies to it): the same ack,
        // then the same handler as app.command — a third of the adapter's CPU per command.
        const url = body.response_url;
        onCommand(ctx, dispatcher, app.client, body as SlashCommand, (m) => postToResponseUrl(agents, url, m)).catch((e) => {
          ctx.log.error("traitement d'un évènement Slack en erreur", { error: e });
        });
        return c.json({ response_type: "ephemeral", text: WORKING });
      }
      const retry = c.req.header("x-slack-retry-num");
      let resolveAck!: (v: unknown) => void;
      const acked = new Promise<unknown>((r) => (resolveAck = r));
      const event: ReceiverEvent = {
        body,
        retryNum: retry ? Number(retry) : undefined,
        retryReason: c.req.header("x-slack-retry-reason"),
        customProperties: {},
        ack: async (response?: unknown) => resolveAck(response ?? null),
      };
      receiver.app!.processEvent(event).catch((e) => {
        ctx.log.error("traitement d'un évènement Slack en erreur", { error: e });
        resolveAck(null);
      });
      const response = await Promise.race([acked, new Promise((r) => setTimeout(() => r(null), ACK_DEADLINE_MS))]);
      if (response === null || response === undefined || response === "") return c.body(null, 200);
      return typeof response === "string" ? c.text(response) : c.json(response as object);
    });
  }
  const unregister = registerChatNotifier(slackNotifier(app));
  return {
    app,
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

/** Channel posts (alerts, crisis messages) through chat.postMessage; a 429 becomes ChatRateLimited for the outbox. */
export function slackNotifier(app: BoltApp): ChatNotifier {
  return {
    platform: "slack",
    async post(ref, text) {
      try {
        await app.client.chat.postMessage({ channel: ref.channel, text });
      } catch (e) {
        const err = e as { code?: string; retryAfter?: number };
        if (err.code === "slack_webapi_rate_limited_error") throw new ChatRateLimited((err.retryAfter ?? 1) * 1000);
        throw e;
      }
    },
  };
}
