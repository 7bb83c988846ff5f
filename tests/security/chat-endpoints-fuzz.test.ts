// The public POST endpoints against the real HTTP server: a 64 MB body is refused (French 413)
// without being buffered, stale Discord timestamps are refused like Slack's, and a fuzz of
// 1,000 malformed requests per endpoint (half validly signed) never gets a 5xx.
import { createHmac, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatWorld, COORDO, type ChatWorld } from "../integration/chat-setup.ts";
import { createHttpApp, listen } from "../../src/http/server.ts";
import { Dispatcher } from "../../src/app/dispatcher.ts";
import { startSlack, type SlackAdapter } from "../../src/chat/slack/adapter.ts";
import { mountDiscordInteractions } from "../../src/chat/discord/adapter.ts";
import { mountHelloAsso } from "../../src/helloasso/route.ts";
import { ChatRepository } from "../../src/db/repos/chat-repo.ts";
import { prng } from "../../src/prng.ts";

const SECRET = "secret-de-signature-fuzz";
let w: ChatWorld;
let slack: SlackAdapter;
let server: http.Server;
let port: number;
let fake: http.Server;
let fakeBase: string;
let discordKey: KeyObject;
let helloassoPath: string;

beforeAll(async () => {
  w = await chatWorld();
  // stands for Slack's Web API, response_url hosts and Discord's REST API: answers ok to everything
  fake = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true, team_id: "T-DEMO", channel: { id: "D-FUZZ" } }));
    });
  });
  await new Promise<void>((r) => fake.listen(0, "127.0.0.1", () => r()));
  fakeBase = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  const chat = new ChatRepository(w.t.db);
  await chat.linkWorkspace("SLACK", "T-DEMO", w.cptsId);
  await chat.linkWorkspace("DISCORD", "G-DEMO", w.cptsId);
  const coordo = await w.t.db.member.findFirstOrThrow({ where: { email: COORDO } });
  for (const [p, team, user] of [["SLACK", "T-DEMO", "U-COORDO"], ["DISCORD", "G-DEMO", "D-COORDO"]] as const) {
    const ws = (await chat.findWorkspace(p, team))!;
    await chat.linkIdentity((await chat.identity(ws.id, user)).id, coordo.id);
  }
  const pair = generateKeyPairSync("ed25519");
  discordKey = pair.privateKey;
  const publicHex = pair.publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
  const app = createHttpApp(w.app);
  const dispatcher = new Dispatcher(w.app);
  slack = await startSlack(w.app, app, dispatcher, { botToken: "xoxb-fuzz", signingSecret: SECRET, slackApiUrl: `${fakeBase}/api/` });
  mountDiscordInteractions(w.app, app, dispatcher, { publicKey: publicHex, apiBase: `${fakeBase}/discord` });
  mountHelloAsso(w.app, app);
  const cpts = await w.t.db.cpts.findUniqueOrThrow({ where: { id: w.cptsId } });
  helloassoPath = `/helloasso/${cpts.helloassoToken}`;
  const listening = await listen(app, 0, "127.0.0.1");
  server = listening.server as http.Server;
  port = listening.port;
});

afterAll(async () => {
  await slack?.stop();
  server?.close();
  fake?.close();
  await w?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const slackHeaders = (body: string | Buffer, ts = now()) => ({
  "x-slack-request-timestamp": String(ts),
  "x-slack-signature": `v0=${createHmac("sha256", SECRET).update(`v0:${ts}:`).update(body).digest("hex")}`,
});
const discordHeaders = (body: string | Buffer, ts = now()) => ({
  "x-signature-timestamp": String(ts),
  "x-signature-ed25519": sign(null, Buffer.concat([Buffer.from(String(ts)), Buffer.from(body)]), discordKey).toString("hex"),
});

/** A raw request: the body streamed in chunks (Content-Length or chunked), the status and the answer. */
function rawPost(path: string, headers: Record<string, string>, chunks: Iterable<Buffer>, opts: { contentLength?: number } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path, method: "POST", agent: false, headers: { ...headers, ...(opts.contentLength !== undefined ? { "content-length": opts.contentLength } : {}) } }, (res) => {
      let b = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (b += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: b }));
    });
    let answered = false;
    req.on("response", () => (answered = true));
    req.on("error", (e) => (answered ? undefined : reject(e)));
    (async () => {
      for (const c of chunks) {
        if (answered || req.destroyed) break;
        if (!req.write(c)) await new Promise((r) => req.once("drain", r));
      }
      req.end();
    })().catch(() => undefined);
  });
}

