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
};

const env = {
  DATABASE_URL: `postgresql://coordo:${SECRETS.dbPassword}@db.interne:5432/coordo`,
  SMTP_URL: `smtp://relais%40cpts.fr:${SECRETS.smtpPassword}@smtp.exemple.fr:587`,
  SLACK_BOT_TOKEN: SECRETS.slackBot,
  SLACK_APP_TOKEN: SECRETS.slackApp,
  SLACK_SIGNING_SECRET: SECRETS.slackSigning,
  DISCORD_TOKEN: SECRETS.discordToken,
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
