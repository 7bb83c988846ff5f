// The Discord path through the HTTP interactions endpoint, signed with an Ed25519 key made here;
// deferred answers reach a capture server standing in for Discord's REST API.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ServerType } from "@hono/node-server";
import { chatWorld, COORDO, type ChatWorld } from "./chat-setup.ts";
import { createHttpApp, listen } from "../../src/http/server.ts";
import { Dispatcher } from "../../src/app/dispatcher.ts";
import { mountDiscordInteractions, syncGuildCommands } from "../../src/chat/discord/adapter.ts";
import { ChatRepository } from "../../src/db/repos/chat-repo.ts";

let w: ChatWorld;
let server: ServerType;
let slowServer: ServerType;
let base: string;
let slowBase: string;
let privateKey: KeyObject;
let capture: http.Server;
const rest: { method: string; url: string; body: any }[] = [];
let seq = 0;

function post(url: string, body: object, key: KeyObject = privateKey) {
  const raw = JSON.stringify(body);
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = sign(null, Buffer.from(ts + raw), key).toString("hex");
  return fetch(url, { method: "POST", body: raw, headers: { "content-type": "application/json", "x-signature-ed25519": sig, "x-signature-timestamp": ts } });
}

const interaction = (type: number, data: object, user = "D-COORDO", guild = "G-DEMO") => ({
  id: `i-${++seq}`, application_id: "APP1", type, token: `tok-${seq}`, guild_id: guild, channel_id: "CH1", member: { user: { id: user, username: "camille" } }, data,
});

beforeAll(async () => {
  w = await chatWorld();
  const pair = generateKeyPairSync("ed25519");
  privateKey = pair.privateKey;
  const publicHex = pair.publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
  capture = http.createServer((req, res) => {
    let b = "";
    req.on("data", (c) => (b += c));
    req.on("end", () => {
      rest.push({ method: req.method!, url: req.url!, body: JSON.parse(b) });
      res.setHeader("content-type", "application/json");
      res.end("{}");
    });
  });
  await new Promise<void>((r) => capture.listen(0, "127.0.0.1", () => r()));
  const chat = new ChatRepository(w.t.db);
  await chat.linkWorkspace("DISCORD", "G-DEMO", w.cptsId, "Discord démo");
  const ws = (await chat.findWorkspace("DISCORD", "G-DEMO"))!;
  const coordo = await w.t.db.member.findFirstOrThrow({ where: { email: COORDO } });
  await chat.linkIdentity((await chat.identity(ws.id, "D-COORDO")).id, coordo.id);
  const dispatcher = new Dispatcher(w.app);
  const app = createHttpApp(w.app);
  // the immediate answer, whatever the load of the machine (past Discord's 2 s it is deferred: the second endpoint below)
  mountDiscordInteractions(w.app, app, dispatcher, { publicKey: publicHex, deadlineMs: 60_000 });
  ({ server } = await listen(app, 0, "127.0.0.1"));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/discord/interactions`;
  // a second endpoint whose reply deadline is already over: every answer goes through defer + edit
  const slowApp = createHttpApp(w.app);
  mountDiscordInteractions(w.app, slowApp, dispatcher, { publicKey: publicHex, apiBase: `http://127.0.0.1:${(capture.address() as AddressInfo).port}/api/v10`, deadlineMs: 0 });
  ({ server: slowServer } = await listen(slowApp, 0, "127.0.0.1"));
  slowBase = `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}/discord/interactions`;
});
afterAll(async () => {
  server?.close();
  slowServer?.close();
  capture?.close();
  await w?.close();
});