function* megabytes(total: number): Generator<Buffer> {
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  for (let sent = 0; sent < total; sent += chunk.length) yield chunk;
}

const MB64 = 64 * 1024 * 1024;

describe("taille des corps : refus pendant la lecture, mémoire plate", () => {
  for (const [name, path, headers] of [
    ["Slack", "/slack/events", () => ({ "content-type": "application/x-www-form-urlencoded", ...slackHeaders("x") })],
    ["Discord", "/discord/interactions", () => ({ "content-type": "application/json", ...discordHeaders("x") })],
  ] as const) {
    for (const mode of ["Content-Length annoncé", "envoi par morceaux (chunked)"] as const) {
      it(`${name} : un corps de 64 Mo (${mode}) reçoit un 413 en français sans être gardé en mémoire`, async () => {
        global.gc?.();
        const before = process.memoryUsage();
        let peak = before.rss;
        const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
        const res = await rawPost(path, headers(), megabytes(MB64), mode === "Content-Length annoncé" ? { contentLength: MB64 } : {});
        clearInterval(sampler);
        expect(res.status).toBe(413);
        expect(res.body).toMatch(/trop volumineuse/);
        // the whole process (client and server in it) grows by far less than the 64 MB sent
        expect(peak - before.rss).toBeLessThan(24 * 1024 * 1024);
      });
    }
  }

  it("le serveur répond encore normalement après ces envois", async () => {
    const body = JSON.stringify({ id: "p", application_id: "A", type: 1, token: "t" });
    const res = await fetch(`http://127.0.0.1:${port}/discord/interactions`, { method: "POST", body, headers: { "content-type": "application/json", ...discordHeaders(body) } });
    expect(await res.json()).toEqual({ type: 1 });
  });
});

describe("horodatage des requêtes Discord", () => {
  it("une interaction bien signée mais datée de 2020 est refusée (401), comme pour Slack", async () => {
    const body = JSON.stringify({ id: "old", application_id: "A", type: 1, token: "t" });
    const ts = Math.floor(Date.UTC(2020, 0, 1) / 1000);
    const res = await fetch(`http://127.0.0.1:${port}/discord/interactions`, { method: "POST", body, headers: { "content-type": "application/json", ...discordHeaders(body, ts) } });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe("Requête périmée.");
  });

  it("une interaction de commande sans utilisateur reçoit 400, pas 500", async () => {
    const body = JSON.stringify({ id: "nouser", application_id: "A", type: 2, token: "t", guild_id: "G-DEMO", data: { name: "cotisation" } });
    const res = await fetch(`http://127.0.0.1:${port}/discord/interactions`, { method: "POST", body, headers: { "content-type": "application/json", ...discordHeaders(body) } });
    expect(res.status).toBe(400);
  });

  it("une commande Slack signée sans utilisateur reçoit 400, pas 500", async () => {
    const body = new URLSearchParams({ command: "/cotisation", team_id: "T-DEMO", channel_id: "C1", trigger_id: "t", response_url: `${fakeBase}/r` }).toString();
    const res = await fetch(`http://127.0.0.1:${port}/slack/events`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...slackHeaders(body) } });
    expect(res.status).toBe(400);
  });
});

// ── fuzz ──
type Rand = () => number;
const pick = <T,>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const weird = ["", " ", "null", "{}", "[]", "é".repeat(5), "<!channel> @here", "\u0000", "%", "%ZZ", "a".repeat(5000), "💥", "-1", "1e309", "__proto__", "constructor", "true"];

