// An inter-CPTS used end to end: `coordo federation ajouter` creates each member CPTS's
// representative record (or asks for it) and links their chat account; the inter-CPTS has its own
// console and Discord space; its vote runs in the console chat with one deliberative voice per
// member CPTS and a consultative partner; its newsletter is sent from the chat; and its admin
// account, walking every page and export, sees counts and statuses of the member CPTS's
// recipients, never a name or an address.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadConfig } from "../../src/config.ts";
import type { AppContext, Clock } from "../../src/app/context.ts";
import { fixedClock } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { hashPassword } from "../../src/app/password.ts";
import { ConsoleChat } from "../../src/chat/console/adapter.ts";
import { renderText } from "../../src/chat/console/render.ts";
import { run as federationCli } from "../../src/cli/federation.ts";
import { run as chatCli } from "../../src/cli/chat.ts";
import { createHttpApp } from "../../src/http/server.ts";
import { adminComponent } from "../../src/admin/index.ts";
import type { Reply } from "../../commands/types.ts";
import { createSender } from "../../src/mail/component.ts";
import type { MailTransport } from "../../src/mail/transport.ts";
import { Client } from "./admin-setup.ts";

let now = new Date("2026-03-20T09:00:00Z");
const clock: Clock = { now: () => new Date(now), today: () => fixedClock(now).today() };
let t: TestDb;
let ctx: AppContext;
let chat: ConsoleChat;
const ids: Record<string, string> = {};
/** Members of the member CPTS (and of a CPTS outside): none of their names or addresses may reach the inter-CPTS's admin. */
const people: { cpts: string; firstName: string; lastName: string; email: string; phone: string }[] = [];

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await federationCli(args, { out: (s) => (out += `${s}\n`), err: (s) => (err += `${s}\n`), context: async () => ctx });
  return { code, out, err };
}

async function cpts(slug: string, name: string, members: [string, string, boolean?][]) {
  const c = await t.db.cpts.create({ data: { slug, name, population: 40_000, reminderPolicy: { create: {} } } });
  ids[slug] = c.id;
  for (const [first, last, coordinator] of members) {
    const email = `${first}.${last}@${slug}.fr`.toLowerCase();
    const phone = `06${String(people.length + 10).padStart(2, "0")}${"123456".slice(0, 6)}`;
    await t.db.member.create({
      data: {
        cptsId: c.id, firstName: first, lastName: last, email, phone, profession: "infirmier",
        roles: { create: [{ role: coordinator ? "COORDONNATEUR" : "ADHERENT" }] },
        payments: { create: { cptsId: c.id, year: 2026, amountCents: 3000, paidOn: "2026-01-20" } },
      },
    });
    people.push({ cpts: slug, firstName: first, lastName: last, email, phone });
  }
}

const say = async (slug: string, email: string, line: string) => chat.command(await chat.session(slug, email), line);

beforeAll(async () => {
  t = await createTestDb();
  ctx = { config: loadConfig({ DATABASE_URL: t.url, PUBLIC_URL: "https://coordo.exemple.fr" }), db: t.db, engine: t.engine, log: silentLogger, clock };
  chat = new ConsoleChat(ctx);
  await cpts("cpts-a", "CPTS Avesnois", [["Annabelle", "Aubry", true], ["Armand", "Arnoux"], ["Agathe", "Allard"]]);
  await cpts("cpts-b", "CPTS Bocage", [["Bertrand", "Bouvier"], ["Bérénice", "Blanchard"], ["Basile", "Brunet"]]);
  await cpts("cpts-c", "CPTS Cambrésis", [["Cyprien", "Carpentier", true], ["Coralie", "Collet"]]);
  // The representative of CPTS A already uses coordo on CPTS A's Discord server.
  const discordA = await t.db.chatWorkspace.create({ data: { platform: "DISCORD", externalId: "G-A", cptsId: ids["cpts-a"]! } });
  const anne = await t.db.member.findFirstOrThrow({ where: { email: "annabelle.aubry@cpts-a.fr" } });
  await t.db.chatIdentity.create({ data: { workspaceId: discordA.id, userId: "D-anne", memberId: anne.id } });
  const discordB = await t.db.chatWorkspace.create({ data: { platform: "DISCORD", externalId: "G-B", cptsId: ids["cpts-b"]! } });
  const bertrand = await t.db.member.findFirstOrThrow({ where: { email: "bertrand.bouvier@cpts-b.fr" } });
  await t.db.chatIdentity.create({ data: { workspaceId: discordB.id, userId: "D-bertrand", memberId: bertrand.id } });
});
afterAll(async () => t?.cleanup());

