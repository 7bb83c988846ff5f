// Attacks from outside on the chat and feed entry points of one deployment shared by two CPTS:
// forged or replayed Slack requests, a chat identity pointing at another CPTS's member, and the
// secret iCalendar feed guessed or borrowed.
import { createHmac } from "node:crypto";
import type http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp, listen } from "../../src/http/server.ts";
import { Dispatcher } from "../../src/app/dispatcher.ts";
import { startSlack, type SlackAdapter } from "../../src/chat/slack/adapter.ts";
import { adminComponent } from "../../src/admin/index.ts";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { startFakeSlack, type FakeSlack } from "../helpers/fake-slack.ts";
import { securityContext, seedTenant, type Tenant } from "./tenants-setup.ts";

const SECRET = "secret-de-signature-securite";
let t: TestDb;
let a: Tenant;
let b: Tenant;
let dispatcher: Dispatcher;
let slack: SlackAdapter;
let server: http.Server;
let base: string;
let fake: FakeSlack;

beforeAll(async () => {
  t = await createTestDb();
  a = await seedTenant(t.db, "cpts-alpha", "Alphonse", "91001");
  b = await seedTenant(t.db, "cpts-beta", "Betancourt", "91002");
  for (const [tenant, team] of [[a, "T-ALPHA"], [b, "T-BETA"]] as const) {
    const ws = await t.db.chatWorkspace.create({ data: { platform: "SLACK", externalId: team, cptsId: tenant.id } });
    await t.db.chatIdentity.create({ data: { workspaceId: ws.id, userId: "U-ADH", memberId: tenant.memberIds[0] } });
  }
  fake = await startFakeSlack({ teamId: "T-ALPHA" });
  const ctx = securityContext(t);
  const app = createHttpApp(ctx);
  dispatcher = new Dispatcher(ctx);
  slack = await startSlack(ctx, app, dispatcher, { botToken: "xoxb-securite", signingSecret: SECRET, slackApiUrl: fake.apiUrl, commandAnswerMs: 0 });
  await adminComponent.start(ctx, app);
  const listening = await listen(app, 0, "127.0.0.1");
  server = listening.server as http.Server;
  base = `http://127.0.0.1:${listening.port}`;
});

afterAll(async () => {
  await slack?.stop();
  server?.close();
  await fake?.close();
  await t?.cleanup();
});

let trigger = 0;
function slash(team: string, hook: string, command = "/cotisation"): string {
  return new URLSearchParams({
    team_id: team, team_domain: team.toLowerCase(), channel_id: "C1", user_id: "U-ADH", user_name: "adh", command, text: "",
    response_url: fake.hook(hook), trigger_id: `trig-${Date.now()}-${trigger++}`, api_app_id: "A1",
  }).toString();
}

function sign(body: string, ts: number, secret = SECRET): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;
}

