// Long lists paged with « Précédent » / « Suivant » instead of being cut: closing an attendance
// sheet of 30 members through the real signed paths (Slack block_actions with a response_url on a
// local fake of Slack; Discord MESSAGE_COMPONENT signed with Ed25519) and the console.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { ServerType } from "@hono/node-server";
import { chatWorld, COORDO, type ChatWorld } from "./chat-setup.ts";
import { createHttpApp, listen } from "../../src/http/server.ts";
import { Dispatcher } from "../../src/app/dispatcher.ts";
import { startSlack, type SlackAdapter } from "../../src/chat/slack/adapter.ts";
import { mountDiscordInteractions } from "../../src/chat/discord/adapter.ts";
import { ChatRepository } from "../../src/db/repos/chat-repo.ts";
import { openMeeting, signAttendance } from "../../src/app/services/meetings.ts";
import { memberName } from "../../src/db/repos/member-repo.ts";
import { renderText } from "../../src/chat/console/render.ts";
import { listDeadlines } from "../../src/app/services/deadlines.ts";
import type { Reply } from "../../commands/types.ts";
import { startFakeSlack, slackSigned, blockActions, type FakeSlack } from "../helpers/fake-slack.ts";

const SECRET = "secret-pages";
let w: ChatWorld;
let fake: FakeSlack;
let slack: SlackAdapter;
let server: ServerType;
let base: string;
let privateKey: KeyObject;
let seq = 0;

beforeAll(async () => {
  w = await chatWorld();
  fake = await startFakeSlack();
  const pair = generateKeyPairSync("ed25519");
  privateKey = pair.privateKey;
  const publicHex = pair.publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
  const chat = new ChatRepository(w.t.db);
  const coordo = await w.t.db.member.findFirstOrThrow({ where: { email: COORDO } });
  for (const [platform, external, user] of [["SLACK", "T-PAGES", "U-COORDO"], ["DISCORD", "G-PAGES", "D-COORDO"]] as const) {
    await chat.linkWorkspace(platform, external, w.cptsId, "démo");
    const ws = (await chat.findWorkspace(platform, external))!;
    await chat.linkIdentity((await chat.identity(ws.id, user)).id, coordo.id);
  }
  const app = createHttpApp(w.app);
  const dispatcher = new Dispatcher(w.app);
  slack = await startSlack(w.app, app, dispatcher, { botToken: "xoxb-pages", signingSecret: SECRET, slackApiUrl: fake.apiUrl, commandAnswerMs: 0 });
  // deadlineMs: these tests read the immediate answer; past Discord's 2 s (a loaded CI machine) it would be deferred instead
  mountDiscordInteractions(w.app, app, dispatcher, { publicKey: publicHex, deadlineMs: 60_000 });
  ({ server } = await listen(app, 0, "127.0.0.1"));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await slack?.stop();
  server?.close();
  await fake?.close();
  await w?.close();
});

/** Opens a sheet signed by 30 active members; returns their names. */
async function sheetOf30(title: string): Promise<string[]> {
  const meeting = await openMeeting(w.app, { cptsId: w.cptsId, title, mission: "acces_soins", durationMin: 60, heldOn: "2026-11-23", openedBy: "test" });
  const members = await w.t.db.member.findMany({ where: { cptsId: w.cptsId, status: "ACTIF" }, orderBy: { id: "asc" }, take: 30 });
  for (const m of members) await signAttendance(w.app, w.cptsId, meeting.id, m.id);
  return members.map((m) => memberName(m)).sort();
}

const attendee = (fieldName: string) => fieldName.replace(/ \(non indemnisé\)$/, "");

function discord(type: number, data: object) {
  const raw = JSON.stringify({ id: `p-${++seq}`, application_id: "APP1", type, token: `tok-${seq}`, guild_id: "G-PAGES", channel_id: "CH1", member: { user: { id: "D-COORDO", username: "camille" } }, data });
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = sign(null, Buffer.from(ts + raw), privateKey).toString("hex");
  return fetch(`${base}/discord/interactions`, { method: "POST", body: raw, headers: { "content-type": "application/json", "x-signature-ed25519": sig, "x-signature-timestamp": ts } });
}

