// Slack distribution: two CPTS each install coordo in their own workspace through « Ajouter à
// Slack » (OAuth v2 against a local fake of oauth.v2.access, shapes from api.slack.com), the state
// is bound to the coordinator's admin session, each workspace's bot token is stored encrypted and
// used only for that workspace's alerts, and app_uninstalled forgets it.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpApp } from "../../src/http/server.ts";
import { Dispatcher } from "../../src/app/dispatcher.ts";
import { adminComponent } from "../../src/admin/index.ts";
import { startSlack, type SlackAdapter } from "../../src/chat/slack/adapter.ts";
import { DbSlackInstallations } from "../../src/chat/slack/installations.ts";
import { noticeToAlertChannels } from "../../src/helloasso/notify.ts";
import { createSender } from "../../src/mail/component.ts";
import { systemClock, type AppContext } from "../../src/app/context.ts";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { startFakeSlack, type FakeSlack } from "../helpers/fake-slack.ts";
import { Browser, securityConfig, securityContext, seedTenant, type Tenant } from "./tenants-setup.ts";
import type { Hono } from "hono";

const SECRET = "secret-de-signature-oauth";
const KEY = "cle-de-chiffrement-des-jetons-de-test-0123456789";
let t: TestDb;
let a: Tenant;
let b: Tenant;
let ctx: AppContext;
let app: Hono;
let slack: SlackAdapter;
let fake: FakeSlack;

const TEAMS: Record<string, { team: string; name: string; token: string }> = {
  "code-alpha": { team: "T0ALPHA", name: "Alpha Santé", token: "xoxb-alpha-secret-token" },
  "code-beta": { team: "T0BETA", name: "Beta Santé", token: "xoxb-beta-secret-token" },
};

beforeAll(async () => {
  t = await createTestDb();
  a = await seedTenant(t.db, "cpts-alpha", "Alphonse", "91001");
  b = await seedTenant(t.db, "cpts-beta", "Betancourt", "91002");
  // oauth.v2.access as documented on api.slack.com (a bot token per workspace); posts echo their channel
  fake = await startFakeSlack({
    answers: {
      "oauth.v2.access": ({ params }) => {
        const inst = TEAMS[params.get("code") ?? ""];
        if (!inst || params.get("client_secret") !== "secret-client") return { ok: false, error: "invalid_code" };
        return {
          ok: true, access_token: inst.token, token_type: "bot", scope: "commands,chat:write,chat:write.public,files:write,im:write,channels:read,groups:read",
          bot_user_id: "U0BOT", app_id: "A0COORDO", team: { name: inst.name, id: inst.team }, enterprise: null, authed_user: { id: "U0INSTALL" }, is_enterprise_install: false,
        };
      },
      "chat.postMessage": ({ params }) => ({ ok: true, channel: params.get("channel"), ts: "1700000000.000100" }),
    },
  });
  const api = fake.apiUrl;
  ctx = securityContext(t, undefined, securityConfig({ SLACK_CLIENT_ID: "1234.5678", SLACK_CLIENT_SECRET: "secret-client", COORDO_SECRET_KEY: KEY, SLACK_API_URL: api, SLACK_SIGNING_SECRET: SECRET, DISCORD_APPLICATION_ID: "1122334455" }));
  app = createHttpApp(ctx);
  await adminComponent.start(ctx, app);
  const installations = new DbSlackInstallations(ctx.db, KEY);
  // as the chat component does with SLACK_CLIENT_ID…: no static token at all
  slack = await startSlack(ctx, app, new Dispatcher(ctx), { signingSecret: SECRET, slackApiUrl: api, installations, forget: (team) => installations.forget(team) });
});

afterAll(async () => {
  await slack?.stop();
  await fake?.close();
  await t?.cleanup();
});

async function install(browser: Browser, code: string): Promise<Response> {
  const start = await browser.go("/admin/cpts/chat/slack/ajouter");
  expect(start.status).toBe(302);
  const url = new URL(start.headers.get("location")!);
  expect(url.origin + url.pathname).toBe("https://slack.com/oauth/v2/authorize");
  expect(url.searchParams.get("client_id")).toBe("1234.5678");
  expect(url.searchParams.get("scope")).toContain("chat:write");
  expect(url.searchParams.get("redirect_uri")).toBe("https://coordo.exemple.fr/admin/chat/slack/retour");
  return browser.go(`/admin/chat/slack/retour?code=${code}&state=${encodeURIComponent(url.searchParams.get("state")!)}`);
}

