// Discord in HTTP-only mode (no gateway): commands registered over REST at start when they
// changed, and a crisis alert delivered by the outbox through discord.js's REST client to a local
// fake of Discord's REST API (shapes from Discord's documentation: GET /channels/{id} gives a
// channel object with guild_id; POST /channels/{id}/messages gives a message; 429 with retry_after).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { chatWorld, COORDO, type ChatWorld } from "./chat-setup.ts";
import { ChatRepository } from "../../src/db/repos/chat-repo.ts";
import { startDiscordRest } from "../../src/chat/discord/adapter.ts";
import { createSender } from "../../src/mail/component.ts";
import { systemClock } from "../../src/app/context.ts";
import { checkAlertChannel } from "../../src/app/alert-channel.ts";
import { loadConfig } from "../../src/config.ts";
import { createHttpApp } from "../../src/http/server.ts";
import { adminComponent } from "../../src/admin/index.ts";
import { commandsHash } from "../../src/chat/discord/definitions.ts";
import { commands } from "../../commands/index.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { Client } from "./admin-setup.ts";

const GUILD = "111111111111111111";
const ALERTS = "222222222222222222";
const OTHER_GUILD = "999999999999999999";
const OTHER_CHANNEL = "333333333333333333";
let w: ChatWorld;
let fake: http.Server;
let api: string;
const calls: { method: string; url: string; auth?: string; body: any }[] = [];
let throttleNext = true;
let discord: Awaited<ReturnType<typeof startDiscordRest>> | undefined;

