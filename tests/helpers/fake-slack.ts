// A local fake of Slack for the chat tests, on 127.0.0.1: the Web API under /api/<method> (answers
// shaped as documented on api.slack.com), the upload URL of files.uploadV2 under /upload/…, and
// any other path as a response_url whose JSON messages are kept in `responses`.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createHmac } from "node:crypto";

export interface SlackApiCall {
  /** The Web API method, e.g. "chat.postMessage" (or "upload/F…" for a file upload). */
  path: string;
  auth?: string;
  /** Form parameters (empty for a JSON body: see `json`). */
  params: URLSearchParams;
  json?: any;
  raw: string;
}

export interface ResponseUrlMessage {
  /** The path the message was posted to (e.g. "/hooks/ok-1"). */
  path: string;
  raw: string;
  /** The message, or undefined when the body was not JSON. */
  body: any;
}

export interface FakeSlack {
  base: string;
  /** The Web API base to give the adapter (slackApiUrl). */
  apiUrl: string;
  calls: SlackApiCall[];
  responses: ResponseUrlMessage[];
  /** A response_url on this fake (messages land in `responses`). */
  hook(name?: string): string;
  /** Waits for a value (a call, a message) up to `ms`; throws « délai dépassé » after. */
  until<T>(probe: () => T | undefined | null | false, ms?: number): Promise<T>;
  close(): Promise<void>;
}

type Answer = object | ((call: SlackApiCall) => object);

/** Documented answers of the methods coordo calls; `answers` overrides or adds some. */
export async function startFakeSlack(opts: { teamId?: string; answers?: Record<string, Answer> } = {}): Promise<FakeSlack> {
  const calls: SlackApiCall[] = [];
  const responses: ResponseUrlMessage[] = [];
  let base = "";
  const defaults = (): Record<string, Answer> => ({
    "auth.test": { ok: true, url: "https://demo.slack.com/", team: "Démo", user: "coordo", team_id: opts.teamId ?? "T-DEMO", user_id: "U_COORDO", bot_id: "B_COORDO" },
    "conversations.open": { ok: true, channel: { id: "D0PRIVE01" } },
    "files.getUploadURLExternal": { ok: true, upload_url: `${base}/upload/F0FICHIER`, file_id: "F0FICHIER" },
    "files.completeUploadExternal": { ok: true, files: [{ id: "F0FICHIER", title: "fichier" }] },
    "chat.postMessage": { ok: true, channel: "C0ALERTES", ts: "1700000000.000100" },
    "chat.postEphemeral": { ok: true, message_ts: "1700000000.000200" },
    "views.open": { ok: true, view: { id: "V0FORMULAIRE" } },
  });
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const url = req.url ?? "/";
      const api = /^\/api\/([\w.]+)/.exec(url);
      if (api || url.startsWith("/upload/")) {
        const isJson = req.headers["content-type"]?.includes("json") ?? false;
        const call: SlackApiCall = { path: api ? api[1]! : url.slice(1), auth: req.headers.authorization, params: new URLSearchParams(isJson ? "" : raw), raw };
        if (isJson) {
          try {
            call.json = JSON.parse(raw);
          } catch {
            call.json = undefined;
          }
        }
        calls.push(call);
        if (!api) return res.end("OK - 42");
        const answer = opts.answers?.[call.path] ?? defaults()[call.path] ?? { ok: false, error: "unknown_method" };
        res.setHeader("content-type", "application/json");
        return res.end(JSON.stringify(typeof answer === "function" ? answer(call) : answer));
      }
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      responses.push({ path: url, raw, body });
      res.end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    apiUrl: `${base}/api/`,
    calls,
    responses,
    hook: (name = "reponse") => `${base}/hooks/${name}`,
    async until(probe, ms = 30_000) { // returns as soon as the probe holds; the bound is for a loaded CI machine
      const end = Date.now() + ms;
      for (;;) {
        const v = probe();
        if (v) return v;
        if (Date.now() > end) throw new Error("délai dépassé");
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Headers of a request signed as Slack signs it (v0 HMAC-SHA256 of « v0:timestamp:body »). */
export function slackSigned(secret: string, body: string, opts: { ts?: number; json?: boolean } = {}): RequestInit & { headers: Record<string, string> } {
  const ts = opts.ts ?? Math.floor(Date.now() / 1000);
  const sig = `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
  return {
    method: "POST",
    body,
    headers: { "content-type": opts.json ? "application/json" : "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(ts), "x-slack-signature": sig },
  };
}

/** A block_actions payload (a button pressed), form-encoded as Slack posts it. */
export function blockActions(p: { team: string; user: string; channel?: string; trigger: string; responseUrl: string; actionId: string }): string {
  const payload = {
    type: "block_actions", team: { id: p.team }, user: { id: p.user, name: p.user.toLowerCase() }, channel: { id: p.channel ?? "C-GENERAL" }, trigger_id: p.trigger, response_url: p.responseUrl,
    actions: [{ type: "button", action_id: p.actionId, value: p.actionId, action_ts: String(Date.now() / 1000) }], api_app_id: "A1", token: "x", container: { type: "message" },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
