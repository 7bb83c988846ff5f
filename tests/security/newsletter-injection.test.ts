// Newsletter fields written by a coordinator, or pasted from elsewhere, carrying HTML or mail-header
// injection: escaped in the HTML part, and no CR/LF ever becomes a header or an extra recipient at the
// SMTP server (the message goes through the real outbox and sender).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { startSink, type Sink } from "../../bench/smtp-sink.ts";
import { createNewsletter, sendNewsletterNow, testSend } from "../../src/app/services/newsletters.ts";
import { UserError } from "../../src/app/errors.ts";
import { drainUntilSettled, fastSender, faultContext, seedWorld } from "../fault/fault-setup.ts";

let t: TestDb;
let sink: Sink;

beforeAll(async () => {
  t = await createTestDb();
});
afterEach(async () => {
  await sink?.close();
});
afterAll(async () => {
  await t?.cleanup();
});

const headerLines = (head: string) => head.replace(/\r\n[ \t]+/g, " ").split("\r\n");

describe("lettre d'information : injection HTML et d'en-têtes", () => {
  it("un objet avec CR/LF ne crée ni en-tête ni destinataire en plus ; le HTML du texte est échappé", async () => {
    sink = await startSink({ keepHeaders: true });
    const w = await seedWorld(t.db, "injection", 3);
    await t.db.outboxMessage.deleteMany({ where: { cptsId: w.cptsId } });
    const { ctx } = faultContext(t.db, t.url, t.engine, sink.port);
    const subject = "Réunion du jeudi\r\nBcc: victime@exemple.fr\r\nX-Injecte: oui";
    const body = 'Bonjour,\n\n<script>alert("x")</script><img src=x onerror="alert(1)"> <a href="javascript:alert(2)">lien</a>\n\nÀ bientôt.';
    let created: { id: string } | undefined;
    try {
      created = await createNewsletter(ctx, { cptsId: w.cptsId, subject, body, audience: "ADHERENTS" });
    } catch (e) {
      // refusing the subject outright is also a correct answer: a French error that names the subject
      // (« objet »), not some other field, and nothing written
      expect(e).toBeInstanceOf(UserError);
      expect((e as Error).message).toMatch(/objet/);
      expect((e as Error).message).not.toMatch(/audience|texte|profession/i);
      expect(await t.db.newsletter.count({ where: { cptsId: w.cptsId } })).toBe(0);
      return;
    }
    await sendNewsletterNow(ctx, w.cptsId, created.id, "admin:test");
    const rows = await t.db.outboxMessage.findMany({ where: { cptsId: w.cptsId, kind: "newsletter" } });
    expect(rows.length).toBeGreaterThanOrEqual(3);
    for (const r of rows) {
      expect(r.bodyHtml).not.toMatch(/<script|<img|<a [^>]*javascript:|onerror="/i);
      expect(r.bodyHtml).toContain("&lt;script&gt;");
    }
    const { sender, close } = fastSender(ctx);
    await drainUntilSettled(t.db, sender, w.cptsId);
    close();
    expect(sink.messages.length).toBe(rows.length);
    for (const m of sink.messages) {
      expect(m.to.length).toBe(1);
      expect(m.to[0]).not.toBe("victime@exemple.fr");
      const lines = headerLines(m.headers!);
      expect(lines.filter((l) => /^bcc:/i.test(l))).toEqual([]);
      expect(lines.filter((l) => /^x-injecte:/i.test(l))).toEqual([]);
      expect(lines.filter((l) => /^subject:/i.test(l)).length).toBe(1);
    }
  });

  it("une adresse d'envoi de test avec CR/LF est refusée en français, rien n'est mis en file", async () => {
    sink = await startSink();
    const w = await seedWorld(t.db, "injection-test", 1);
    const { ctx } = faultContext(t.db, t.url, t.engine, sink.port);
    const n = await createNewsletter(ctx, { cptsId: w.cptsId, subject: "Lettre de printemps", body: "Bonjour à toutes et à tous.", audience: "ADHERENTS" });
    const before = await t.db.outboxMessage.count();
    for (const to of ["moi@exemple.fr\r\nBcc: victime@exemple.fr", "moi@exemple.fr, victime@exemple.fr", "<moi@exemple.fr>\nTo: victime@exemple.fr"]) {
      await expect(testSend(ctx, w.cptsId, n.id, to)).rejects.toThrow(/Adresse de test invalide/);
    }
    expect(await t.db.outboxMessage.count()).toBe(before);
  });
});