beforeAll(async () => {
  w = await chatWorld();
  fake = http.createServer((req, res) => {
    let b = "";
    req.on("data", (c) => (b += c));
    req.on("end", () => {
      const body = b ? JSON.parse(b) : undefined;
      calls.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      res.setHeader("content-type", "application/json");
      const channel = /^\/api\/v10\/channels\/(\d+)$/.exec(req.url!);
      if (req.method === "GET" && channel) {
        const guild = channel[1] === ALERTS ? GUILD : channel[1] === OTHER_CHANNEL ? OTHER_GUILD : null;
        if (!guild) return res.writeHead(404).end(JSON.stringify({ message: "Unknown Channel", code: 10003 }));
        return res.end(JSON.stringify({ id: channel[1], type: 0, guild_id: guild, name: "alertes" }));
      }
      if (req.method === "POST" && /\/channels\/\d+\/messages$/.test(req.url!)) {
        if (throttleNext) {
          throttleNext = false;
          res.writeHead(429, { "retry-after": "0.2", "x-ratelimit-scope": "user" });
          return res.end(JSON.stringify({ message: "You are being rate limited.", retry_after: 0.2, global: false }));
        }
        return res.end(JSON.stringify({ id: "444", channel_id: ALERTS, content: body.content }));
      }
      if (req.method === "PUT" && /\/applications\/APP1\/guilds\/\d+\/commands$/.test(req.url!)) return res.end(JSON.stringify(body));
      res.writeHead(404).end(JSON.stringify({ message: "404: Not Found", code: 0 }));
    });
  });
  await new Promise<void>((r) => fake.listen(0, "127.0.0.1", () => r()));
  api = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/api/v10`;
  const chat = new ChatRepository(w.t.db);
  await chat.linkWorkspace("DISCORD", GUILD, w.cptsId, "Discord démo");
  await w.t.db.chatWorkspace.updateMany({ where: { externalId: GUILD }, data: { alertChannelId: ALERTS } });
});
afterAll(async () => {
  await discord?.stop();
  fake?.close();
  await w?.close();
});

describe("Discord en mode HTTP seul (sans passerelle), API REST locale", () => {
  it("enregistre les commandes des serveurs reliés au démarrage, une seule fois tant qu'elles ne changent pas ; les commandes d'administration sont réservées aux gestionnaires du serveur", async () => {
    const first = await startDiscordRest(w.app, { token: "jeton-du-bot", applicationId: "APP1", apiBase: api });
    await first.stop();
    const puts = calls.filter((c) => c.method === "PUT");
    expect(puts).toHaveLength(1);
    expect(puts[0]!.url).toBe(`/api/v10/applications/APP1/guilds/${GUILD}/commands`);
    expect(puts[0]!.auth).toBe("Bot jeton-du-bot");
    const byName = new Map(puts[0]!.body.map((c: any) => [c.name, c]));
    expect((byName.get("relance-cotisations") as any).default_member_permissions).toBe("32");
    expect((byName.get("newsletter") as any).default_member_permissions).toBe("32");
    expect((byName.get("cotisation") as any).default_member_permissions).toBeUndefined();
    for (const c of puts[0]!.body) expect(c.description.length).toBeLessThanOrEqual(100);
    // a second start with the same command set registers nothing
    discord = await startDiscordRest(w.app, { token: "jeton-du-bot", applicationId: "APP1", apiBase: api });
    expect(calls.filter((c) => c.method === "PUT")).toHaveLength(1);
  });

  it("une alerte de crise part par l'API REST de Discord (limite de débit 429 respectée), texte tapé neutralisé et aucune mention", async () => {
    const activated = await w.say(COORDO, "/plan-crise activer malades Canicule @everyone <@&123> [Régler ici](https://evil.example)");
    expect(activated.reply.title, activated.text).toContain("Plan de crise activé");
    const row = await w.t.db.outboxMessage.findFirstOrThrow({ where: { channel: "CHAT", recipient: `discord:${GUILD}:${ALERTS}` } });
    // the outbox rows are dated by the real clock: the sender runs on it too
    const { sender } = createSender({ ...w.app, clock: systemClock }, { transport: null });
    await sender.drainAll();
    const after = await w.t.db.outboxMessage.findUniqueOrThrow({ where: { id: row.id } });
    expect(after.state, `${after.lastError} ${JSON.stringify(calls.map((c) => c.method + c.url))}`).toBe("ENVOYE");
    const posts = calls.filter((c) => c.method === "POST" && c.url === `/api/v10/channels/${ALERTS}/messages`);
    // the first POST got 429 and discord.js's REST client retried it after retry_after
    expect(posts).toHaveLength(2);
    const sent = posts.at(-1)!;
    expect(sent.auth).toBe("Bot jeton-du-bot");
    expect(sent.body.allowed_mentions).toEqual({ parse: [] });
    expect(sent.body.content).toContain("Canicule");
    expect(sent.body.content).not.toContain("@everyone");
    expect(sent.body.content).not.toContain("<@&123>");
    expect(sent.body.content).not.toContain("](https://");
  });

  it("un salon d'un autre serveur Discord n'est jamais utilisé, même enregistré en base", async () => {
    await w.t.db.chatWorkspace.updateMany({ where: { externalId: GUILD }, data: { alertChannelId: OTHER_CHANNEL } });
    expect(await discord!.notifier.channelInWorkspace({ workspace: GUILD, channel: OTHER_CHANNEL })).toBe(false);
    expect(await discord!.notifier.channelInWorkspace({ workspace: GUILD, channel: ALERTS })).toBe(true);
    await expect(discord!.notifier.post({ platform: "discord", workspace: GUILD, channel: OTHER_CHANNEL }, "alerte")).rejects.toThrow(/n'appartient pas au serveur relié/);
    // and the admin setting refuses it when it is typed (the CPTS's own channel is accepted)
    await expect(checkAlertChannel(w.t.db, w.cptsId, OTHER_CHANNEL)).rejects.toThrow(/n'appartient à aucun espace de chat relié/);
    await expect(checkAlertChannel(w.t.db, w.cptsId, ALERTS)).resolves.toBeUndefined();
    expect(calls.filter((c) => c.method === "POST" && c.url.includes(OTHER_CHANNEL))).toHaveLength(0);
  });

  it("« Ajouter à Discord » : au retour de l'invitation (admin), les commandes du serveur relié sont enregistrées tout de suite, sans attendre un redémarrage", async () => {
    const NEW_GUILD = "555555555555555555";
    const route = `/api/v10/applications/APP1/guilds/${NEW_GUILD}/commands`;
    const config = loadConfig({ DATABASE_URL: w.t.url, DISCORD_TOKEN: "jeton-du-bot", DISCORD_APPLICATION_ID: "APP1", DISCORD_API_URL: api, COORDO_SECRET_KEY: "cle-de-test-des-retours-d-installation-0123456789" });
    const ctx = { ...w.app, config };
    const app = createHttpApp(ctx);
    await adminComponent.start(ctx, app);
    const coordinator = new Client(app);
    expect((await coordinator.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
    const invite = new URL((await coordinator.get("/admin/cpts/chat/discord/ajouter")).headers.get("location")!);
    const state = encodeURIComponent(invite.searchParams.get("state")!);
    expect(calls.filter((c) => c.method === "PUT" && c.url === route)).toHaveLength(0);
    const back = await coordinator.get(`/admin/chat/discord/retour?code=x&guild_id=${NEW_GUILD}&permissions=52224&state=${state}`);
    expect(back.status).toBe(303);
    const puts = calls.filter((c) => c.method === "PUT" && c.url === route);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.auth).toBe("Bot jeton-du-bot");
    expect(puts[0]!.body.map((c: any) => c.name)).toContain("emargement");
    const flash = /coordo_flash=([^;]+)/.exec(back.headers.getSetCookie().join(";"))![1]!;
    expect(JSON.parse(Buffer.from(flash, "base64url").toString("utf8")).text).toBe(`Serveur Discord ${NEW_GUILD} relié à votre CPTS : ses commandes y sont enregistrées.`);
    const ws = await w.t.db.chatWorkspace.findUniqueOrThrow({ where: { platform_externalId: { platform: "DISCORD", externalId: NEW_GUILD } } });
    expect(ws.cptsId).toBe(w.cptsId);
    expect(ws.commandsHash).toBe(commandsHash(commands));
    // the same hash: the next start registers nothing more there
    const restart = await startDiscordRest(w.app, { token: "jeton-du-bot", applicationId: "APP1", apiBase: api });
    await restart.stop();
    expect(calls.filter((c) => c.method === "PUT" && c.url === route)).toHaveLength(1);
  });
});