async function post(body: string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${base}/slack/events`, { method: "POST", body, headers: { "content-type": "application/x-www-form-urlencoded", ...headers } });
}

const now = () => Math.floor(Date.now() / 1000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// waits for an answer that must come: returns as soon as it is there, 30 s only bound a loaded CI machine
async function answerFor(hook: string, timeoutMs = 30_000): Promise<string | null> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const found = fake.responses.find((x) => x.path.endsWith(`/${hook}`));
    if (found) return found.raw;
    await sleep(20);
  }
  return null;
}

describe("Slack : requêtes forgées ou rejouées", () => {
  it("une requête correctement signée reçoit sa réponse (le montage du test fonctionne)", async () => {
    const body = slash("T-ALPHA", "ok-1");
    const ts = now();
    const res = await post(body, { "x-slack-request-timestamp": String(ts), "x-slack-signature": sign(body, ts) });
    expect(res.status).toBe(200);
    const answer = await answerFor("ok-1");
    expect(answer).toContain("Cotisation");
  });

  const forged: [string, (body: string) => Record<string, string>][] = [
    ["signée avec un autre secret", (body) => ({ "x-slack-request-timestamp": String(now()), "x-slack-signature": sign(body, now(), "un-autre-secret") })],
    ["sans signature", () => ({ "x-slack-request-timestamp": String(now()) })],
    ["sans horodatage", (body) => ({ "x-slack-signature": sign(body, now()) })],
    ["horodatage non numérique", (body) => ({ "x-slack-request-timestamp": "1e10", "x-slack-signature": sign(body, now()) })],
    ["horodatage périmé (6 minutes) mais bien signé", (body) => ({ "x-slack-request-timestamp": String(now() - 360), "x-slack-signature": sign(body, now() - 360) })],
    ["horodatage dans le futur (7 minutes)", (body) => ({ "x-slack-request-timestamp": String(now() + 420), "x-slack-signature": sign(body, now() + 420) })],
    ["signature d'un autre corps (équipe changée)", () => {
      const ts = now();
      return { "x-slack-request-timestamp": String(ts), "x-slack-signature": sign(slash("T-BETA", "autre"), ts) };
    }],
    ["signature tronquée", (body) => ({ "x-slack-request-timestamp": String(now()), "x-slack-signature": sign(body, now()).slice(0, 40) })],
  ];
  for (const [name, headers] of forged) {
    it(`refuse une requête ${name} : 401, rien d'exécuté, aucune réponse envoyée`, async () => {
      const hook = `forge-${name.replace(/\W+/g, "-")}`;
      const body = slash("T-ALPHA", hook);
      const before = await t.db.chatInteraction.count();
      const res = await post(body, headers(body));
      expect(res.status).toBe(401);
      expect(await res.text()).toMatch(/Signature invalide|Requête périmée/);
      expect(await answerFor(hook, 400)).toBeNull();
      expect(await t.db.chatInteraction.count()).toBe(before);
    });
  }
});

describe("chat : cloisonnement entre CPTS", () => {
  it("dans l'espace Slack de A, le même identifiant d'utilisateur ne donne jamais les données de B", async () => {
    const body = slash("T-ALPHA", "tenant-a", "/mes-donnees");
    const ts = now();
    expect((await post(body, { "x-slack-request-timestamp": String(ts), "x-slack-signature": sign(body, ts) })).status).toBe(200);
    const answer = (await answerFor("tenant-a"))!;
    expect(answer).not.toBeNull();
    expect(answer).not.toContain(b.marker);
    expect(answer).not.toContain("cpts-beta");
  });

  it("une identité de chat de A reliée par erreur à un membre de B n'ouvre rien de B", async () => {
    const ws = await t.db.chatWorkspace.findFirstOrThrow({ where: { cptsId: a.id, platform: "CONSOLE" } });
    await t.db.chatIdentity.create({ data: { workspaceId: ws.id, userId: "intrus", memberId: b.memberIds[1] } });
    for (const command of ["cotisation", "mes-donnees", "echeances", "indemnites"]) {
      const { reply } = await dispatcher.dispatch({ type: "command", platform: "CONSOLE", workspaceExternalId: a.workspaceExternalId, userId: "intrus", command });
      const all = JSON.stringify(reply);
      expect(all, command).not.toContain(b.marker);
      expect(all, command).not.toContain(`adherent1@cpts-beta.fr`);
      expect(reply.text, command).toMatch(/relié|réservée/);
    }
  });
});

describe("flux iCalendar secret", () => {
  it("un jeton inconnu, deviné ou mal formé ne renvoie rien", async () => {
    // One character changed: the last one, to a character it is not (a random token may end in "x").
    const nearMiss = a.icalToken.slice(0, -1) + (a.icalToken.endsWith("x") ? "y" : "x");
    expect(nearMiss).not.toBe(a.icalToken);
    for (const file of ["inconnu-0000000000.ics", `${nearMiss}.ics`, `${a.icalToken}`, "..%2F..%2Fetc%2Fpasswd.ics", `${a.icalToken}.ics%00`, "a.ics"]) {
      const res = await fetch(`${base}/ical/${file}`);
      expect(res.status, file).toBe(404);
      const text = await res.text();
      expect(text, file).not.toContain("BEGIN:VCALENDAR");
      expect(text, file).not.toContain(a.marker);
    }
  });

  it("le jeton de A donne le calendrier de A et seulement lui", async () => {
    const res = await fetch(`${base}/ical/${a.icalToken}.ics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("BEGIN:VCALENDAR");
    expect(text).toContain(`CPTS ${a.marker}`);
    expect(text).not.toContain(b.marker);
  });
});