/** The French message of the flash cookie set by the redirect (base64url JSON). */
function flash(res: Response): string {
  const m = /coordo_flash=([^;]+)/.exec(res.headers.getSetCookie().join(";"));
  return m ? (JSON.parse(Buffer.from(m[1]!, "base64url").toString("utf8")) as { text: string }).text : "";
}

describe("Slack : installation OAuth par CPTS, un jeton par espace", () => {
  it("« Ajouter à Slack » installe et relie l'espace de chaque coordinateur à sa propre CPTS ; jetons chiffrés en base", async () => {
    const alpha = new Browser((p, i, e) => app.request(p, i, e));
    await alpha.login(a.coordinatorEmail);
    const back = await install(alpha, "code-alpha");
    expect([302, 303]).toContain(back.status);
    expect(back.headers.get("location")).toContain("/admin/cpts");
    expect(flash(back)).toContain("Alpha Santé");
    const beta = new Browser((p, i, e) => app.request(p, i, e));
    await beta.login(b.coordinatorEmail);
    expect(flash(await install(beta, "code-beta"))).toContain("Beta Santé");

    expect((await t.db.chatWorkspace.findUniqueOrThrow({ where: { platform_externalId: { platform: "SLACK", externalId: "T0ALPHA" } } })).cptsId).toBe(a.id);
    expect((await t.db.chatWorkspace.findUniqueOrThrow({ where: { platform_externalId: { platform: "SLACK", externalId: "T0BETA" } } })).cptsId).toBe(b.id);
    const rows = await t.db.slackInstallation.findMany({ orderBy: { teamId: "asc" } });
    expect(rows.map((r) => r.teamId)).toEqual(["T0ALPHA", "T0BETA"]);
    for (const r of rows) {
      expect(r.botTokenEnc).toMatch(/^v1:/);
      expect(r.botTokenEnc).not.toContain("xoxb-");
    }
    // another key cannot read them
    await expect(new DbSlackInstallations(t.db, "une-autre-cle-de-chiffrement-0123456789ab").botToken("T0ALPHA")).rejects.toThrow();
  });

  it("le retour de Slack n'est accepté que dans la session qui l'a demandé (state lié à la session d'admin)", async () => {
    const alpha = new Browser((p, i, e) => app.request(p, i, e));
    await alpha.login(a.coordinatorEmail);
    const start = await alpha.go("/admin/cpts/chat/slack/ajouter");
    const state = new URL(start.headers.get("location")!).searchParams.get("state")!;
    // the coordinator of B (or anyone tricked into opening the link) replays A's state
    const beta = new Browser((p, i, e) => app.request(p, i, e));
    await beta.login(b.coordinatorEmail);
    const replay = await beta.go(`/admin/chat/slack/retour?code=code-alpha&state=${encodeURIComponent(state)}`);
    expect(flash(replay)).toContain("ne correspond pas à votre session");
    const forged = await alpha.go(`/admin/chat/slack/retour?code=code-alpha&state=${encodeURIComponent(state.replace(/.$/, (ch) => (ch === "A" ? "B" : "A")))}`);
    expect(flash(forged)).toContain("ne correspond pas à votre session");
    // without a session: the login page, nothing exchanged
    const anonymous = new Browser((p, i, e) => app.request(p, i, e));
    const noSession = await anonymous.go(`/admin/chat/slack/retour?code=code-alpha&state=${encodeURIComponent(state)}`);
    expect(noSession.headers.get("location")).toContain("/admin/connexion");
    expect(fake.calls.filter((c) => c.path === "oauth.v2.access")).toHaveLength(2);
  });

  it("chaque espace reçoit ses propres alertes, postées avec son propre jeton", async () => {
    await t.db.chatWorkspace.updateMany({ where: { externalId: "T0ALPHA" }, data: { alertChannelId: "C0ALPHA" } });
    await t.db.chatWorkspace.updateMany({ where: { externalId: "T0BETA" }, data: { alertChannelId: "C0BETA" } });
    await noticeToAlertChannels(t.db, { cptsId: a.id, idempotencyKey: "test-oauth-a", kind: "alerte", bodyText: "Alerte pour Alpha" });
    await noticeToAlertChannels(t.db, { cptsId: b.id, idempotencyKey: "test-oauth-b", kind: "alerte", bodyText: "Alerte pour Beta" });
    await createSender({ ...ctx, clock: systemClock }, { transport: null }).sender.drainAll();
    const posts = fake.calls.filter((c) => c.path === "chat.postMessage");
    expect(posts.map((p) => [p.params.get("channel"), p.auth, p.params.get("text")]).sort()).toEqual([
      ["C0ALPHA", "Bearer xoxb-alpha-secret-token", "Alerte pour Alpha"],
      ["C0BETA", "Bearer xoxb-beta-secret-token", "Alerte pour Beta"],
    ]);
  });

  it("app_uninstalled (évènement signé) oublie le jeton de l'espace : plus rien n'y est posté", async () => {
    const body = JSON.stringify({ token: "x", team_id: "T0BETA", api_app_id: "A0COORDO", type: "event_callback", event_id: "Ev0UNINSTALL", event_time: 1700000000, event: { type: "app_uninstalled" } });
    const ts = Math.floor(Date.now() / 1000);
    const sig = `v0=${createHmac("sha256", SECRET).update(`v0:${ts}:${body}`).digest("hex")}`;
    const res = await app.request("/slack/events", { method: "POST", body, headers: { "content-type": "application/json", "x-slack-request-timestamp": String(ts), "x-slack-signature": sig } });
    expect(res.status).toBe(200);
    await expect.poll(() => t.db.slackInstallation.count({ where: { teamId: "T0BETA" } })).toBe(0);
    expect(await t.db.slackInstallation.count({ where: { teamId: "T0ALPHA" } })).toBe(1);
    const before = fake.calls.filter((c) => c.path === "chat.postMessage").length;
    await noticeToAlertChannels(t.db, { cptsId: b.id, idempotencyKey: "test-oauth-b2", kind: "alerte", bodyText: "Encore pour Beta" });
    await createSender({ ...ctx, clock: systemClock }, { transport: null }).sender.drainAll();
    expect(fake.calls.filter((c) => c.path === "chat.postMessage").length).toBe(before);
  });

  it("« Ajouter à Discord » : l'invitation revient avec le guild_id, relié à la CPTS de la session qui l'a demandée, et seulement elle", async () => {
    const alpha = new Browser((p, i, e) => app.request(p, i, e));
    await alpha.login(a.coordinatorEmail);
    const start = await alpha.go("/admin/cpts/chat/discord/ajouter");
    const url = new URL(start.headers.get("location")!);
    expect(url.origin + url.pathname).toBe("https://discord.com/oauth2/authorize");
    expect(url.searchParams.get("client_id")).toBe("1122334455");
    expect(url.searchParams.get("scope")).toBe("bot applications.commands");
    expect(url.searchParams.get("redirect_uri")).toBe("https://coordo.exemple.fr/admin/chat/discord/retour");
    const state = encodeURIComponent(url.searchParams.get("state")!);
    const beta = new Browser((p, i, e) => app.request(p, i, e));
    await beta.login(b.coordinatorEmail);
    expect(flash(await beta.go(`/admin/chat/discord/retour?guild_id=123456789012345678&state=${state}`))).toContain("ne correspond pas à votre session");
    expect(await t.db.chatWorkspace.count({ where: { platform: "DISCORD", externalId: "123456789012345678" } })).toBe(0);
    expect(flash(await alpha.go(`/admin/chat/discord/retour?code=x&guild_id=123456789012345678&permissions=52224&state=${state}`))).toContain("relié à votre CPTS");
    expect((await t.db.chatWorkspace.findUniqueOrThrow({ where: { platform_externalId: { platform: "DISCORD", externalId: "123456789012345678" } } })).cptsId).toBe(a.id);
  });
});