describe("listes longues en pages (« Suivant »), rien n'est laissé de côté", () => {
  it("Slack : clore une feuille de 30 présents donne la page 1/2 (20 lignes) puis, par « Suivant » (block_actions signé), la page 2/2 à la place du message", async () => {
    const names = await sheetOf30("Réunion des trente Slack");
    const slash = new URLSearchParams({ team_id: "T-PAGES", channel_id: "C-GENERAL", user_id: "U-COORDO", user_name: "camille", command: "/emargement", text: "", response_url: fake.hook("liste"), trigger_id: "trig-liste" }).toString();
    expect((await fetch(`${base}/slack/events`, slackSigned(SECRET, slash))).status).toBe(200);
    const list = await fake.until(() => fake.responses.find((r) => r.path.endsWith("/liste") && r.raw.includes("Clore")));
    const buttons = list.body.blocks.filter((b: any) => b.type === "actions").flatMap((b: any) => b.elements);
    const clore = buttons.find((e: any) => e.text.text === "Clore : Réunion des trente Slack");
    expect(clore).toBeDefined();

    const press = async (actionId: string, hook: string) => {
      const res = await fetch(`${base}/slack/events`, slackSigned(SECRET, blockActions({ team: "T-PAGES", user: "U-COORDO", trigger: `trig-${hook}`, responseUrl: fake.hook(hook), actionId })));
      expect(res.status).toBe(200);
      return (await fake.until(() => fake.responses.find((r) => r.path.endsWith(`/${hook}`)))).body;
    };
    const fieldsOf = (m: any) => m.blocks.filter((b: any) => b.type === "section" && b.fields).flatMap((b: any) => b.fields.map((f: any) => attendee(f.text.split("\n")[0].replace(/^\*|\*$/g, ""))));
    const textOf = (m: any) => m.blocks.filter((b: any) => b.type === "section" && b.text).map((b: any) => b.text.text).join("\n");
    const navOf = (m: any) => m.blocks.filter((b: any) => b.type === "actions").flatMap((b: any) => b.elements);

    const page1 = await press(clore.action_id, "clore");
    expect(textOf(page1)).toContain("Page 1/2");
    expect(fieldsOf(page1)).toHaveLength(20);
    expect(page1.blocks.length).toBeLessThanOrEqual(50);
    const next = navOf(page1).find((e: any) => e.text.text === "Suivant »");
    expect(navOf(page1).map((e: any) => e.text.text)).toEqual(["Suivant »"]);

    const page2 = await press(next.action_id, "suivant");
    expect(page2.replace_original).toBe(true);
    expect(textOf(page2)).toContain("Page 2/2");
    expect(fieldsOf(page2)).toHaveLength(10);
    expect([...fieldsOf(page1), ...fieldsOf(page2)].sort()).toEqual(names);
    const previous = navOf(page2).find((e: any) => e.text.text === "« Précédent");
    const back = await press(previous.action_id, "precedent");
    expect(fieldsOf(back)).toEqual(fieldsOf(page1));
    expect(back.replace_original).toBe(true);
  });

  it("Discord : la page 1/2 tient dans un embed (25 champs au plus), « Suivant » (interaction de composant signée) répond UPDATE_MESSAGE (7) avec la page 2/2", async () => {
    const names = await sheetOf30("Réunion des trente Discord");
    const list = await (await discord(2, { name: "emargement", options: [] })).json();
    const clore = list.data.components.flatMap((r: any) => r.components).find((b: any) => b.label === "Clore : Réunion des trente Discord");
    expect(clore).toBeDefined();
    const page1 = await (await discord(3, { custom_id: clore.custom_id, component_type: 2 })).json();
    expect(page1.type).toBe(4);
    const embed1 = page1.data.embeds[0];
    expect(embed1.description).toContain("Page 1/2");
    expect(embed1.fields).toHaveLength(20);
    const size = (e: any) => (e.title?.length ?? 0) + (e.description?.length ?? 0) + e.fields.reduce((s: number, f: any) => s + f.name.length + f.value.length, 0);
    expect(size(embed1)).toBeLessThanOrEqual(6000);
    const buttons1 = page1.data.components.flatMap((r: any) => r.components);
    expect(page1.data.components.length).toBeLessThanOrEqual(5);
    const next = buttons1.find((b: any) => b.label === "Suivant »");

    const page2 = await (await discord(3, { custom_id: next.custom_id, component_type: 2 })).json();
    expect(page2.type).toBe(7);
    const embed2 = page2.data.embeds[0];
    expect(embed2.description).toContain("Page 2/2");
    expect(embed2.fields).toHaveLength(10);
    expect(page2.data.components.flatMap((r: any) => r.components).map((b: any) => b.label)).toEqual(["« Précédent"]);
    expect([...embed1.fields, ...embed2.fields].map((f: any) => attendee(f.name)).sort()).toEqual(names);
  });

  it("/echeances : toutes les échéances ouvertes, page après page, chacune avec son bouton « Fait » pour la coordination", async () => {
    const open = (await listDeadlines(w.app, w.cptsId, "2026-11-23")).filter((d) => d.state !== "fait");
    expect(open.length).toBeGreaterThan(5);
    const s = await w.chat.session("demo", COORDO);
    const pages: Reply[] = [await w.chat.command(s, "/echeances")];
    while (pages.at(-1)!.buttons?.some((b) => b.label === "Suivant »")) pages.push(await w.chat.click(s, pages.at(-1)!, "Suivant"));
    const fields = pages.flatMap((p) => p.fields ?? []);
    expect(fields).toHaveLength(open.length);
    expect(pages.flatMap((p) => (p.buttons ?? []).filter((b) => b.label.startsWith("Fait :")))).toHaveLength(open.length);
    for (const p of pages) expect((p.buttons ?? []).length).toBeLessThanOrEqual(22);
  });

  it("console : « Suivant » affiche la page suivante ; un autre utilisateur ne tourne pas les pages d'une réponse privée", async () => {
    const names = await sheetOf30("Réunion des trente console");
    const { replies } = await w.flow(COORDO, "/emargement", ["Clore : Réunion des trente console", "Suivant"]);
    expect(renderText(replies[1]!)).toContain("Page 1/2");
    expect(renderText(replies[1]!)).toContain("[1] Suivant »");
    expect(renderText(replies[2]!)).toContain("Page 2/2");
    expect([...replies[1]!.fields!, ...replies[2]!.fields!].map((f) => attendee(f.name)).sort()).toEqual(names);
    const other = await w.chat.session("demo", "presidence@cpts-demo.fr");
    const denied = await w.chat.click(other, replies[1]!, "Suivant");
    expect(denied.text).toContain("concerne la personne qui a lancé la commande");
    expect(denied.fields ?? []).toHaveLength(0);
  });
});
