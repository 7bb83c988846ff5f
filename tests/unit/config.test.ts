import { describe, it, expect } from "vitest";
import { loadConfig, ConfigError, configVariables } from "../../src/config.ts";
import { readFileSync } from "node:fs";

describe("configuration", () => {
  it("donne des valeurs par défaut utilisables sans aucune variable", () => {
    const c = loadConfig({});
    expect(c.DATABASE_URL).toBe("file:./data/coordo.db");
    expect(c.PORT).toBe(3000);
    expect(c.SMTP_URL).toBeUndefined();
  });

  it.each([
    ["PORT", "abc", /PORT invalide .*port entre 0 et 65535/],
    ["DATABASE_URL", "mysql://x", /DATABASE_URL invalide \(« \*\*\* »\) : attendu file:/],
    ["SMTP_URL", "http://x", /SMTP_URL invalide/],
    ["SLACK_BOT_TOKEN", "abc", /SLACK_BOT_TOKEN invalide \(« \*\*\* »\).*xoxb-/],
    ["COORDO_DEMO", "peut-être", /COORDO_DEMO invalide.*1 ou 0/],
  ])("refuse %s=%s avec une ligne en français", (name, value, message) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message.split("\n")).toHaveLength(1);
  });

  it(".env.example liste toutes les variables", () => {
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    for (const v of configVariables) expect(example).toContain(`${v.name}=`);
  });
});