function randomValue(r: Rand, depth = 0): unknown {
  const k = Math.floor(r() * (depth > 3 ? 5 : 8));
  switch (k) {
    case 0: return null;
    case 1: return Math.floor(r() * 2 ** 40) * (r() < 0.5 ? -1 : 1);
    case 2: return r() < 0.5;
    case 3: return pick(r, weird);
    case 4: return String.fromCharCode(...Array.from({ length: Math.floor(r() * 30) }, () => Math.floor(r() * 0xd7ff)));
    case 5: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: return Object.fromEntries(Array.from({ length: Math.floor(r() * 5) }, () => [pick(r, ["type", "user", "id", "team", "data", "options", "view", "actions", "payload", pick(r, weird)]), randomValue(r, depth + 1)]));
  }
}

/** A valid-looking payload with one to three of its fields removed, retyped or blown up. */
function mutate(r: Rand, base: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const keys = Object.keys(out);
    const key = pick(r, keys);
    const how = Math.floor(r() * 4);
    if (how === 0) delete out[key];
    else if (how === 1) out[key] = randomValue(r);
    else if (how === 2) out[key] = "x".repeat(Math.floor(r() * 200_000));
    else if (out[key] && typeof out[key] === "object") out[key] = mutate(r, out[key] as Record<string, unknown>);
    else out[pick(r, weird)] = randomValue(r);
  }
  return out;
}

const slackBases = (): Record<string, unknown>[] => [
  { command: "/cotisation", team_id: "T-DEMO", user_id: "U-COORDO", channel_id: "C1", trigger_id: "tr", response_url: `${fakeBase}/hook`, text: "" },
  { command: "/adhesion", team_id: "T-DEMO", user_id: "U-NEW", channel_id: "C1", trigger_id: "tr", response_url: `${fakeBase}/hook`, text: "lier email=x@y.fr" },
  { type: "block_actions", team: { id: "T-DEMO" }, user: { id: "U-COORDO" }, channel: { id: "C1" }, trigger_id: "tr", response_url: `${fakeBase}/hook`, actions: [{ action_id: "mes-donnees:annuler:abc", action_ts: "1" }] },
  { type: "view_submission", team: { id: "T-DEMO" }, user: { id: "U-COORDO" }, view: { id: "V1", callback_id: "adhesion:nouvelle", private_metadata: "C1", state: { values: { prenom: { prenom: { value: "Léa" } } } } } },
  { type: "event_callback", team_id: "T-DEMO", event: { type: "app_uninstalled" } },
  { type: "url_verification", challenge: "abc" },
];

const discordBases = (): Record<string, unknown>[] => [
  { id: "1", application_id: "A", type: 2, token: "t", guild_id: "G-DEMO", channel_id: "C", member: { user: { id: "D-COORDO" } }, data: { name: "cotisation", options: [] } },
  { id: "1", application_id: "A", type: 3, token: "t", guild_id: "G-DEMO", channel_id: "C", member: { user: { id: "D-COORDO" } }, data: { custom_id: "mes-donnees:annuler:abc" } },
  { id: "1", application_id: "A", type: 4, token: "t", guild_id: "G-DEMO", member: { user: { id: "D-COORDO" } }, data: { name: "adhesion", options: [{ name: "commune", value: "va", focused: true }] } },
  { id: "1", application_id: "A", type: 5, token: "t", guild_id: "G-DEMO", member: { user: { id: "D-COORDO" } }, data: { custom_id: "adhesion:nouvelle", components: [{ type: 1, components: [{ custom_id: "prenom", value: "Léa" }] }] } },
  { id: "1", application_id: "A", type: 1, token: "t" },
];

