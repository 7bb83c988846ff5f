// Several CPTS in one deployment plus an inter-CPTS: the federation newsletter is the only thing
// that crosses tenants; chat, admin, jobs and exports each stay inside their CPTS.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { UserError } from "../../src/app/errors.ts";
import { hashPassword } from "../../src/app/password.ts";
import { createInterCpts, federationAudience, joinFederation, leaveFederation, memberCptsOf } from "../../src/app/services/federation.ts";
import { createNewsletter, sendNewsletterNow } from "../../src/app/services/newsletters.ts";
import { previewReminders } from "../../src/app/services/dues-reminders.ts";
import { exportMemberData } from "../../src/app/services/member-data.ts";
import { castVote, createVote } from "../../src/app/services/votes.ts";
import { ConsoleChat } from "../../src/chat/console/adapter.ts";
import { createHttpApp } from "../../src/http/server.ts";
import { adminComponent } from "../../src/admin/index.ts";
import { Browser } from "../security/tenants-setup.ts";

let t: TestDb;
let ctx: AppContext;
const ids: Record<string, string> = {};
const m: Record<string, string> = {};

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err) => err);
  expect(e).toBeInstanceOf(UserError);
  return (e as Error).message;
}

async function cpts(slug: string, name: string) {
  const c = await t.db.cpts.create({ data: { slug, name, population: 40_000, reminderPolicy: { create: {} } } });
  ids[slug] = c.id;
  return c.id;
}

async function member(cptsId: string, key: string, o: { prefNewsletter?: boolean; paid?: boolean; coordinator?: boolean } = {}) {
  const row = await t.db.member.create({
    data: {
      cptsId,
      firstName: key,
      lastName: `Nom${key}`,
      email: `${key}@exemple-sante.fr`,
      profession: "infirmier",
      prefNewsletter: o.prefNewsletter ?? true,
      roles: { create: [{ role: o.coordinator ? "COORDONNATEUR" : "ADHERENT" }] },
      payments: o.paid ? { create: { cptsId, year: 2026, amountCents: 3000, paidOn: "2026-01-20" } } : undefined,
    },
  });
  m[key] = row.id;
}

beforeAll(async () => {
  t = await createTestDb();
  ctx = { config: loadConfig({ DATABASE_URL: t.url, PUBLIC_URL: "https://coordo.exemple.fr" }), db: t.db, engine: t.engine, log: silentLogger, clock: fixedClock("2026-03-20") };
  await cpts("cpts-a", "CPTS Avesnois");
  await cpts("cpts-b", "CPTS Bocage");
  await cpts("cpts-c", "CPTS Cambrésis");
  const inter = await createInterCpts(ctx, { slug: "inter-nord", name: "Inter-CPTS du Nord", departments: "59" }, "cli");
  ids["inter-nord"] = inter.id;
  await t.db.reminderPolicy.create({ data: { cptsId: inter.id } });
  await member(inter.id, "pilote", { coordinator: true });
  await member(inter.id, "delegue", { prefNewsletter: false });
  await member(ids["cpts-a"]!, "anne", { paid: true, coordinator: true });
  await member(ids["cpts-a"]!, "arthur", { prefNewsletter: false });
  await member(ids["cpts-b"]!, "bea", { paid: true });
  await member(ids["cpts-c"]!, "cyril", { paid: true });
  await t.db.adminUser.create({ data: { cptsId: inter.id, email: "pilote@exemple-sante.fr", passwordHash: await hashPassword("mot-de-passe-solide-2026"), role: "COORDONNATEUR", memberId: m.pilote } });
});
afterAll(async () => t?.cleanup());

