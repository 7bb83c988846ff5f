// Secrets never reach the log: the logger masks them wherever they sit (configuration object, nested
// context, error messages, free text), and a real `coordo start` run with every secret set, debug
// logging and failing deliveries prints none of them.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";

const SECRETS = {
  smtpPassword: "Smtp-Pa55-ultra-secret",
  dbPassword: "Db-Pa55-ultra-secret",
  slackBot: "xoxb-1111111111-2222222222-AbCdEfGhIjKlMnOpQrStUvWx",
  slackApp: "xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef0123456789",
  slackSigning: "8f14e45fceea167a5a36dedd4bea2543",
  discordToken: "MTA5ODc2NTQzMjEwOTg3NjU0Mw.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB",
  imapPassword: "Imap-Pa55-ultra-secret",
  webhookSecret: "Webhook-secret-0123456789-abcdefghij",
  dkimKey: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDdkimsecretkeymaterial",
};

const env = {
  DATABASE_URL: `postgresql://coordo:${SECRETS.dbPassword}@db.interne:5432/coordo`,
  SMTP_URL: `smtp://relais%40cpts.fr:${SECRETS.smtpPassword}@smtp.exemple.fr:587`,
  SLACK_BOT_TOKEN: SECRETS.slackBot,
  SLACK_APP_TOKEN: SECRETS.slackApp,
  SLACK_SIGNING_SECRET: SECRETS.slackSigning,
  DISCORD_TOKEN: SECRETS.discordToken,
  BOUNCE_IMAP_URL: `imaps://rebonds%40cpts.fr:${SECRETS.imapPassword}@imap.exemple.fr:993/INBOX`,
  MAIL_WEBHOOK_SECRET: SECRETS.webhookSecret,
  DKIM_PRIVATE_KEY: `-----BEGIN PRIVATE KEY-----\\n${SECRETS.dkimKey}\\n-----END PRIVATE KEY-----`,
};

function capture() {
  const lines: string[] = [];
  return { log: createLogger("debug", (l) => lines.push(l)), text: () => lines.join("\n"), lines };
}

function expectNoSecret(text: string) {
  for (const [name, value] of Object.entries(SECRETS)) expect(text, name).not.toContain(value);
}

describe("journal : masquage des secrets", () => {
  it("masque chaque secret de la configuration quand elle est journalisée entière", () => {
    const { log, text } = capture();
    const config = loadConfig(env);
    log.info("configuration chargée", { config });
    log.debug("environnement", { env });
    expectNoSecret(text());
    // the rest of the configuration stays readable
    expect(text()).toContain("configuration chargée");
    expect(text()).toContain("MAIL_FROM");
  });

  it("masque les mots de passe des URL et les jetons dans les messages d'erreur et le texte libre", () => {
    const { log, text } = capture();
    log.error("connexion SMTP impossible", { error: new Error(`connect ECONNREFUSED ${env.SMTP_URL}`) });
    log.error(`base injoignable : ${env.DATABASE_URL}`);
    log.warn("appel Slack refusé", { detail: `Authorization: Bearer ${SECRETS.slackBot}`, nested: { deeper: { url: env.DATABASE_URL, list: [SECRETS.slackApp] } } });
    log.info("en-têtes reçus", { headers: { authorization: `Bot ${SECRETS.discordToken}`, cookie: "coordo_session=abc", "x-slack-signature": "v0=123" } });
    expectNoSecret(text());
    expect(text()).toContain("db.interne");
    expect(text()).toContain("smtp.exemple.fr");
  });
});

describe("journal d'une vraie exécution de coordo", () => {
  it("coordo start en debug, avec tous les secrets, des envois SMTP qui échouent et une requête Slack forgée : aucun secret dans la sortie", async () => {
    const { spawnCoordo, freePort, waitHealthy, stopChild } = await import("../../bench/proc.ts");
    const { startSink } = await import("../../bench/smtp-sink.ts");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    // an SMTP server that refuses every message (permanent failures are logged with the server's answer)
    const sink = await startSink({ mode: "550" });
    const dir = mkdtempSync(join(tmpdir(), "coordo-secrets-"));
    const port = await freePort();
    // A fresh installation catches up nothing from before it existed: leave reminders pending from an
    // earlier run whose relay was unreachable, for this start to try (and fail) against the sink.
    const dbEnv = { DATABASE_URL: `file:${join(dir, "coordo.db")}`, PUBLIC_URL: `http://127.0.0.1:${port}`, ALLOW_HTTP_PUBLIC_URL: "1", MAIL_FROM: "CPTS Secrète <contact@cpts-secrets.fr>" };
    const demo = spawnCoordo(["demo"], dbEnv);
    await demo.exited;
    const earlier = spawnCoordo(["job", "run", "dues-reminders", "--at", "2026-03-02"], { ...dbEnv, SMTP_URL: `smtp://127.0.0.1:${await freePort()}` });
    await earlier.exited;
    const child = spawnCoordo(["start", "--demo"], {
      DATABASE_URL: `file:${join(dir, "coordo.db")}`,
      PORT: String(port),
      LOG_LEVEL: "debug",
      JOBS_ENABLED: "1",
      SMTP_URL: `smtp://relais%40cpts.fr:${SECRETS.smtpPassword}@127.0.0.1:${sink.port}`,
      // real mail: https links and a real sender domain, or the explicit opt-in for a local test
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ALLOW_HTTP_PUBLIC_URL: "1",
      MAIL_FROM: "CPTS Secrète <contact@cpts-secrets.fr>",
      SLACK_BOT_TOKEN: SECRETS.slackBot,
      SLACK_SIGNING_SECRET: SECRETS.slackSigning,
      DISCORD_PUBLIC_KEY: "a".repeat(64),
    });
    try {
      await waitHealthy(port, child, 150_000);
      const forged = await fetch(`http://127.0.0.1:${port}/slack/events`, {
        method: "POST",
        body: `token=x&team_id=T1&command=%2Fcotisation&text=${SECRETS.slackBot}`,
        headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": "1", "x-slack-signature": "v0=00" },
      });
      expect(forged.status).toBe(401);
      const login = await fetch(`http://127.0.0.1:${port}/admin/connexion`, { method: "POST", body: new URLSearchParams({ email: "coordination@cpts-demo.fr", password: SECRETS.dbPassword }) });
      expect(login.status).toBeGreaterThanOrEqual(400);
      // give the catch-up jobs and the sender time to try (and fail) a few sends
      const end = Date.now() + 15_000;
      while (Date.now() < end && sink.stats().refused === 0) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await stopChild(child);
      await sink.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const output = child.output();
    expect(output).toContain('"level":"info"');
    expect(sink.stats().refused).toBeGreaterThan(0);
    expectNoSecret(output);
  }, 300_000); // three coordo processes one after the other: a start alone took 29 s on a loaded CI machine
});