describe(`inter-CPTS de bout en bout (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("federation ajouter crée la fiche de la CPTS membre et sa ou son représentant, ou le demande", async () => {
    expect((await cli("creer", "--slug", "inter-nord", "--nom", "Inter-CPTS du Nord", "--departements", "59")).code).toBe(0);
    const inter = await t.db.cpts.findUniqueOrThrow({ where: { slug: "inter-nord" } });
    ids["inter-nord"] = inter.id;
    const pilote = await t.db.member.create({ data: { cptsId: inter.id, firstName: "Paula", lastName: "Pilote", email: "pilote@inter-nord.fr", roles: { create: [{ role: "COORDONNATEUR" }] } } });
    await t.db.adminUser.create({ data: { cptsId: inter.id, email: "pilote@inter-nord.fr", passwordHash: await hashPassword("mot-de-passe-solide-2026"), role: "COORDONNATEUR", memberId: pilote.id } });
    await t.db.member.create({ data: { cptsId: inter.id, kind: "MORALE", category: "PARTENAIRE", organization: "ARS Hauts-de-France", email: "ars@ars.sante.fr", duesExempt: true, roles: { create: [{ role: "PARTENAIRE" }] } } });

    // CPTS A: its coordinator becomes its representative by default.
    const a = await cli("ajouter", "--inter", "inter-nord", "--cpts", "cpts-a");
    expect(a.code).toBe(0);
    expect(a.out).toContain("Annabelle Aubry");
    const recA = await t.db.member.findFirstOrThrow({ where: { cptsId: inter.id, representsCptsId: ids["cpts-a"] } });
    expect(recA).toMatchObject({ kind: "MORALE", organization: "CPTS Avesnois", email: "annabelle.aubry@cpts-a.fr", status: "ACTIF" });
    // The inter-CPTS then links its own Discord server: the representative's Discord account is linked there.
    let linkOut = "";
    expect(await chatCli(["lier", "--cpts", "inter-nord", "--plateforme", "discord", "--espace", "G-INTER"], { out: (s) => (linkOut += s), err: (s) => (linkOut += s), context: async () => ctx })).toBe(0);
    expect(linkOut).toContain("1 compte(s) de représentant·es");
    const linked = await t.db.chatIdentity.findFirstOrThrow({ where: { workspace: { externalId: "G-INTER" }, userId: "D-anne" } });
    expect(linked.memberId).toBe(recA.id);

    // CPTS B has no coordinator: the command joins it and asks who represents it.
    const b = await cli("ajouter", "--inter", "inter-nord", "--cpts", "cpts-b");
    expect(b.code).toBe(0);
    expect(b.out).toContain("--representant");
    const recB = await t.db.member.findFirstOrThrow({ where: { cptsId: inter.id, representsCptsId: ids["cpts-b"] } });
    expect(recB.email).toBeNull();
    const unknown = await cli("representant", "--inter", "inter-nord", "--cpts", "cpts-b", "--email", "cyprien.carpentier@cpts-c.fr");
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain("n'est pas membre de la CPTS Bocage");
    const rep = await cli("representant", "--inter", "inter-nord", "--cpts", "cpts-b", "--email", "bertrand.bouvier@cpts-b.fr");
    expect(rep.code).toBe(0);
    expect((await t.db.member.findUniqueOrThrow({ where: { id: recB.id } })).email).toBe("bertrand.bouvier@cpts-b.fr");
    expect(rep.out).toContain("1 compte(s) de chat relié(s)");
    expect((await t.db.chatIdentity.findFirstOrThrow({ where: { workspace: { externalId: "G-INTER" }, userId: "D-bertrand" } })).memberId).toBe(recB.id);
    // Adding twice changes nothing.
    expect((await cli("ajouter", "--inter", "inter-nord", "--cpts", "cpts-a")).code).toBe(0);
    expect(await t.db.member.count({ where: { cptsId: inter.id, representsCptsId: { not: null } } })).toBe(2);
    expect((await cli("liste", "--inter", "inter-nord")).out).toMatch(/cpts-a\tCPTS Avesnois\tAnnabelle Aubry[\s\S]*cpts-b\tCPTS Bocage\tBertrand Bouvier/);
  });

  it("le vote de l'inter-CPTS se déroule dans la console : une voix délibérative par CPTS membre, le partenaire consultatif", async () => {
    const pilote = "pilote@inter-nord.fr";
    const created = await say("inter-nord", pilote, '/vote creer question="Adoptez-vous la charte de l\'inter-CPTS ?" cloture="2026-03-27 18:00" quorum=50');
    expect(renderText(created)).toContain("Adoptez-vous la charte");
    const vote = await t.db.vote.findFirstOrThrow({ where: { cptsId: ids["inter-nord"] } });
    expect(vote.federation).toBe(true);
    // The representatives vote from the inter-CPTS's console (their chat account is linked to their CPTS's record).
    expect((await say("inter-nord", "annabelle.aubry@cpts-a.fr", "/vote voter choix=Pour")).text).toContain("A voté");
    expect((await say("inter-nord", "bertrand.bouvier@cpts-b.fr", "/vote voter choix=Contre")).text).toContain("A voté");
    expect((await say("inter-nord", "ars@ars.sante.fr", "/vote voter choix=Pour")).text).toContain("A voté");
    // The inter-CPTS's own staff and a member of a member CPTS who is not its representative do not vote.
    expect((await say("inter-nord", pilote, "/vote voter choix=Pour")).text).not.toContain("A voté");
    expect((await say("inter-nord", "armand.arnoux@cpts-a.fr", "/vote voter choix=Pour")).text).not.toContain("A voté");
    const status = renderText(await say("inter-nord", pilote, "/vote voir"));
    expect(status).toMatch(/2\/2/);
    now = new Date("2026-03-27T17:05:00Z");
    const closed = renderText(await say("inter-nord", pilote, "/vote clore"));
    expect(closed).toContain("Pour : 1 (consultatif : 1)");
    expect(closed).toContain("Contre : 1 (consultatif : 0)");
    const v = await t.db.vote.findUniqueOrThrow({ where: { id: vote.id } });
    expect(v.state).toBe("CLOS");
  });

  it("la newsletter de l'inter-CPTS part depuis le chat vers les adhérents des CPTS membres", async () => {
    const pilote = await chat.session("inter-nord", "pilote@inter-nord.fr");
    const first = await chat.command(pilote, '/newsletter sujet="Lettre de l\'inter-CPTS" texte="Bonjour à toutes les CPTS du Nord : la charte est adoptée." audience=federation');
    const preview = renderText(first);
    expect(preview).toContain("Destinataires : 8");
    let replies: Reply[] = [first];
    replies = [...replies, await chat.click(pilote, replies, "Envoyer maintenant")];
    replies = [...replies, await chat.click(pilote, replies, "Confirmer l'envoi")];
    expect(renderText(replies.at(-1)!)).toMatch(/8 destinataire/);
    const rows = await t.db.outboxMessage.findMany({ where: { cptsId: ids["inter-nord"], kind: "newsletter" } });
    expect(rows).toHaveLength(8);
    expect(rows.some((r) => r.recipient.endsWith("@cpts-c.fr"))).toBe(false);
    // A plain CPTS cannot use that audience.
    const refused = await say("cpts-a", "annabelle.aubry@cpts-a.fr", '/newsletter sujet="Essai" texte="Texte de la lettre d\'essai." audience=federation');
    expect(refused.text).toContain("réservée à une inter-CPTS");
  });

  it("une adresse refusée par le serveur : l'avis part à la coordination de la CPTS membre, pas à l'inter-CPTS", async () => {
    const refused = "armand.arnoux@cpts-a.fr";
    const transport: MailTransport = {
      async send(mail) {
        if (mail.to === refused) throw Object.assign(new Error(`550 5.1.1 <${refused}>: Recipient address rejected`), { responseCode: 550, command: "RCPT TO", response: `550 5.1.1 <${refused}>: Recipient address rejected` });
        return { response: "250 OK" };
      },
      close() {},
    };
    now = new Date(Date.now() + 60_000); // rows are due from their real insertion time
    const { sender } = createSender(ctx, { transport });
    await sender.drainAll();
    const failed = await t.db.outboxMessage.findFirstOrThrow({ where: { cptsId: ids["inter-nord"], recipient: refused } });
    expect(failed.state).toBe("ECHEC");
    const notices = await t.db.outboxMessage.findMany({ where: { kind: "echec_envoi" } });
    expect(notices.map((n) => [n.cptsId, n.recipient])).toEqual([[ids["cpts-a"], "annabelle.aubry@cpts-a.fr"]]);
    expect(notices.some((n) => n.cptsId === ids["inter-nord"])).toBe(false);
  });

  it("le compte de l'inter-CPTS parcourt chaque page et chaque export de l'admin sans voir un nom ni une adresse d'une CPTS membre", async () => {
    const app = createHttpApp(ctx);
    await adminComponent.start(ctx, app);
    const c = new Client(app);
    expect((await c.login("pilote@inter-nord.fr", "mot-de-passe-solide-2026")).status).toBe(303);
    const representatives = new Set(["annabelle.aubry@cpts-a.fr", "bertrand.bouvier@cpts-b.fr"]);
    const secrets = people.filter((p) => !representatives.has(p.email)).flatMap((p) => [p.email, `${p.firstName} ${p.lastName}`, `${p.lastName} ${p.firstName}`, p.phone]);
    const seen = new Map<string, string>();
    const queue = ["/admin", "/admin/cpts", "/admin/adherents", "/admin/adherents/export.csv", "/admin/paiements-a-verifier", "/admin/newsletters", "/admin/echeances", "/admin/financement", "/admin/plan-de-crise", "/admin/crises", "/admin/reunions", "/admin/votes", "/admin/envois", "/admin/journal"];
    while (queue.length && seen.size < 300) {
      const path = queue.shift()!;
      if (seen.has(path)) continue;
      const res = await c.get(path);
      const body = await res.text();
      seen.set(path, body);
      expect(res.status, path).toBeLessThan(500);
      for (const m of body.matchAll(/href="(\/admin\/[^"#]*)"/g)) {
        const next = m[1]!.replace(/&amp;/g, "&");
        if (!seen.has(next) && !/deconnexion|assets/.test(next)) queue.push(next);
      }
    }
    expect(seen.size).toBeGreaterThan(14);
    expect([...seen.keys()]).toEqual(expect.arrayContaining(["/admin/envois", "/admin/adherents/export.csv"]));
    for (const [path, body] of seen) for (const s of secrets) expect(body, `${path} montre « ${s} »`).not.toContain(s);
    // Counts and statuses remain: the sends to each member CPTS, by state.
    const envois = seen.get("/admin/envois")!;
    expect(envois).toContain("CPTS Avesnois");
    expect(envois).toContain("CPTS Bocage");
    expect(envois).toMatch(/Capturé/);
  }, 240_000); // every page and export reached from the menu: 15-30 s alone, more on a loaded CI machine
});