describe("adaptateur Discord (point d'entrée HTTP des interactions)", () => {
  it("répond PONG à un PING signé", async () => {
    const res = await post(base, { id: "ping", type: 1, application_id: "APP1", token: "t" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: 1 });
  });

  it("refuse une signature faite avec une autre clé (401)", async () => {
    const other = generateKeyPairSync("ed25519").privateKey;
    const res = await post(base, { id: "ping2", type: 1 }, other);
    expect(res.status).toBe(401);
  });

  it("exécute une commande slash et répond par un message avec embed et boutons", async () => {
    const res = await post(base, interaction(2, { name: "relance-cotisations", options: [] }));
    const body = await res.json();
    expect(body.type).toBe(4);
    expect(body.data.flags).toBe(64);
    expect(body.data.embeds[0].title).toBe("Relances de cotisation 2026");
    const labels = body.data.components[0].components.map((c: any) => c.label);
    expect(labels).toContain("Voir la liste");
  });

  it("un bouton pressé renvoie le résultat de l'action", async () => {
    const first = await (await post(base, interaction(2, { name: "mes-donnees", options: [{ name: "action", type: 3, value: "effacer" }] }))).json();
    const cancel = first.data.components[0].components.find((c: any) => c.label === "Annuler");
    const res = await (await post(base, interaction(3, { custom_id: cancel.custom_id, component_type: 2 }))).json();
    expect(res).toMatchObject({ type: 4, data: { content: "Rien n'a été effacé.", flags: 64 } });
  });

  it("une option invalide reçoit un message en français nommant l'option", async () => {
    const res = await (await post(base, interaction(2, { name: "emargement", options: [{ name: "titre", type: 3, value: "Réunion" }, { name: "mission", type: 3, value: "acces_soins" }, { name: "duree", type: 4, value: 5000 }] }))).json();
    expect(res.data.content).toContain("L'option « duree » attend une durée en minutes entre 15 et 600");
  });

  it("propose en autocomplétion les communes de la CPTS (25 au plus)", async () => {
    const res = await (await post(base, interaction(4, { name: "adhesion", options: [{ name: "commune", type: 3, value: "valde", focused: true }] }))).json();
    expect(res.type).toBe(8);
    expect(res.data.choices).toEqual([{ name: "Valdémo (59100)", value: "Valdémo" }]);
  });

  it("une même interaction livrée deux fois n'est exécutée qu'une fois", async () => {
    const one = interaction(2, { name: "adhesion", options: [{ name: "action", type: 3, value: "lier" }, { name: "email", type: 3, value: "presidence@cpts-demo.fr" }] }, "D-NOUVEAU");
    await post(base, one);
    const again = await (await post(base, one)).json();
    expect(again.type).toBe(5);
    expect(await w.t.db.outboxMessage.count({ where: { kind: "code", recipient: "presidence@cpts-demo.fr" } })).toBe(1);
  });

  it("au-delà du délai : réponse différée éphémère puis édition du message par l'API", async () => {
    const i = interaction(2, { name: "financement", options: [] });
    const res = await (await post(slowBase, i)).json();
    expect(res).toEqual({ type: 5, data: { flags: 64 } });
    await expect.poll(() => rest.length).toBeGreaterThanOrEqual(2);
    // discord.js's REST client percent-encodes « @original » (as discord.js's own editReply does)
    expect({ ...rest[0], url: decodeURIComponent(rest[0]!.url) }).toMatchObject({ method: "PATCH", url: `/api/v10/webhooks/APP1/${i.token}/messages/@original` });
    // a public answer is posted as a follow-up, the deferred ephemeral one says where it went
    expect(rest[0]!.body.content).toBe("Réponse publiée dans le salon.");
    expect(rest[1]).toMatchObject({ method: "POST", url: `/api/v10/webhooks/APP1/${i.token}` });
    expect(rest[1]!.body.embeds[0].title).toMatch(/^Financement ACI/);
  });

  it("enregistre les commandes d'un serveur relié seulement quand leur liste a changé", async () => {
    const puts: { route: string; body: any }[] = [];
    const put = async (route: string, body: unknown) => void puts.push({ route, body });
    const chat = new ChatRepository(w.t.db);
    expect(await syncGuildCommands(chat, put, "APP1", "G-DEMO")).toBe(true);
    expect(puts[0]!.route).toBe("/applications/APP1/guilds/G-DEMO/commands");
    expect(puts[0]!.body.map((c: any) => c.name)).toContain("relance-cotisations");
    expect(await syncGuildCommands(chat, put, "APP1", "G-DEMO")).toBe(false);
    expect(await syncGuildCommands(chat, put, "APP1", "G-NON-RELIE")).toBe(false);
    expect(puts).toHaveLength(1);
  });
});
