// The Slack path through signed HTTP requests to the real Bolt app mounted on coordo's Hono server;
// respond() reaches the local fake of Slack (tests/helpers/fake-slack.ts) as its response_url.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { AddressInfo } from "node:net";
import type { ServerType } from "@hono/node-server";
import { chatWorld, COORDO, type ChatWorld } from "./chat-setup.ts";
import { createHttpApp, listen } from "../../src/http/server.ts";
import { Dispatcher } from "../../src/app/dispatcher.ts";
import { startSlack, type SlackAdapter } from "../../src/chat/slack/adapter.ts";
import { ChatRepository } from "../../src/db/repos/chat-repo.ts";
import { startFakeSlack, slackSigned, type FakeSlack } from "../helpers/fake-slack.ts";

const SECRET = "secret-de-signature-test";
let w: ChatWorld;
let server: ServerType;
let base: string;
let slack: SlackAdapter;
let fake: FakeSlack;
let responseUrl: string;
let inlineSlack: SlackAdapter;
let inlineServer: ServerType;
let inlineBase: string;

function signed(body: string, opts: { secret?: string; ts?: number; retry?: string; json?: boolean } = {}) {
  const req = slackSigned(opts.secret ?? SECRET, body, opts);
  if (opts.retry) Object.assign(req.headers, { "x-slack-retry-num": opts.retry, "x-slack-retry-reason": "http_timeout" });
  return req;
}

const slash = (command: string, text: string, trigger: string, team = "T-DEMO", user = "U-COORDO") =>
  new URLSearchParams({ team_id: team, team_domain: "demo", channel_id: "C-GENERAL", user_id: user, user_name: "camille", command, text, response_url: responseUrl, trigger_id: trigger, api_app_id: "A1" }).toString();

beforeAll(async () => {
  w = await chatWorld();
  fake = await startFakeSlack();
  responseUrl = fake.hook("reponse");
  const chat = new ChatRepository(w.t.db);
  await chat.linkWorkspace("SLACK", "T-DEMO", w.cptsId, "Slack démo");
  const ws = (await chat.findWorkspace("SLACK", "T-DEMO"))!;
  const coordo = await w.t.db.member.findFirstOrThrow({ where: { email: COORDO } });
  await chat.linkIdentity((await chat.identity(ws.id, "U-COORDO")).id, coordo.id);
  const app = createHttpApp(w.app);
  // commandAnswerMs 0: the path of a command slower than the ack window (« en cours », then its response_url)
  slack = await startSlack(w.app, app, new Dispatcher(w.app), { botToken: "xoxb-test", signingSecret: SECRET, slackApiUrl: fake.apiUrl, commandAnswerMs: 0 });
  // a second receiver with the ack window open for as long as a loaded machine needs: answers ride in the ack
  const inlineApp = createHttpApp(w.app);
  inlineSlack = await startSlack(w.app, inlineApp, new Dispatcher(w.app), { botToken: "xoxb-test", signingSecret: SECRET, slackApiUrl: fake.apiUrl, commandAnswerMs: 60_000 });
  ({ server: inlineServer } = await listen(inlineApp, 0, "127.0.0.1"));
  inlineBase = `http://127.0.0.1:${(inlineServer.address() as AddressInfo).port}`;
  ({ server } = await listen(app, 0, "127.0.0.1"));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await slack?.stop();
  await inlineSlack?.stop();
  server?.close();
  inlineServer?.close();
  await fake?.close();
  await w?.close();
});

