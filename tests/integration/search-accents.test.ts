// Issue 17: searching members ignores accents and case: « helene » finds « Hélène », « Francois »
// « François », « oeil » « Œil », and the other way round. Member.searchText is folded by the
// database (triggers, migration member_search_fold) with the same table as the text typed
// (rules/search-fold.ts): checked here for every character of the table on both engines, after an
// insert and after an update; then through the members list, the owner suggestions (JSON, as the
// crisis plan and meetings use them) and the several-word search.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, TODAY, type AdminTestEnv } from "./admin-setup.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { SEARCH_FOLDS, foldSearch } from "../../src/rules/search-fold.ts";
import { MemberListRepository } from "../../src/db/repos/member-list-repo.ts";
import { searchActiveMembers } from "../../src/db/repos/admin-lists-repo.ts";

let env: AdminTestEnv;
let c: Client;
const ids: Record<string, string> = {};
const PEOPLE = [
  { key: "helene", firstName: "Hélénaïs", lastName: "Zébulon-Dupré", email: "hzd@exemple-sante.fr" },
  { key: "francois", firstName: "François", lastName: "Quêteur", email: "fq@exemple-sante.fr" },
  { key: "oeil", firstName: null, lastName: null, organization: "Centre de l'Œil Ézy", email: "oeil@exemple-sante.fr", kind: "MORALE" as const, category: "STRUCTURE" as const },
  // decomposed text (« e » + combining accent), as some files and keyboards send it
  { key: "nfd", firstName: "Noe\u0308lle", lastName: "Ye\u0301rou", email: "ny@exemple-sante.fr" },
  { key: "jean", firstName: "Jean", lastName: "Marçin", email: "jm@exemple-sante.fr" },
  { key: "jeanne", firstName: "Jeanne", lastName: "Marçinez", email: "jmz@exemple-sante.fr" },
];

beforeAll(async () => {
  env = await adminTestEnv();
  c = new Client(env.app);
  expect((await c.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
  for (const p of PEOPLE) {
    const { key, ...data } = p;
    ids[key] = (await env.t.db.member.create({ data: { cptsId: env.cptsId, status: "ACTIF", ...data }, select: { id: true } })).id;
  }
}, 60_000);
afterAll(async () => env?.t.cleanup());

const stored = async (id: string) => (await env.t.db.member.findUniqueOrThrow({ where: { id }, select: { searchText: true } })).searchText;
const expected = (m: { lastName?: string | null; firstName?: string | null; email?: string | null; organization?: string | null }) =>
  foldSearch([m.lastName ?? "", m.firstName ?? "", m.email ?? "", m.organization ?? ""].join("\n"));

async function listFinds(q: string): Promise<string[]> {
  const { ids: found } = await new MemberListRepository(env.t.db).page({ cptsId: env.cptsId, today: TODAY, q, sort: "nom", desc: false, skip: 0, take: 50 });
  return found;
}

describe(`recherche d'adhérents sans accents (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("searchText plié par la base = foldSearch, pour chaque caractère de la table, à l'insertion et après modification", async () => {
    const all = SEARCH_FOLDS.map(([ch]) => ch).join("");
    const m = await env.t.db.member.create({ data: { cptsId: env.cptsId, lastName: `X${all}Y`, firstName: "ÉLODIE", organization: "Æther & Œuvre", email: "tout@exemple-sante.fr" } });
    expect(await stored(m.id)).toBe(expected({ lastName: `X${all}Y`, firstName: "ÉLODIE", organization: "Æther & Œuvre", email: "tout@exemple-sante.fr" }));
    expect(await stored(m.id)).toMatch(/^x[a-z]+y\nelodie\ntout@exemple-sante\.fr\naether & oeuvre$/);
    await env.t.db.member.update({ where: { id: m.id }, data: { lastName: "Bérénice-Noël", organization: null } });
    expect(await stored(m.id)).toBe("berenice-noel\nelodie\ntout@exemple-sante.fr\n");
    await env.t.db.member.update({ where: { id: ids.helene! }, data: { email: "HZD@Exemple-Santé.fr" } });
    expect(await stored(ids.helene!)).toBe("zebulon-dupre\nhelenais\nhzd@exemple-sante.fr\n");
    await env.t.db.member.update({ where: { id: ids.helene! }, data: { email: "hzd@exemple-sante.fr" } });
  });

  it("liste des adhérents : sans accents, avec accents, majuscules, plusieurs mots", async () => {
    for (const q of ["helenais", "Hélénaïs", "HELENAIS", "HÉLÉNAÏS", "hélenais", "zebulon", "Zébulon-Dupré", "dupre", "helenais dupre"]) expect(await listFinds(q), q).toEqual([ids.helene]);
    for (const q of ["francois", "FRANCOIS", "François", "queteur"]) expect(await listFinds(q), q).toEqual([ids.francois]);
    for (const q of ["oeil", "Œil", "œil", "OEIL", "centre de l'oeil", "ezy"]) expect(await listFinds(q), q).toEqual([ids.oeil]);
    for (const q of ["noelle", "Noëlle", "Noe\u0308lle", "yerou", "Yérou"]) expect(await listFinds(q), q).toEqual([ids.nfd]);
    expect(await listFinds("helenais zzz")).toEqual([]);
    // the page itself
    const html = await (await c.get("/admin/adherents?q=helenais")).text();
    expect(html).toContain("Zébulon-Dupré");
    expect(html).toContain("1 adhérent");
  });

  it("suggestions d'adhérent (plan de crise, réunions) : accents ignorés, la phrase exacte d'abord", async () => {
    const labels = async (q: string) => ((await (await c.get(`/admin/plan-de-crise/adherents?q=${encodeURIComponent(q)}`, { accept: "application/json" })).json()) as { suggestions: { label: string }[] }).suggestions.map((s) => s.label);
    expect(await labels("francois")).toEqual(["François Quêteur (fq@exemple-sante.fr)"]);
    expect(await labels("QUÊTEUR")).toEqual(["François Quêteur (fq@exemple-sante.fr)"]);
    expect(await labels("helenais zebulon")).toEqual(["Hélénaïs Zébulon-Dupré (hzd@exemple-sante.fr)"]);
    expect(await labels("ZEBULON hélénais")).toEqual(["Hélénaïs Zébulon-Dupré (hzd@exemple-sante.fr)"]);
    // « Jean Marcin » is Jean Marçin alone; « març jea », no one's phrase, both (each word in both)
    expect((await searchActiveMembers(env.t.db, env.cptsId, "Jean Marcin")).map((m) => m.id)).toEqual([ids.jean]);
    expect((await searchActiveMembers(env.t.db, env.cptsId, "març jea")).map((m) => m.id).sort()).toEqual([ids.jean, ids.jeanne].sort());
    expect(await searchActiveMembers(env.t.db, env.cptsId, " | ")).toEqual([]);
  });
});
