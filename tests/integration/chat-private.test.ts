// Private by default and injection-safe, through signed Slack requests to the real Bolt app and the
// local fake of Slack's Web API (tests/helpers/fake-slack.ts; response shapes from api.slack.com:
// conversations.open → channel of an IM « D… », files.getUploadURLExternal → upload_url + file_id,
// files.completeUploadExternal, auth.test → team_id, chat.postMessage → ts).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type http from "node:http";
import { chatWorld, COORDO, type ChatWorld } from "./chat-setup.ts";
import { createHttpApp, listen } from "../../src/http/server.ts";
import { Dispatcher } from "../../src/app/dispatcher.ts";
import { slackNotifier, startSlack, type SlackAdapter } from "../../src/chat/slack/adapter.ts";
import { ChatRepository } from "../../src/db/repos/chat-repo.ts";
import { startFakeSlack, slackSigned, type FakeSlack } from "../helpers/fake-slack.ts";

const SECRET = "secret-prive";
let w: ChatWorld;
let slack: SlackAdapter;
let server: http.Server;
let base: string;
let fake: FakeSlack;

beforeAll(async () => {
  w = await chatWorld();
  fake = await startFakeSlack({ answers: { "files.completeUploadExternal": { ok: true, files: [{ id: "F0FICHIER", title: "mes-donnees.json" }] } } });
  const chat = new ChatRepository(w.t.db);
  await chat.linkWorkspace("SLACK", "T-DEMO", w.cptsId, "Slack démo");
  const ws = (await chat.findWorkspace("SLACK", "T-DEMO"))!;
  const coordo = await w.t.db.member.findFirstOrThrow({ where: { email: COORDO } });
  await chat.linkIdentity((await chat.identity(ws.id, "U-COORDO")).id, coordo.id);
  const app = createHttpApp(w.app);
  slack = await startSlack(w.app, app, new Dispatcher(w.app), { botToken: "xoxb-statique", signingSecret: SECRET, slackApiUrl: fake.apiUrl, commandAnswerMs: 0 });
  const listening = await listen(app, 0, "127.0.0.1");
  server = listening.server as http.Server;
  base = `http://127.0.0.1:${listening.port}`;
});
afterAll(async () => {
  await slack?.stop();
  server?.close();
  await fake?.close();
  await w?.close();
});

const signed = (body: string) => slackSigned(SECRET, body);
const slash = (command: string, text: string, trigger: string) =>
  new URLSearchParams({ team_id: "T-DEMO", channel_id: "C0GENERAL", user_id: "U-COORDO", user_name: "camille", command, text, response_url: fake.hook("hook"), trigger_id: trigger }).toString();

describe("réponses personnelles : jamais dans un salon", () => {
  it("Slack /mes-donnees : le fichier part en message direct (conversations.open puis files.uploadV2 vers la conversation D…), jamais vers le salon de la commande", async () => {
    const res = await fetch(`${base}/slack/events`, signed(slash("/mes-donnees", "", "trig-donnees")));
    expect(res.status).toBe(200);
    const complete = await fake.until(() => fake.calls.find((c) => c.path === "files.completeUploadExternal"));
    const open = fake.calls.find((c) => c.path === "conversations.open")!;
    expect(open.params.get("users")).toBe("U-COORDO");
    expect(open.auth).toBe("Bearer xoxb-statique");
    expect(complete.params.get("channel_id")).toBe("D0PRIVE01");
    expect(fake.calls.some((c) => c.path.startsWith("upload/F0FICHIER"))).toBe(true);
    // nothing anywhere names the channel where the command was typed
    for (const c of fake.calls) {
      expect(c.params.get("channel_id")).not.toBe("C0GENERAL");
      expect(c.params.get("channel")).not.toBe("C0GENERAL");
      expect(c.params.get("channels")).not.toBe("C0GENERAL");
    }
    // and the reply with the excerpt was ephemeral
    const hook = await fake.until(() => fake.responses.find((r) => r.path === "/hooks/hook" && r.raw.includes("données")));
    expect(hook.body.response_type).toBe("ephemeral");
  });

  it("une valeur invalide de 150 000 caractères n'est pas recopiée dans la réponse", async () => {
    const huge = await w.say(COORDO, `/adhesion lier email=${"x".repeat(150_000)}`);
    expect(huge.text.length).toBeLessThan(300);
    const long = await w.say("inconnu@perso.fr", `/adhesion lier email=${"y".repeat(5000)}@`);
    expect(long.text).toContain("L'option « email » attend");
    expect(long.text.length).toBeLessThan(400);
  });
});

describe("alertes Slack : texte des payeurs neutralisé, jeton de l'espace destinataire seulement", () => {
  it("un nom de payeur avec lien et mentions arrive échappé, jamais comme lien ni mention", async () => {
    const notifier = slackNotifier(slack.app, slack.tokens);
    await notifier.post({ platform: "slack", workspace: "T-DEMO", channel: "C0ALERTES" }, "Paiement reçu de <https://evil.example|Régler ici> @everyone <!channel> @here");
    const post = fake.calls.filter((c) => c.path === "chat.postMessage").at(-1)!;
    const text = post.params.get("text")!;
    expect(text).toContain("&lt;https://evil.example|Régler ici&gt;");
    expect(text).toContain("&lt;!channel&gt;");
    expect(text).not.toMatch(/<https:|<!channel>|@everyone|@here/);
    expect(post.auth).toBe("Bearer xoxb-statique");
  });

  it("le jeton statique d'un espace ne sert jamais à poster dans un autre espace", async () => {
    const before = fake.calls.filter((c) => c.path === "chat.postMessage").length;
    const notifier = slackNotifier(slack.app, slack.tokens);
    await expect(notifier.post({ platform: "slack", workspace: "T-AUTRE", channel: "C0ALERTES" }, "alerte")).rejects.toThrow(/n'est pas installé/);
    expect(fake.calls.filter((c) => c.path === "chat.postMessage").length).toBe(before);
  });
});