describe("adaptateur Slack (requêtes HTTP signées)", () => {
  it("accuse réception tout de suite puis répond en Block Kit par response_url", async () => {
    const res = await fetch(`${base}/slack/events`, signed(slash("/cotisation", "", "trig-1")));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ response_type: "ephemeral", text: "⏳ en cours…" });
    await expect.poll(() => fake.responses.length).toBe(1);
    const msg = fake.responses[0]!.body;
    expect(msg.response_type).toBe("ephemeral");
    expect(msg.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "Cotisation 2026" } });
  });

  it("refuse une signature invalide (401) sans rien exécuter", async () => {
    const before = fake.responses.length;
    const res = await fetch(`${base}/slack/events`, signed(slash("/aide", "", "trig-bad"), { secret: "mauvais" }));
    expect(res.status).toBe(401);
    expect(await w.t.db.chatInteraction.count({ where: { externalId: "commande:trig-bad" } })).toBe(0);
    expect(fake.responses.length).toBe(before);
  });

  it("refuse une requête à l'horodatage périmé (rejeu)", async () => {
    const res = await fetch(`${base}/slack/events`, signed(slash("/aide", "", "trig-old"), { ts: Math.floor(Date.now() / 1000) - 600 }));
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("périmée");
  });

  it("une livraison rejouée par Slack (X-Slack-Retry-Num) n'est exécutée qu'une fois", async () => {
    const body = slash("/adhesion", "", "trig-retry");
    const before = fake.responses.length;
    expect((await fetch(`${base}/slack/events`, signed(body))).status).toBe(200);
    expect((await fetch(`${base}/slack/events`, signed(body, { retry: "1" }))).status).toBe(200);
    await expect.poll(() => fake.responses.length).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.responses.length).toBe(before + 1);
    expect(await w.t.db.chatInteraction.count({ where: { platform: "SLACK", externalId: "commande:trig-retry" } })).toBe(1);
  });

  it("un bouton Block Kit pressé déclenche l'action correspondante", async () => {
    const before = fake.responses.length;
    await fetch(`${base}/slack/events`, signed(slash("/mes-donnees", "effacer", "trig-menu")));
    await expect.poll(() => fake.responses.length).toBe(before + 1);
    const actions = fake.responses.at(-1)!.body.blocks.find((b: any) => b.type === "actions");
    const cancel = actions.elements.find((e: any) => e.text.text === "Annuler");
    const payload = { type: "block_actions", team: { id: "T-DEMO" }, user: { id: "U-COORDO", name: "camille" }, channel: { id: "C-GENERAL" }, trigger_id: "trig-click", response_url: responseUrl, actions: [{ type: "button", action_id: cancel.action_id, value: cancel.value, action_ts: "1" }], api_app_id: "A1", token: "x", container: { type: "message" } };
    const res = await fetch(`${base}/slack/events`, signed(new URLSearchParams({ payload: JSON.stringify(payload) }).toString()));
    expect(res.status).toBe(200);
    await expect.poll(() => fake.responses.length).toBe(before + 2);
    expect(fake.responses.at(-1)!.body.text).toBe("Rien n'a été effacé.");
  });

  it("un espace Slack non relié reçoit le message d'installation", async () => {
    const before = fake.responses.length;
    await fetch(`${base}/slack/events`, signed(slash("/aide", "", "trig-t2", "T-AUTRE")));
    await expect.poll(() => fake.responses.length).toBe(before + 1);
    expect(fake.responses.at(-1)!.body.text).toContain("n'est relié à aucune CPTS");
  });

  it("répond au défi url_verification de l'API Events", async () => {
    const res = await fetch(`${base}/slack/events`, signed(JSON.stringify({ type: "url_verification", challenge: "abc123" }), { json: true }));
    expect(await res.json()).toEqual({ challenge: "abc123" });
  });
});

describe("adaptateur Slack : la réponse d'une commande dans l'accusé de réception", () => {
  it("une commande prête à temps répond dans la réponse HTTP elle-même, sans « en cours » ni response_url", async () => {
    const before = fake.responses.length;
    const res = await fetch(`${inlineBase}/slack/events`, signed(slash("/cotisation", "", "trig-inline-1")));
    expect(res.status).toBe(200);
    const msg = await res.json();
    expect(msg.response_type).toBe("ephemeral");
    expect(msg.blocks[0]).toEqual({ type: "header", text: { type: "plain_text", text: "Cotisation 2026" } });
    expect(msg.text).not.toContain("en cours");
    expect(await w.t.db.chatInteraction.count({ where: { platform: "SLACK", externalId: "commande:trig-inline-1" } })).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.responses.length).toBe(before);
  });

  it("la même livraison rejouée par Slack reçoit un accusé vide et n'est ni exécutée ni répondue deux fois", async () => {
    const body = slash("/adhesion", "", "trig-inline-retry");
    const before = fake.responses.length;
    const first = await fetch(`${inlineBase}/slack/events`, signed(body));
    expect((await first.json()).text).toBeTruthy();
    const again = await fetch(`${inlineBase}/slack/events`, signed(body, { retry: "1" }));
    expect(again.status).toBe(200);
    expect(await again.text()).toBe("");
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.responses.length).toBe(before);
    expect(await w.t.db.chatInteraction.count({ where: { platform: "SLACK", externalId: "commande:trig-inline-retry" } })).toBe(1);
  });

  it("une commande qui ouvre un formulaire (views.open) reçoit un accusé vide : aucun « en cours » laissé dans le salon", async () => {
    const opened = fake.calls.filter((c) => c.path === "views.open").length;
    const before = fake.responses.length;
    const res = await fetch(`${inlineBase}/slack/events`, signed(slash("/adhesion", "nouvelle", "trig-inline-form", "T-DEMO", "U-NOUVELLE")));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(fake.calls.filter((c) => c.path === "views.open").length).toBe(opened + 1);
    expect(fake.responses.length).toBe(before);
  });

  it("la page suivante d'une réponse en pages passe toujours par response_url (le bouton remplace le message)", async () => {
    const res = await fetch(`${inlineBase}/slack/events`, signed(slash("/mes-donnees", "effacer", "trig-inline-menu")));
    const msg = await res.json();
    const actions = msg.blocks.find((b: any) => b.type === "actions");
    const cancel = actions.elements.find((e: any) => e.text.text === "Annuler");
    const before = fake.responses.length;
    const payload = { type: "block_actions", team: { id: "T-DEMO" }, user: { id: "U-COORDO", name: "camille" }, channel: { id: "C-GENERAL" }, trigger_id: "trig-inline-click", response_url: responseUrl, actions: [{ type: "button", action_id: cancel.action_id, value: cancel.value, action_ts: "2" }], api_app_id: "A1", token: "x", container: { type: "message" } };
    expect((await fetch(`${inlineBase}/slack/events`, signed(new URLSearchParams({ payload: JSON.stringify(payload) }).toString()))).status).toBe(200);
    await expect.poll(() => fake.responses.length).toBe(before + 1);
    expect(fake.responses.at(-1)!.body.text).toBe("Rien n'a été effacé.");
  });
});
