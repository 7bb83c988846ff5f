// The read-only admin pages of what is done in the chat: AG votes (/admin/votes) and crisis plan
// activations (/admin/crises). Data is created through the services, as the chat commands do.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, type AdminTestEnv } from "./admin-setup.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { AdminRepository } from "../../src/db/repos/admin-repo.ts";
import { hashPassword } from "../../src/app/password.ts";
import { castVote, closeVote, createVote, electorate, giveProxy, voteStatus } from "../../src/app/services/votes.ts";
import { activateCrisis, answerRollCall, closeCrisis, rollCallCounts } from "../../src/app/services/crisis-activation.ts";
import { displayName } from "../../src/app/services/members.ts";

let env: AdminTestEnv;
let coordoId: string;
let coordoName: string;
let voters: string[];
let names: Map<string, string>;
let secretId: string;
let publicId: string;
let openId: string;
let closedCrisisId: string;
let openCrisisId: string;
let other: { cptsId: string; voteId: string; crisisId: string };

const HOUR = 3600_000;
const at = (ms: number): AppContext => ({ ...env.ctx, clock: fixedClock(new Date(ms)) });

/** The text of each cell of each body row of the table with this id. */
function rows(html: string, id: string): string[][] {
  const table = new RegExp(`<table[^>]*id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(html);
  if (!table) return [];
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1]!)![1]!;
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, "").replace(/&#39;/g, "'").replace(/&amp;/g, "&").trim()),
  );
}

async function login(email: string, password: string): Promise<Client> {
  const c = new Client(env.app);
  expect((await c.login(email, password)).status).toBe(303);
  return c;
}

beforeAll(async () => {
  env = await adminTestEnv();
  const db = env.t.db;
  const coordo = await db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: DEMO_COORDINATOR_EMAIL } });
  coordoId = coordo.id;
  coordoName = displayName(coordo);
  const workspace = await db.chatWorkspace.findFirstOrThrow({ where: { cptsId: env.cptsId, platform: "CONSOLE" } });
  await db.chatIdentity.create({ data: { workspaceId: workspace.id, userId: "U-coordo", memberId: coordoId } });
  const actor = { memberId: coordoId, label: "chat:console:U-coordo" };

  // Three votes of the demo CPTS: a secret one and a public one, closed with results, and one still open.
  const now = env.ctx.clock.now().getTime();
  const base = { opensAt: new Date(now - HOUR), closesAt: new Date(now + HOUR), eligibilityCutoff: env.ctx.clock.today() };
  secretId = (await createVote(env.ctx, env.cptsId, { ...base, question: "Approuvez-vous les comptes de l'exercice ?", quorumPercent: 2 }, actor)).id;
  publicId = (await createVote(env.ctx, env.cptsId, { ...base, question: "Élisez-vous le bureau proposé ?", secret: false }, actor)).id;
  const el = await electorate(env.ctx, { cptsId: env.cptsId, eligibilityCutoff: base.eligibilityCutoff, federation: false });
  voters = [...el.colleges.keys()].filter((id) => id !== coordoId).slice(0, 6);
  names = el.names;
  expect(voters).toHaveLength(6);
  for (const [i, choice] of ["Pour", "Pour", "Pour", "Contre"].entries()) await castVote(env.ctx, env.cptsId, { voteId: secretId, memberId: voters[i]!, choice });
  await giveProxy(env.ctx, env.cptsId, { voteId: secretId, giverId: voters[4]!, holderId: voters[5]! });
  await castVote(env.ctx, env.cptsId, { voteId: secretId, memberId: voters[5]!, forMemberId: voters[4]!, choice: "Abstention" });
  for (const [i, choice] of ["Pour", "Contre"].entries()) await castVote(env.ctx, env.cptsId, { voteId: publicId, memberId: voters[i]!, choice });
  await closeVote(at(now + 2 * HOUR), env.cptsId, secretId);
  await closeVote(at(now + 2 * HOUR), env.cptsId, publicId);
  openId = (await createVote(env.ctx, env.cptsId, { question: "Adoptez-vous le nouveau règlement intérieur ?", opensAt: new Date(now - HOUR), closesAt: new Date(now + 48 * HOUR), eligibilityCutoff: base.eligibilityCutoff }, actor)).id;
  await castVote(env.ctx, env.cptsId, { voteId: openId, memberId: voters[0]!, choice: "Contre" });

  // Crisis: one activation closed with its return of experience, then one still under way.
  const pros = await db.member.findMany({ where: { cptsId: env.cptsId, status: "ACTIF", profession: { not: null }, communeInsee: { not: null } }, orderBy: { id: "asc" }, take: 7 });
  closedCrisisId = (await activateCrisis(env.ctx, env.cptsId, { situation: "malades", description: "Canicule : vigilance rouge sur le département." }, actor)).activationId;
  for (const [i, p] of pros.entries()) await answerRollCall(env.ctx, env.cptsId, p.id, i % 3 !== 2);
  await closeCrisis(env.ctx, env.cptsId, { feedback: "Appel rapide et efficace.\nLa liste des pharmacies de garde manquait." }, actor);
  openCrisisId = (await activateCrisis(env.ctx, env.cptsId, { situation: "offre-degradee" }, actor)).activationId;
  await answerRollCall(env.ctx, env.cptsId, pros[0]!.id, false);

  // Another CPTS with its own vote and activation, and its own coordinator account.
  const b = await db.cpts.create({ data: { slug: "cpts-beta", name: "CPTS Bêta", population: 30_000 } });
  const bCoordo = await db.member.create({ data: { cptsId: b.id, firstName: "Béatrice", lastName: "Bêta", email: "coord@beta.fr", roles: { create: [{ role: "COORDONNATEUR" }] } } });
  const bActor = { memberId: bCoordo.id, label: "chat:console:U-beta" };
  const bVote = await createVote(env.ctx, b.id, { ...base, question: "Question confidentielle de Bêta ?" }, bActor);
  const bCrisis = await activateCrisis(env.ctx, b.id, { situation: "nrc", description: "Fuite confidentielle à Bêta." }, bActor);
  other = { cptsId: b.id, voteId: bVote.id, crisisId: bCrisis.activationId };
  await new AdminRepository(db).createUser({ cptsId: b.id, email: "coord@beta.fr", passwordHash: await hashPassword("beta-coordo-2026!"), role: "COORDONNATEUR", actor: "test" });
  await new AdminRepository(db).createUser({ cptsId: env.cptsId, email: "tresorerie@cpts-demo.fr", passwordHash: await hashPassword("tresorier-2026!"), role: "BUREAU", actor: "test" });
});
afterAll(async () => env?.t.cleanup());

describe(`admin : votes d'AG et activations du plan de crise (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("la page Votes d'AG liste les votes de la CPTS, du plus récent au plus ancien, avec participation, quorum et pouvoirs", async () => {
    const c = await login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD);
    const res = await c.get("/admin/votes");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('href="/admin/votes" class="on"');
    const list = rows(html, "votes");
    expect(list.map((r) => r[0])).toEqual(["Adoptez-vous le nouveau règlement intérieur ?", "Élisez-vous le bureau proposé ?", "Approuvez-vous les comptes de l'exercice ?"]);
    const secret = await voteStatus(env.ctx, env.cptsId, secretId);
    const eligible = secret.results!.turnout.eligible.deliberatif;
    expect(eligible).toBeGreaterThan(6);
    const [open, pub, sec] = list;
    expect(sec!.slice(1)).toEqual(["clos", expect.stringMatching(/^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/), expect.any(String), "secret", String(eligible), expect.stringMatching(new RegExp(`^5/${eligible} \\(`)), "2 % atteint", "1"]);
    expect(pub!.slice(4, 9)).toEqual(["public", String(eligible), expect.stringMatching(new RegExp(`^2/${eligible} `)), "sans quorum", "0"]);
    expect(open![1]).toBe("ouvert");
    expect(open![6]).toMatch(new RegExp(`^1/${eligible} `));
  });

  it("un scrutin secret clos montre les voix par choix mais aucun nom de votant", async () => {
    const c = await login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD);
    const res = await c.get(`/admin/votes/${secretId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(rows(html, "resultats")).toEqual([["Pour", "3"], ["Contre", "1"], ["Abstention", "1"]]);
    expect(html).toContain("Choix retenu : <strong>Pour</strong>");
    expect(html).toContain("aucun bulletin n&#39;est relié à un votant");
    expect(html).not.toContain('id="bulletins"');
    for (const id of voters) {
      expect(html).not.toContain(names.get(id)!);
      expect(html).not.toContain(id);
    }
  });

  it("un scrutin public clos montre les bulletins nominatifs publiés par le service", async () => {
    const c = await login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD);
    const html = await (await c.get(`/admin/votes/${publicId}`)).text();
    expect(rows(html, "resultats")).toEqual([["Pour", "1"], ["Contre", "1"], ["Abstention", "0"]]);
    expect(html).toContain("Égalité ou aucun suffrage");
    expect(html).toContain(`${names.get(voters[0]!)} : Pour`);
    expect(html).toContain(`${names.get(voters[1]!)} : Contre`);
  });

  it("un vote ouvert montre la participation en direct, sans résultat avant la clôture", async () => {
    const c = await login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD);
    const html = await (await c.get(`/admin/votes/${openId}`)).text();
    expect(html).toContain("Les résultats seront publiés à la clôture du vote");
    expect(html).not.toContain('id="resultats"');
    expect(html).toMatch(/Participation : 1\/\d+ \(/);
  });

  it("la page Crises liste les activations avec l'auteur et les réponses à l'appel", async () => {
    const c = await login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD);
    const res = await c.get("/admin/crises");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('href="/admin/crises" class="on"');
    const closed = await rollCallCounts(env.ctx, env.cptsId, closedCrisisId);
    expect(closed.available + closed.unavailable).toBe(7);
    const list = rows(html, "crises");
    expect(list).toHaveLength(2);
    const byLabel = new Map(list.map((r) => [r[0], r]));
    const malades = byLabel.get(closed.label)!;
    expect(malades.slice(3)).toEqual([`${coordoName} (chat)`, String(closed.available), String(closed.unavailable)]);
    expect(malades[2]).toMatch(/\d{4}/);
    const current = list.find((r) => r[0]!.startsWith("offre de soins dégradée"))!;
    expect(current.slice(2)).toEqual(["en cours", `${coordoName} (chat)`, "0", "1"]);
    expect(html).toContain(`href="/admin/crises/${closedCrisisId}"`);
  });

  it("le détail d'une activation close donne les comptes par profession et par commune et le retour d'expérience", async () => {
    const c = await login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD);
    const res = await c.get(`/admin/crises/${closedCrisisId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const counts = await rollCallCounts(env.ctx, env.cptsId, closedCrisisId);
    expect(rows(html, "par-profession")).toEqual(counts.byProfession.map((r) => [r.label, String(r.available), String(r.unavailable)]));
    expect(rows(html, "par-commune")).toEqual(counts.byCommune.map((r) => [r.name, String(r.available), String(r.unavailable)]));
    expect(counts.byCommune.reduce((s, r) => s + r.available, 0)).toBe(counts.available);
    expect(html).toContain("<p>Appel rapide et efficace.</p><p>La liste des pharmacies de garde manquait.</p>");
    expect(html).toContain("Canicule : vigilance rouge sur le département.");
    const current = await (await c.get(`/admin/crises/${openCrisisId}`)).text();
    expect(current).toContain("Il sera demandé à la clôture");
  });

  it("une autre CPTS ne voit ni les votes ni les crises de la démo, et un identifiant d'une autre CPTS répond 404", async () => {
    const demo = await login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD);
    for (const path of [`/admin/votes/${other.voteId}`, `/admin/crises/${other.crisisId}`]) {
      const res = await demo.get(path);
      expect(res.status, path).toBe(404);
      const html = await res.text();
      expect(html).not.toContain("confidentielle");
    }
    expect(await (await demo.get("/admin/votes")).text()).not.toContain("Question confidentielle de Bêta");
    expect(await (await demo.get("/admin/crises")).text()).not.toContain("risque nucléaire");

    const beta = await login("coord@beta.fr", "beta-coordo-2026!");
    const votes = rows(await (await beta.get("/admin/votes")).text(), "votes");
    expect(votes.map((r) => r[0])).toEqual(["Question confidentielle de Bêta ?"]);
    const crises = rows(await (await beta.get("/admin/crises")).text(), "crises");
    expect(crises).toHaveLength(1);
    expect(crises[0]![0]).toContain("risque nucléaire");
    expect((await beta.get(`/admin/votes/${secretId}`)).status).toBe(404);
    expect((await beta.get(`/admin/crises/${closedCrisisId}`)).status).toBe(404);
  });

  it("une CPTS sans vote ni crise affiche des messages vides qui renvoient vers le chat", async () => {
    const db = env.t.db;
    const empty = await db.cpts.create({ data: { slug: "cpts-vide", name: "CPTS Vide", population: 10_000 } });
    await new AdminRepository(db).createUser({ cptsId: empty.id, email: "coord@vide.fr", passwordHash: await hashPassword("vide-coordo-2026!"), role: "COORDONNATEUR", actor: "test" });
    const c = await login("coord@vide.fr", "vide-coordo-2026!");
    expect(await (await c.get("/admin/votes")).text()).toContain("Aucun vote pour l&#39;instant : lancez-en un avec /vote dans le chat.");
    expect(await (await c.get("/admin/crises")).text()).toContain("déclenchez-le avec /plan-crise activer dans le chat");
  });

  it("un compte bureau lit les deux pages ; sans session, elles renvoient vers la connexion", async () => {
    const bureau = await login("tresorerie@cpts-demo.fr", "tresorier-2026!");
    for (const path of ["/admin/votes", `/admin/votes/${secretId}`, "/admin/crises", `/admin/crises/${closedCrisisId}`]) {
      expect((await bureau.get(path)).status, path).toBe(200);
      const anonymous = await new Client(env.app).get(path);
      expect(anonymous.status, path).toBe(303);
      expect(anonymous.headers.get("location")).toMatch(/^\/admin\/connexion\?suite=/);
    }
  });
});