describe(`plusieurs CPTS et une inter-CPTS (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("une CPTS rejoint une seule inter-CPTS ; une inter-CPTS n'est membre de rien", async () => {
    await joinFederation(ctx, ids["inter-nord"]!, ids["cpts-a"]!, "cli");
    await joinFederation(ctx, ids["inter-nord"]!, ids["cpts-b"]!, "cli");
    await joinFederation(ctx, ids["inter-nord"]!, ids["cpts-b"]!, "cli");
    expect((await memberCptsOf(ctx, ids["inter-nord"]!)).map((c) => c.slug)).toEqual(["cpts-a", "cpts-b"]);
    const other = await createInterCpts(ctx, { slug: "inter-sud", name: "Inter-CPTS du Sud" }, "cli");
    expect(await refusal(joinFederation(ctx, other.id, ids["cpts-a"]!, "cli"))).toContain("déjà membre d'une autre inter-CPTS");
    expect(await refusal(joinFederation(ctx, ids["inter-nord"]!, other.id, "cli"))).toContain("Seule une CPTS");
    expect(await refusal(joinFederation(ctx, ids["cpts-c"]!, ids["cpts-a"]!, "cli"))).toContain("n'est pas une inter-CPTS");
    expect(await refusal(createInterCpts(ctx, { slug: "inter-nord", name: "Doublon" }, "cli"))).toContain("déjà pris");
    expect(await refusal(leaveFederation(ctx, other.id, ids["cpts-b"]!, "cli"))).toContain("n'est pas membre");
  });

  it("la newsletter de l'inter-CPTS atteint les adhérents des CPTS membres qui l'acceptent, et personne d'autre", async () => {
    const audience = await federationAudience(ctx, ids["inter-nord"]!);
    expect(audience.recipients.map((r) => r.email).sort()).toEqual(["anne@exemple-sante.fr", "bea@exemple-sante.fr", "pilote@exemple-sante.fr"]);
    expect(audience.excluded.unsubscribed).toBe(2);
    expect(await refusal(federationAudience(ctx, ids["cpts-a"]!))).toContain("réservée à une inter-CPTS");
    const n = await createNewsletter(ctx, { cptsId: ids["inter-nord"]!, subject: "Lettre de l'inter-CPTS", body: "Bonjour à toutes les CPTS du département.", audience: "FEDERATION" });
    const sent = await sendNewsletterNow(ctx, ids["inter-nord"]!, n.id, "admin:pilote@exemple-sante.fr");
    expect(sent.recipients).toBe(3);
    const rows = await t.db.outboxMessage.findMany({ where: { refType: "newsletter", refId: n.id } });
    expect(rows.map((r) => r.recipient).sort()).toEqual(["anne@exemple-sante.fr", "bea@exemple-sante.fr", "pilote@exemple-sante.fr"]);
    expect(rows.some((r) => r.recipient === "cyril@exemple-sante.fr" || r.recipient === "arthur@exemple-sante.fr")).toBe(false);
    // After leaving, the CPTS's members are no longer reached.
    await leaveFederation(ctx, ids["inter-nord"]!, ids["cpts-b"]!, "cli");
    expect((await federationAudience(ctx, ids["inter-nord"]!)).recipients.map((r) => r.email)).not.toContain("bea@exemple-sante.fr");
    await joinFederation(ctx, ids["inter-nord"]!, ids["cpts-b"]!, "cli");
  });

  it("chat : une commande d'un espace ne voit ni ne touche les données d'une autre CPTS", async () => {
    const voteA = await createVote(ctx, ids["cpts-a"]!, { question: "Vote interne à la CPTS A ?", opensAt: new Date("2026-03-19T08:00:00Z"), closesAt: new Date("2026-03-25T18:00:00Z"), eligibilityCutoff: "2026-03-01" }, { memberId: m.anne!, label: "test" });
    const chat = new ConsoleChat(ctx);
    const bea = await chat.session("cpts-b", "bea@exemple-sante.fr");
    const reply = await chat.command(bea, `/vote voter id=${voteA.id} choix=Pour`);
    expect(reply.text).toContain("n'existe pas dans votre CPTS");
    // Anne's address typed into CPTS B's console is not linked to Anne: B knows no such member.
    const intruder = await chat.session("cpts-b", "anne@exemple-sante.fr");
    const denied = await chat.command(intruder, `/vote voter id=${voteA.id} choix=Pour`);
    expect(denied.text).not.toContain("A voté");
    expect(await t.db.voteParticipation.count({ where: { voteId: voteA.id } })).toBe(0);
    await castVote(ctx, ids["cpts-a"]!, { voteId: voteA.id, memberId: m.anne!, choice: "Pour" });
    const listB = await chat.command(bea, "/vote liste");
    expect(listB.text).not.toContain("Vote interne à la CPTS A");
  });

  it("tâches et exports : chaque CPTS ne traite que ses propres membres", async () => {
    const preview = await previewReminders(ctx, ids["cpts-a"]!, "2026-03-20");
    const cptsAMembers = new Set([m.anne, m.arthur]);
    expect(preview.members.length).toBeGreaterThan(0);
    expect(preview.members.every((x) => cptsAMembers.has(x.id))).toBe(true);
    const inter = await previewReminders(ctx, ids["inter-nord"]!, "2026-03-20");
    expect(inter.members.map((x) => x.id)).toEqual([m.delegue]);
    const own = await exportMemberData(ctx, ids["cpts-a"]!, m.anne!);
    expect(own.content).toContain("anne@exemple-sante.fr");
    await expect(exportMemberData(ctx, ids["cpts-b"]!, m.anne!)).rejects.toBeInstanceOf(UserError);
  });

  it("admin : l'export CSV de l'inter-CPTS ne contient pas les adhérents de ses CPTS membres", async () => {
    const app = createHttpApp(ctx);
    await adminComponent.start(ctx, app);
    const browser = new Browser((path, init, env) => app.request(path, init, env));
    expect((await browser.login("pilote@exemple-sante.fr")).status).toBe(303);
    const csv = await (await browser.go("/admin/adherents/export.csv")).text();
    expect(csv).toContain("pilote@exemple-sante.fr");
    // Anne coordinates CPTS A: she is its representative, on the inter-CPTS's own record for CPTS A
    // (federation ajouter); the other members of the member CPTS never appear.
    const representative = csv.split(/\r?\n/).filter((l) => l.includes("anne@exemple-sante.fr"));
    expect(representative).toHaveLength(1);
    expect(representative[0]).toContain("CPTS Avesnois");
    for (const other of ["arthur", "bea", "cyril"]) expect(csv).not.toContain(`${other}@exemple-sante.fr`);
    expect(csv).not.toContain("Nomarthur");
    const page = await browser.go(`/admin/adherents/${m.anne}`);
    expect(page.status).toBe(404);
  });
});