function fuzzBody(r: Rand, bases: Record<string, unknown>[], form: boolean, seq: number): { body: string; contentType: string } {
  const k = Math.floor(r() * 6);
  const ct = pick(r, form ? ["application/x-www-form-urlencoded", "application/json", "text/plain", ""] : ["application/json", "text/plain", "application/x-www-form-urlencoded", ""]);
  if (k === 0) return { body: Buffer.from(Array.from({ length: Math.floor(r() * 400) }, () => Math.floor(r() * 256))).toString("latin1"), contentType: ct };
  if (k === 1) return { body: JSON.stringify(randomValue(r)), contentType: ct };
  if (k === 2) return { body: JSON.stringify(mutate(r, pick(r, bases))).slice(0, Math.floor(r() * 300)), contentType: ct };
  const payload = mutate(r, pick(r, bases));
  if (typeof payload.id === "string") payload.id = `${payload.id}-${seq}`;
  if (!form || k === 3) return { body: JSON.stringify(payload), contentType: form ? "application/json" : ct };
  if (k === 4) return { body: new URLSearchParams({ payload: r() < 0.7 ? JSON.stringify(payload) : "{pas du json" }).toString(), contentType: "application/x-www-form-urlencoded" };
  const params = new URLSearchParams();
  for (const [key, v] of Object.entries(payload)) params.append(key, typeof v === "string" ? v : JSON.stringify(v) ?? "");
  return { body: params.toString(), contentType: "application/x-www-form-urlencoded" };
}

async function fuzz(path: string, n: number, make: (r: Rand, i: number) => { body: string; headers: Record<string, string> }): Promise<Map<number, number>> {
  const r = prng(0xc00d0 + path.length);
  const statuses = new Map<number, number>();
  const cases = Array.from({ length: n }, (_, i) => make(r, i));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < cases.length) {
        const c = cases[next++]!;
        // one connection per request: a refusal that does not read the body may close it
        const res = await rawPost(path, c.headers, [Buffer.from(c.body)], { contentLength: Buffer.byteLength(c.body) });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  return statuses;
}

const fiveHundreds = (m: Map<number, number>) => [...m].filter(([s]) => s >= 500).reduce((a, [, n]) => a + n, 0);

describe("fuzz : 1 000 requêtes mal formées par point d'entrée, signées ou non, aucune réponse 5xx", () => {
  it("POST /slack/events", async () => {
    const statuses = await fuzz("/slack/events", 1000, (r, i) => {
      const { body, contentType } = fuzzBody(r, slackBases(), true, i);
      const signed = i % 2 === 0;
      const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
      if (signed) Object.assign(headers, slackHeaders(body));
      else if (r() < 0.5) Object.assign(headers, { "x-slack-request-timestamp": pick(r, ["", "abc", String(now()), "-5", "9".repeat(30)]), "x-slack-signature": pick(r, ["", "v0=", "v0=zz", `v0=${"0".repeat(64)}`]) });
      return { body, headers };
    });
    console.info("Slack fuzz statuses", Object.fromEntries(statuses));
    expect(fiveHundreds(statuses)).toBe(0);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(1000);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
  }, 120_000);

  it("POST /discord/interactions", async () => {
    const statuses = await fuzz("/discord/interactions", 1000, (r, i) => {
      const { body, contentType } = fuzzBody(r, discordBases(), false, i);
      const signed = i % 2 === 0;
      const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
      if (signed) Object.assign(headers, discordHeaders(body));
      else if (r() < 0.5) Object.assign(headers, { "x-signature-timestamp": pick(r, ["", "abc", String(now())]), "x-signature-ed25519": pick(r, ["", "zz", "0".repeat(128), "a".repeat(127)]) });
      return { body, headers };
    });
    console.info("Discord fuzz statuses", Object.fromEntries(statuses));
    expect(fiveHundreds(statuses)).toBe(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(100);
  }, 120_000);

  it("POST /helloasso/<jeton>", async () => {
    const bases = [{ eventType: "Order", data: { payer: { firstName: "<!channel>", lastName: "@here", email: "a@b.fr" }, items: [{ amount: 3000, type: "Membership" }], amount: { total: 3000 }, id: 1 } }];
    const statuses = await fuzz(helloassoPath, 1000, (r, i) => {
      const { body, contentType } = fuzzBody(r, bases, false, i);
      const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
      return { body, headers };
    });
    console.info("HelloAsso fuzz statuses", Object.fromEntries(statuses));
    expect(fiveHundreds(statuses)).toBe(0);
  }, 120_000);

  it("aucune erreur interne n'a été journalisée par le serveur HTTP", () => {
    expect(w.logs.filter((l) => l.includes("http handler failed"))).toEqual([]);
  });
});
