import { describe, expect, it } from "vitest";
import { parseBounceMail } from "../../src/mail/bounces.ts";

const BOUNCE = "rebonds@cpts-demo.fr";

describe("désabonnement par mailto : le jeton est lu en entier, quels que soient ses derniers caractères", () => {
  it.each(["AbCdEfGhIjKlMnOpQrStUvWxYz012345", "AbCdEfGhIjKlMnOpQrStUvWxYz01234-", "AbCdEfGhIjKlMnOpQrStUvWxYz0123_-", "-bCdEfGhIjKlMnOpQrStUvWxYz012345"])("jeton %s", async (token) => {
    const raw = `From: Farid <farid@sante-test.fr>\r\nTo: ${BOUNCE}\r\nSubject: desabonnement newsletter ${token}\r\n\r\n\r\n`;
    const events = await parseBounceMail(raw, BOUNCE);
    expect(events).toHaveLength(1);
    expect(events[0]!.unsubscribe).toEqual({ token, type: "newsletter" });
  });
});
