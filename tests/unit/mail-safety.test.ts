// Real mail needs https links and a verifiable sender: with SMTP_URL set, `coordo start` and `coordo job run`
// refuse to run (one French line naming the variable) instead of sending http://localhost links or
// Message-IDs @localhost.
import { describe, it, expect, afterEach } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { mailConfigProblem, isPlaceholderDomain } from "../../src/mail/safety.ts";
import { main } from "../../src/cli/main.ts";
import { messageIdFor } from "../../src/app/services/outbox.ts";

const SMTP = { SMTP_URL: "smtp://127.0.0.1:2525", PUBLIC_URL: "https://coordo.cpts-loire.fr", MAIL_FROM: "CPTS <contact@cpts-loire.fr>" };

describe("configuration sûre des envois", () => {
  it("sans SMTP_URL, rien n'est exigé (mails capturés)", () => {
    expect(mailConfigProblem(loadConfig({}))).toBeUndefined();
    expect(mailConfigProblem(loadConfig(SMTP))).toBeUndefined();
  });

  it.each([
    [{ PUBLIC_URL: "" }, /^PUBLIC_URL doit être défini/],
    [{ PUBLIC_URL: "http://coordo.cpts-loire.fr" }, /^PUBLIC_URL doit être en https/],
    [{ PUBLIC_URL: "http://localhost:3000" }, /ALLOW_HTTP_PUBLIC_URL=1/],
    [{ MAIL_FROM: "coordo <coordo@localhost>" }, /^MAIL_FROM doit être une adresse sur un vrai domaine/],
    [{ MAIL_FROM: "contact@cpts.example" }, /^MAIL_FROM/],
    [{ MAIL_FROM: "contact@example.org" }, /^MAIL_FROM/],
    [{ MAIL_FROM: "contact@cpts.invalid" }, /^MAIL_FROM/],
    [{ BOUNCE_ADDRESS: "rebonds@exemple.test" }, /^BOUNCE_ADDRESS/],
    [{ DKIM_DOMAIN: "cpts-loire.fr" }, /^DKIM_DOMAIN, DKIM_SELECTOR et DKIM_PRIVATE_KEY vont ensemble/],
    [{ BOUNCE_IMAP_URL: "imap://rebonds:secret@imap.cpts-loire.fr:143/INBOX" }, /^BOUNCE_IMAP_URL doit être en imaps:\/\//],
  ])("%o est refusé avec une ligne en français", (over, message) => {
    const problem = mailConfigProblem(loadConfig({ ...SMTP, ...over }));
    expect(problem).toMatch(message);
    expect(problem!.split("\n")).toHaveLength(1);
  });

  it("http://localhost n'est accepté qu'avec ALLOW_HTTP_PUBLIC_URL=1, et jamais pour un autre hôte", () => {
    expect(mailConfigProblem(loadConfig({ ...SMTP, PUBLIC_URL: "http://127.0.0.1:3000", ALLOW_HTTP_PUBLIC_URL: "1" }))).toBeUndefined();
    expect(mailConfigProblem(loadConfig({ ...SMTP, PUBLIC_URL: "http://coordo.cpts-loire.fr", ALLOW_HTTP_PUBLIC_URL: "1" }))).toMatch(/https/);
    expect(mailConfigProblem(loadConfig({ ...SMTP, BOUNCE_IMAP_URL: "imap://rebonds:secret@127.0.0.1:1143/INBOX" }))).toBeUndefined();
  });

  it("domaines de substitution reconnus, vrais domaines acceptés ; Message-ID sur le domaine de MAIL_FROM", () => {
    for (const d of ["localhost", "cpts.local", "example.com", "mail.example.net", "a.test", "intranet", "192.168.1.2"]) expect(isPlaceholderDomain(d), d).toBe(true);
    for (const d of ["cpts-loire.fr", "exemple.fr", "mail.cpts.org"]) expect(isPlaceholderDomain(d), d).toBe(false);
    expect(messageIdFor("relance:m1:2026:1", SMTP.MAIL_FROM)).toMatch(/^<[0-9a-f]{40}@cpts-loire\.fr>$/);
  });
});

describe("coordo start et coordo job run refusent une configuration d'envoi dangereuse", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it.each([["start"], ["job", "run", "dues-reminders"]])("coordo %s avec SMTP_URL et sans PUBLIC_URL https : code 2, la variable nommée", async (...argv) => {
    Object.assign(process.env, { SMTP_URL: "smtp://127.0.0.1:2525", PUBLIC_URL: "http://coordo.cpts-loire.fr", MAIL_FROM: "CPTS <contact@cpts-loire.fr>", DATABASE_URL: "file:/nonexistent/never-opened.db" });
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
    expect(code).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^PUBLIC_URL doit être en https:\/\//);
    expect(out).toEqual([]);
  });
});
