// Review fixes of the chat layer: link-code tries, scheduled newsletter dates, reminder summary,
// crisis plan section order (console adapter, demo CPTS, fixed clock).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { chatWorld, COORDO, PRESIDENCE, type ChatWorld } from "./chat-setup.ts";

let w: ChatWorld;
let adherentEmail: string;

beforeAll(async () => {
  w = await chatWorld();
  const m = await w.t.db.member.findFirstOrThrow({
    where: { cptsId: w.cptsId, status: "ACTIF", email: { endsWith: "@exemple-sante.fr" }, roles: { some: { role: "ADHERENT" } } },
    orderBy: { email: "desc" },
  });
  adherentEmail = m.email!;
});
afterAll(async () => w?.close());

async function lastCode(email: string): Promise<string> {
  const mail = await w.t.db.outboxMessage.findFirstOrThrow({ where: { kind: "code", recipient: email }, orderBy: { createdAt: "desc" } });
  return /code=(\d{6})/.exec(mail.bodyText)![1]!;
}

describe(`corrections de revue du chat (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("/adhesion code : après 5 codes erronés le code est annulé, même le bon ne relie plus, un nouveau code remet le compteur à zéro", async () => {
    const who = "essais@discord.local";
    await w.say(who, `/adhesion lier email=${adherentEmail}`);
    const code = await lastCode(adherentEmail);
    const wrong = (n: number) => String((Number(code) + n) % 1_000_000).padStart(6, "0");
    for (let i = 1; i <= 4; i++) {
      const r = await w.say(who, `/adhesion code=${wrong(i)}`);
      expect(r.text).toContain(`Il vous reste ${5 - i} essai`);
    }
    const fifth = await w.say(who, `/adhesion code=${wrong(5)}`);
    expect(fifth.text).toContain("Trop d'essais");
    expect(fifth.text).toContain("Demandez un nouveau code");
    const right = await w.say(who, `/adhesion code=${code}`);
    expect(right.text).not.toContain("votre compte est relié");
    expect(right.text).toContain("Demandez-en un nouveau");
    const identity = await w.t.db.chatIdentity.findFirstOrThrow({ where: { userId: who } });
    expect(identity.memberId).toBeNull();
    expect(identity.linkCode).toBeNull();

    await w.t.db.outboxMessage.deleteMany({ where: { kind: "code", recipient: adherentEmail } });
    await w.say(who, `/adhesion lier email=${adherentEmail}`);
    const fresh = await lastCode(adherentEmail);
    expect((await w.t.db.chatIdentity.findFirstOrThrow({ where: { userId: who } })).linkAttempts).toBe(0);
    expect((await w.say(who, `/adhesion code=${fresh === "999999" ? "999998" : "999999"}`)).text).toContain("Il vous reste 4 essais");
    expect((await w.say(who, `/adhesion code=${fresh}`)).text).toContain("votre compte est relié");
  });

  it("/adhesion code : des essais simultanés ne dépassent jamais 5 comparaisons", async () => {
    const who = "rafale@discord.local";
    await w.say(who, `/adhesion lier email=${PRESIDENCE}`);
    const code = await lastCode(PRESIDENCE);
    const guesses = Array.from({ length: 12 }, (_, i) => String((Number(code) + i + 1) % 1_000_000).padStart(6, "0"));
    const replies = await Promise.all(guesses.map((g) => w.say(who, `/adhesion code=${g}`)));
    expect(replies.filter((r) => r.text.includes("n'est pas le bon")).length).toBeLessThanOrEqual(4);
    expect((await w.t.db.chatIdentity.findFirstOrThrow({ where: { userId: who } })).linkAttempts).toBe(5);
    expect((await w.say(who, `/adhesion code=${code}`)).text).not.toContain("votre compte est relié");
  });
});
