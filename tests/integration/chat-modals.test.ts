// The /adhesion nouvelle form: Discord (HTTP endpoint: callback type 9, then a signed MODAL_SUBMIT)
// and Slack (views.open with the trigger_id, then a signed view_submission through Bolt).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createHmac, generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ServerType } from "@hono/node-server";
import { chatWorld, type ChatWorld } from "./chat-setup.ts";
import { createHttpApp, listen } from "../../src/http/server.ts";
import { Dispatcher } from "../../src/app/dispatcher.ts";
import { mountDiscordInteractions } from "../../src/chat/discord/adapter.ts";
import { startSlack } from "../../src/chat/slack/adapter.ts";
import { ChatRepository } from "../../src/db/repos/chat-repo.ts";

const SECRET = "secret-slack-formulaires";
let w: ChatWorld;
let server: ServerType;
let discordUrl: string;
let slackUrl: string;
let privateKey: KeyObject;
let api: http.Server;
let apiBase: string;
const calls: { url: string; body: string }[] = [];
let seq = 0;

beforeAll(async () => {
  w = await chatWorld();
  const pair = generateKeyPairSync("ed25519");
  privateKey = pair.privateKey;
  const publicHex = pair.publicKey.export({ format: "der", type: "spki" }).subarray(12).toString("hex");
  api = http.createServer((req, res) => {
    let b = "";
    req.on("data", (c) => (b += c));
    req.on("end", () => {
      calls.push({ url: req.url!, body: b });
      res.setHeader("content-type", "application/json");
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", () => r()));
  apiBase = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const chat = new ChatRepository(w.t.db);
  await chat.linkWorkspace("DISCORD", "G-FORM", w.cptsId, "Discord démo");
  await chat.linkWorkspace("SLACK", "T-FORM", w.cptsId, "Slack démo");
  const app = createHttpApp(w.app);
  const dispatcher = new Dispatcher(w.app);
  // deadlineMs: these tests read the immediate answer; past Discord's 2 s (a loaded CI machine) it would be deferred instead
  mountDiscordInteractions(w.app, app, dispatcher, { publicKey: publicHex, apiBase: `${apiBase}/discord`, deadlineMs: 60_000 });
  // formAnswerMs: a refusal is read inside the form; past Slack's 2 s (a loaded CI machine) it would be posted instead
  await startSlack(w.app, app, dispatcher, { botToken: "xoxb-test", signingSecret: SECRET, slackApiUrl: `${apiBase}/slack/`, formAnswerMs: 60_000 });
  ({ server } = await listen(app, 0, "127.0.0.1"));
  const port = (server.address() as AddressInfo).port;
  discordUrl = `http://127.0.0.1:${port}/discord/interactions`;
  slackUrl = `http://127.0.0.1:${port}/slack/events`;
});
afterAll(async () => {
  server?.close();
  api?.close();
  await w?.close();
});

function discord(body: object) {
  const raw = JSON.stringify(body);
  const ts = String(Math.floor(Date.now() / 1000));
  const sig = sign(null, Buffer.from(ts + raw), privateKey).toString("hex");
  return fetch(discordUrl, { method: "POST", body: raw, headers: { "content-type": "application/json", "x-signature-ed25519": sig, "x-signature-timestamp": ts } });
}

function slack(body: string) {
  const ts = Math.floor(Date.now() / 1000);
  const sig = "v0=" + createHmac("sha256", SECRET).update(`v0:${ts}:${body}`).digest("hex");
  return fetch(slackUrl, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(ts), "x-slack-signature": sig } });
}

// returns as soon as the call is there: 30 s only bound a loaded CI machine (2 cores at load 6-17)
async function until<T>(probe: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("délai dépassé");
    await new Promise((r) => setTimeout(r, 25));
  }
}

const discordInteraction = (type: number, data: object, user: string) => ({
  id: `m-${++seq}`, application_id: "APP1", type, token: `tok-${seq}`, guild_id: "G-FORM", channel_id: "CH1", member: { user: { id: user, username: "lea" } }, data,
});

describe("formulaire d'adhésion (modales Discord et Slack)", () => {
  it("Discord : /adhesion nouvelle sans option ouvre une modale (type 9) ; sa soumission signée (type 5) mène à la notice RGPD puis à la demande", async () => {
    const open = await discord(discordInteraction(2, { name: "adhesion", options: [{ name: "action", value: "nouvelle" }] }, "D-LEA"));
    const modal = await open.json();
    expect(modal.type).toBe(9);
    expect(modal.data.custom_id).toBe("adhesion:nouvelle");
    const inputs = modal.data.components.map((row: any) => row.components[0]);
    expect(inputs.map((c: any) => c.custom_id)).toEqual(["prenom", "nom", "email", "profession", "commune"]);
    expect(inputs.every((c: any) => c.type === 4)).toBe(true);

    const field = (id: string, value: string) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] });
    const submit = await discord(
      discordInteraction(5, { custom_id: "adhesion:nouvelle", components: [field("prenom", "Léa"), field("nom", "Formulaire"), field("email", "lea.formulaire@exemple.fr"), field("profession", "orthophoniste"), field("commune", "Clairval")] }, "D-LEA"),
    );
    const answer = await submit.json();
    expect(answer.type).toBe(4);
    expect(JSON.stringify(answer.data)).toContain("Léa Formulaire, Orthophoniste à Clairval");
    expect(JSON.stringify(answer.data)).toContain("Protection de vos données");
    const accept = answer.data.components[0].components.find((b: any) => b.label.startsWith("J'accepte"));
    const done = await (await discord(discordInteraction(3, { custom_id: accept.custom_id, component_type: 2 }, "D-LEA"))).json();
    expect(done.data.content ?? JSON.stringify(done.data)).toContain("Votre demande d'adhésion est enregistrée");
    expect((await w.t.db.member.findFirstOrThrow({ where: { email: "lea.formulaire@exemple.fr" } })).status).toBe("CANDIDAT");

    const bad = await (await discord(discordInteraction(5, { custom_id: "adhesion:nouvelle", components: [field("prenom", "Léa"), field("nom", "X"), field("email", "pas-une-adresse"), field("profession", "infirmier"), field("commune", "Clairval")] }, "D-AUTRE"))).json();
    expect(JSON.stringify(bad.data)).toContain("L'option « email » attend une adresse mail");
  });

  it("Discord : avec des options, /adhesion nouvelle garde le chemin par options (pas de modale)", async () => {
    const res = await (await discord(discordInteraction(2, { name: "adhesion", options: [{ name: "action", value: "nouvelle" }, { name: "prenom", value: "Max" }] }, "D-MAX"))).json();
    expect(res.type).toBe(4);
    expect(JSON.stringify(res.data)).toContain("il manque : nom, email, profession, commune");
  });

  it("Slack : /adhesion nouvelle ouvre views.open avec le trigger_id ; un view_submission signé passe par Bolt et la réponse arrive en éphémère", async () => {
    const slash = new URLSearchParams({ team_id: "T-FORM", channel_id: "C-GEN", user_id: "U-LEA", user_name: "lea", command: "/adhesion", text: "nouvelle", response_url: `${apiBase}/reponse`, trigger_id: "TRIG-1", api_app_id: "A1" });
    expect((await slack(slash.toString())).status).toBe(200);
    const opened = await until(() => calls.find((c) => c.url.endsWith("/views.open")));
    const params = new URLSearchParams(opened.body);
    expect(params.get("trigger_id")).toBe("TRIG-1");
    const view = JSON.parse(params.get("view")!);
    expect(view.callback_id).toBe("adhesion:nouvelle");
    expect(view.private_metadata).toBe("C-GEN");
    expect(view.blocks.map((b: any) => b.block_id)).toEqual(["prenom", "nom", "email", "profession", "commune"]);

    const typed = { prenom: "Inès", nom: "Slackeuse", email: "ines.slack@exemple.fr", profession: "pharmacien", commune: "Clairval" };
    const values = Object.fromEntries(Object.entries(typed).map(([k, v]) => [k, { [k]: { type: "plain_text_input", value: v } }]));
    const payload = {
      type: "view_submission", team: { id: "T-FORM", domain: "demo" }, user: { id: "U-LEA", name: "lea", team_id: "T-FORM" }, api_app_id: "A1", trigger_id: "TRIG-2",
      view: { id: "V-1", team_id: "T-FORM", type: "modal", callback_id: "adhesion:nouvelle", private_metadata: "C-GEN", hash: "h1", state: { values } },
    };
    const res = await slack(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
    expect(res.status).toBe(200);
    const posted = await until(() => calls.find((c) => c.url.endsWith("/chat.postEphemeral")));
    const p = new URLSearchParams(posted.body);
    expect(p.get("channel")).toBe("C-GEN");
    expect(p.get("user")).toBe("U-LEA");
    expect(p.get("text")! + p.get("blocks")).toContain("Inès Slackeuse");
    expect(p.get("blocks")).toContain("J'accepte et j'envoie ma demande");
  });

  it("Slack : une saisie refusée est signalée dans la modale (response_action « errors » par block_id, la modale reste ouverte) ; la même modale corrigée passe", async () => {
    const field = (typed: Record<string, string>) => Object.fromEntries(Object.entries(typed).map(([k, v]) => [k, { [k]: { type: "plain_text_input", value: v } }]));
    const submission = (typed: Record<string, string>) =>
      new URLSearchParams({ payload: JSON.stringify({
        type: "view_submission", team: { id: "T-FORM", domain: "demo" }, user: { id: "U-ERR", name: "err", team_id: "T-FORM" }, api_app_id: "A1", trigger_id: "TRIG-ERR",
        view: { id: "V-ERR", team_id: "T-FORM", type: "modal", callback_id: "adhesion:nouvelle", private_metadata: "C-GEN", hash: "h2", state: { values: field(typed) } },
      }) }).toString();
    const typed = { prenom: "Éloi", nom: "Erreur", email: "pas-une-adresse", profession: "infirmier", commune: "Clairval" };
    const posted = () => calls.filter((c) => c.url.endsWith("/chat.postEphemeral") && new URLSearchParams(c.body).get("user") === "U-ERR");
    const refused = await slack(submission(typed));
    expect(refused.status).toBe(200);
    const ack = await refused.json();
    expect(ack.response_action).toBe("errors");
    expect(Object.keys(ack.errors)).toEqual(["email"]);
    expect(ack.errors.email).toContain("attend une adresse mail");
    expect(ack.errors.email).toContain("pas-une-adresse");
    // a commune outside the territory (refused by the service, not the schema) also stays in the form
    const commune = await (await slack(submission({ ...typed, email: "eloi.erreur@exemple.fr", commune: "Atlantide" }))).json();
    expect(commune).toEqual({ response_action: "errors", errors: { commune: expect.stringContaining("n'est pas sur le territoire") } });
    await new Promise((r) => setTimeout(r, 200));
    expect(posted()).toHaveLength(0);
    // the same form (same view id) corrected: accepted, the modal closes, the answer is posted to its author
    const ok = await slack(submission({ ...typed, email: "eloi.erreur@exemple.fr" }));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("");
    const p = new URLSearchParams((await until(() => posted()[0])).body);
    expect(p.get("blocks")).toContain("J'accepte et j'envoie ma demande");
  });

  it("Discord : une modale ne peut pas répondre à une soumission de modale ; la saisie refusée donne un message éphémère et « Corriger », qui rouvre la modale (type 9) préremplie, le champ refusé marqué", async () => {
    const field = (id: string, value: string) => ({ type: 1, components: [{ type: 4, custom_id: id, value }] });
    const typed: [string, string][] = [["prenom", "Noé"], ["nom", "Corrige"], ["email", "noe@"], ["profession", "infirmier"], ["commune", "Clairval"]];
    const refused = await (await discord(discordInteraction(5, { custom_id: "adhesion:nouvelle", components: typed.map(([k, v]) => field(k, v)) }, "D-NOE"))).json();
    expect(refused.type).toBe(4);
    expect(refused.data.flags).toBe(64);
    expect(refused.data.content).toContain("L'option « email » attend une adresse mail");
    const corriger = refused.data.components[0].components.find((b: any) => b.label === "Corriger");
    expect(corriger).toBeDefined();
    const reopened = await (await discord(discordInteraction(3, { custom_id: corriger.custom_id, component_type: 2 }, "D-NOE"))).json();
    expect(reopened.type).toBe(9);
    expect(reopened.data.custom_id).toBe("adhesion:nouvelle");
    expect(reopened.data.title.length).toBeLessThanOrEqual(45);
    const inputs = reopened.data.components.map((row: any) => row.components[0]);
    expect(inputs.map((c: any) => [c.custom_id, c.value])).toEqual(typed);
    expect(inputs.find((c: any) => c.custom_id === "email").label).toBe("⚠ Adresse mail");
    expect(inputs.find((c: any) => c.custom_id === "nom").label).toBe("Nom");
    // someone else cannot reopen it
    const other = await (await discord(discordInteraction(3, { custom_id: corriger.custom_id, component_type: 2 }, "D-AUTRE"))).json();
    expect(other.type).toBe(4);
    expect(JSON.stringify(other.data)).toContain("n'est plus disponible");
    const fixed = await (await discord(discordInteraction(5, { custom_id: "adhesion:nouvelle", components: typed.map(([k, v]) => field(k, k === "email" ? "noe.corrige@exemple.fr" : v)) }, "D-NOE"))).json();
    expect(JSON.stringify(fixed.data)).toContain("Noé Corrige, Infirmier");
  });

  it("console : l'erreur est affichée et le formulaire gardé (« Corriger » redonne les valeurs saisies, le motif et la ligne à renvoyer)", async () => {
    const { replies, text } = await w.flow("console-form@perso.fr", "/adhesion nouvelle prenom=Lou nom=Console email=lou@ profession=infirmier commune=Clairval", ["Corriger"]);
    expect(replies[0]!.text).toContain("L'option « email » attend une adresse mail");
    expect(replies[0]!.formErrors).toEqual({ email: expect.stringContaining("attend une adresse mail") });
    expect(text).toContain("Formulaire « Adhérer à la CPTS » :");
    expect(text).toContain("Prénom (prenom) : Lou");
    expect(text).toMatch(/Adresse mail \(email\) : lou@\n\s+⚠ L'option « email » attend une adresse mail/);
    expect(text).toContain('Pour l\'envoyer corrigé : /adhesion nouvelle prenom="Lou" nom="Console" email="lou@" profession="infirmier" commune="Clairval"');
  });

  it("la console garde les options : /adhesion nouvelle sans option explique ce qu'il manque", async () => {
    const r = await w.say("console-candidat@perso.fr", "/adhesion nouvelle");
    expect(r.reply.modal).toBeUndefined();
    expect(r.text).toContain("il manque : prenom, nom, email, profession, commune");
  });
});
