// What the coordinator sees of mail trust (issue 11 §1): the « adresse invalide » flag on the member page
// (date, the server's reply), the action that clears a flag set by mistake and re-queues the failed mail,
// the same from the CLI, and the « envois suspendus » banner on every admin page while the relay refuses
// our sending. Real sends against a local relay (smtp-server), no mocks.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, type AdminTestEnv } from "./admin-setup.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { startRelay, type Relay } from "./relay-server.ts";
import { createSender } from "../../src/mail/component.ts";
import { smtpTransport } from "../../src/mail/transport.ts";
import { enqueueMessages } from "../../src/app/services/outbox.ts";
import { main } from "../../src/cli/main.ts";
import { saveMember } from "../../src/app/services/members.ts";

let env: AdminTestEnv;
let relay: Relay;
let c: Client;

beforeAll(async () => {
  env = await adminTestEnv();
  relay = await startRelay("accept");
  c = new Client(env.app);
  expect((await c.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
});
afterAll(async () => {
  await relay?.close();
  await env?.t.cleanup();
});

async function send(key: string, member: { id: string; email: string | null }) {
  await env.t.db.$transaction((tx) =>
    enqueueMessages(tx, [{ cptsId: env.cptsId, idempotencyKey: key, channel: "MAIL", kind: "newsletter", recipient: member.email!, memberId: member.id, subject: "Lettre", bodyText: "Bonjour" }]),
  );
  const transport = smtpTransport(env.ctx.config, { smtpUrl: relay.url, poolSize: 1 });
  // rows are due from the database clock; the admin's context has a fixed clock in the past
  const { sender } = createSender({ ...env.ctx, clock: { now: () => new Date(Date.now() + 1000), today: () => env.ctx.clock.today() } }, { transport, scope: { keys: [key] } });
  try {
    return await sender.drainAll();
  } finally {
    await sender.retire();
    transport!.close();
  }
}

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s), context: async () => env.ctx });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe(`confiance des envois dans l'admin et la CLI (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("une adresse refusée au RCPT TO : la fiche montre le marquage, sa date et la raison ; le coordinateur le lève et le mail repart", async () => {
    const member = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: { contains: "@exemple-sante.fr" }, emailInvalid: false }, orderBy: { id: "asc" } });
    relay.unknown.add(member.email!.toLowerCase());
    const counts = await send("test:flag:1", member);
    expect(counts.failed).toBe(1);
    const flagged = await env.t.db.member.findUniqueOrThrow({ where: { id: member.id } });
    expect(flagged.emailInvalid).toBe(true);
    expect(flagged.emailInvalidReason).toMatch(/RCPT TO.*550 5\.1\.1/);

    const page = await c.get(`/admin/adherents/${member.id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Adresse marquée invalide");
    expect(html).toContain("5.1.1 Unknown user");
    expect(html).toMatch(/le \d{2}\/\d{2}\/\d{4}/);

    // the CLI lists it
    const listed = await cli("adresses", "--cpts", "demo");
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(member.email!);
    expect(listed.out).toContain("5.1.1");

    // the mailbox exists after all: clear the flag from the member page
    relay.unknown.clear();
    const cleared = await c.post(`/admin/adherents/${member.id}/adresse-retablie`, {});
    expect(cleared.status).toBe(303);
    expect((await env.t.db.member.findUniqueOrThrow({ where: { id: member.id } })).emailInvalid).toBe(false);
    const row = await env.t.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: "test:flag:1" } });
    expect(row.state).toBe("EN_ATTENTE");
    expect(await env.t.db.auditLog.count({ where: { action: "adherent.adresse_retablie", target: member.id } })).toBe(1);
    const again = await send("test:flag:1", member);
    expect(again.sent).toBe(1);
    expect(relay.byRecipient().get(member.email!.toLowerCase())?.raw).toBe(1);
    expect((await c.get(`/admin/adherents/${member.id}`)).status).toBe(200);
    expect(c.lastHtml).not.toContain("Adresse marquée invalide");
  });

  it("coordo adresses retablir : lève les marquages d'une CPTS et remet en file ; refuse une adresse inconnue", async () => {
    const two = await env.t.db.member.findMany({ where: { cptsId: env.cptsId, email: { contains: "@exemple-sante.fr" }, emailInvalid: false }, orderBy: { id: "desc" }, take: 2 });
    for (const m of two) relay.unknown.add(m.email!.toLowerCase());
    await send("test:flag:2", two[0]!);
    await send("test:flag:3", two[1]!);
    relay.unknown.clear();
    expect(await env.t.db.member.count({ where: { cptsId: env.cptsId, emailInvalid: true } })).toBe(2);
    const bad = await cli("adresses", "retablir", "--cpts", "demo", "--email", "personne@nulle-part.fr");
    expect(bad.code).toBe(1);
    expect(bad.err).toContain("Adresse(s) inconnue(s)");
    expect(await cli("adresses", "retablir", "--cpts", "demo")).toMatchObject({ code: 2, err: expect.stringContaining("--email") });
    const all = await cli("adresses", "retablir", "--cpts", "demo", "--toutes");
    expect(all.code).toBe(0);
    expect(all.out).toContain("2 adresse(s) rétablie(s), 2 mail(s) en échec remis en file");
    expect(await env.t.db.member.count({ where: { cptsId: env.cptsId, emailInvalid: true } })).toBe(0);
  });

  it("une nouvelle adresse saisie sur la fiche lève le marquage de l'ancienne ; la même adresse le garde", async () => {
    const m = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: { contains: "@exemple-sante.fr" } }, include: { roles: true }, orderBy: { id: "asc" }, skip: 9 });
    const form = (email: string) => ({
      kind: m.kind, category: m.category, status: m.status, firstName: m.firstName ?? undefined, lastName: m.lastName ?? undefined, organization: m.organization ?? undefined,
      profession: m.profession ?? undefined, communeInsee: m.communeInsee ?? undefined, email, phone: m.phone ?? undefined, rpps: m.rpps ?? undefined,
      duesExempt: m.duesExempt, prefNewsletter: m.prefNewsletter, prefDuesReminders: m.prefDuesReminders, prefAlerts: m.prefAlerts, roles: m.roles.map((r) => r.role),
    });
    await env.t.db.member.update({ where: { id: m.id }, data: { emailInvalid: true, emailInvalidAt: new Date(), emailInvalidReason: "RCPT TO : 550 5.1.1 Unknown user" } });
    await saveMember(env.ctx, env.cptsId, m.id, form(m.email!) as Parameters<typeof saveMember>[3], "test");
    expect((await env.t.db.member.findUniqueOrThrow({ where: { id: m.id } })).emailInvalid).toBe(true);
    await saveMember(env.ctx, env.cptsId, m.id, form("nouvelle.adresse@exemple-sante.fr") as Parameters<typeof saveMember>[3], "test");
    const after = await env.t.db.member.findUniqueOrThrow({ where: { id: m.id } });
    expect([after.email, after.emailInvalid, after.emailInvalidReason]).toEqual(["nouvelle.adresse@exemple-sante.fr", false, null]);
  });

  it("le relais refuse l'expéditeur : bandeau « envois suspendus » sur chaque page, aucune adresse marquée ; relais réparé, le bandeau disparaît", async () => {
    const member = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: { contains: "@exemple-sante.fr" } }, orderBy: { id: "asc" }, skip: 5 });
    relay.mode = "mailfrom550";
    const counts = await send("test:circuit:1", member);
    expect(counts.held).toBe(1);
    expect(await env.t.db.member.count({ where: { cptsId: env.cptsId, emailInvalid: true } })).toBe(0);
    for (const path of ["/admin", "/admin/adherents", "/admin/envois", `/admin/adherents/${member.id}`]) {
      expect((await c.get(path)).status, path).toBe(200);
      expect(c.lastHtml, path).toContain("Envois de mails suspendus");
      expect(c.lastHtml, path).toContain("Sender domain not verified");
    }
    const outbox = await cli("outbox", "--limite", "3");
    expect(outbox.out).toContain("ENVOIS SUSPENDUS");
    relay.mode = "accept";
    const resumed = await send("test:circuit:1", member);
    expect(resumed.sent).toBe(1);
    expect((await c.get("/admin")).status).toBe(200);
    expect(c.lastHtml).not.toContain("Envois de mails suspendus");
  });
});
