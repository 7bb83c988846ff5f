// Issue 17 (admin at 100,000 members): a vote's turnout counts its eligible voters in the database
// (member-list-repo's dues columns, judged at the vote's cut-off) instead of loading every member.
// For a mix of members, on both engines, the database count must equal the eligibility rule applied
// member by member (electorate), per college, for a CPTS vote and an inter-CPTS vote; voted counts
// come from the participations; another CPTS's members are never counted.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { electorate, electorateSize, voteStatus } from "../../src/app/services/votes.ts";

let t: TestDb;
const CUTOFF = "2026-06-15";
const engine = process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite";

function ctx(): AppContext {
  return { config: loadConfig({ DATABASE_URL: t.url }), db: t.db, engine: t.engine, log: silentLogger, clock: fixedClock(new Date("2026-06-30T17:00:00Z")) };
}

type Pay = { year: number; cents: number; on: string; refunded?: string };
interface Case {
  key: string;
  pays?: Pay[];
  status?: "ACTIF" | "ARCHIVE" | "NON_ADHERENT" | "CANDIDAT";
  category?: "PROFESSIONNEL" | "STRUCTURE" | "PARTENAIRE";
  roles?: ("ADHERENT" | "CA" | "PARTENAIRE" | "COORDONNATEUR")[];
  exempt?: boolean;
  morale?: boolean;
  joinedOn?: string | null;
  voted?: boolean;
}
const full = (on = "2026-02-01"): Pay => ({ year: 2026, cents: 3000, on });
// Rates 2026: PROFESSIONNEL 30 €, STRUCTURE 0 € (owes nothing), PARTENAIRE none set.
const CASES: Case[] = [
  { key: "paye", pays: [full()], voted: true },
  { key: "paye-non-vote", pays: [full()] },
  { key: "partiel", pays: [{ year: 2026, cents: 1000, on: "2026-02-01" }], voted: true },
  { key: "deux-partiels", pays: [{ year: 2026, cents: 1000, on: "2026-02-01" }, { year: 2026, cents: 2000, on: "2026-03-01" }] },
  { key: "en-retard", pays: [{ year: 2025, cents: 3000, on: "2025-02-01" }] },
  { key: "jamais", pays: [] },
  { key: "exonere", exempt: true, voted: true },
  { key: "archive-paye", pays: [full()], status: "ARCHIVE" },
  { key: "non-adherent-statut", pays: [full()], status: "NON_ADHERENT" },
  { key: "candidat", status: "CANDIDAT", exempt: true },
  { key: "sans-role-non-paye", roles: [] },
  { key: "sans-role-paye", roles: [], pays: [full()] },
  { key: "ca-paye", roles: ["CA"], pays: [full()] },
  { key: "paye-apres-cutoff", pays: [full("2026-06-20")] },
  { key: "partiel-puis-solde-apres", pays: [{ year: 2026, cents: 1000, on: "2026-02-01" }, { year: 2026, cents: 2000, on: "2026-06-16" }] },
  { key: "rembourse-apres-cutoff", pays: [{ ...full(), refunded: "2026-06-20" }], voted: true },
  { key: "rembourse-avant-cutoff", pays: [{ ...full(), refunded: "2026-03-01" }] },
  { key: "rembourse-et-repaye", pays: [{ ...full(), refunded: "2026-03-01" }, full("2026-04-01")] },
  { key: "paye-annee-suivante", pays: [{ year: 2027, cents: 3000, on: "2026-05-01" }] },
  { key: "paye-cette-annee-et-suivante", pays: [full(), { year: 2027, cents: 3000, on: "2026-05-01" }] },
  { key: "entre-apres-cutoff", pays: [full()], joinedOn: "2026-06-16" },
  { key: "entre-le-jour", pays: [full()], joinedOn: CUTOFF },
  { key: "sans-date-entree", pays: [full()], joinedOn: null },
  { key: "structure-taux-zero", category: "STRUCTURE", morale: true },
  { key: "structure-payee", category: "STRUCTURE", morale: true, pays: [full()], voted: true },
  { key: "partenaire-sans-taux", category: "PARTENAIRE", pays: [{ year: 2026, cents: 500, on: "2026-02-01" }], voted: true },
  { key: "partenaire-non-paye", category: "PARTENAIRE" },
  { key: "role-partenaire-paye", roles: ["ADHERENT", "PARTENAIRE"], pays: [full()] },
  { key: "morale-paye", morale: true, pays: [full()] },
  { key: "morale-partiel", morale: true, pays: [{ year: 2026, cents: 100, on: "2026-02-01" }] },
  { key: "exonere-morale-partenaire", morale: true, exempt: true, roles: ["PARTENAIRE"] },
  // members the grouped count judges apart (payments changed after the cut-off, partner role): each
  // falls in the same group of dues columns as counted members, so a wrong correction shows
  { key: "role-partenaire-paye-apres-cutoff", roles: ["ADHERENT", "PARTENAIRE"], pays: [full("2026-06-20")] },
  { key: "role-partenaire-entre-apres-cutoff", roles: ["ADHERENT", "PARTENAIRE"], pays: [full()], joinedOn: "2026-06-16" },
  { key: "role-partenaire-morale-entre-apres-cutoff", morale: true, roles: ["PARTENAIRE"], pays: [full()], joinedOn: "2026-06-16" },
  { key: "role-partenaire-paye-annee-suivante", roles: ["PARTENAIRE"], pays: [full(), { year: 2027, cents: 3000, on: "2026-05-01" }] },
  { key: "paye-apres-cutoff-et-annee-suivante", pays: [full("2026-06-20"), { year: 2027, cents: 3000, on: "2026-05-01" }] },
  { key: "solde-rembourse-apres-cutoff", pays: [{ year: 2026, cents: 1000, on: "2026-02-01" }, { year: 2026, cents: 2000, on: "2026-03-01", refunded: "2026-06-20" }] },
  { key: "morale-paye-apres-cutoff", morale: true, pays: [full("2026-06-16")] },
  { key: "exonere-rembourse-apres-cutoff", exempt: true, pays: [{ ...full(), refunded: "2026-06-20" }] },
  { key: "en-retard-paye-apres-cutoff", pays: [{ year: 2025, cents: 3000, on: "2025-02-01" }, full("2026-06-20")] },
];

// Second table: members the grouped count reads by its other paths. Several members alike in all the rule
// reads (same columns, same payments) changed after the cut-off: judged once, counted as many times as they
// are; members paid for a later year in every (category, kind, exemption): found by one seek each.
const ALIKE_AND_LATER: Case[] = [
  ...[1, 2, 3].map((i) => ({ key: `paye-apres-cutoff-${i}`, pays: [full("2026-06-20")] })),
  ...[1, 2].map((i) => ({ key: `rembourse-apres-cutoff-${i}`, pays: [{ ...full(), refunded: "2026-06-20" }] })),
  ...[1, 2].map((i) => ({ key: `partiel-puis-solde-apres-${i}`, pays: [{ year: 2026, cents: 1000, on: "2026-02-01" }, { year: 2026, cents: 2000, on: "2026-06-16" }] })),
  { key: "paye-apres-cutoff-autre-jour", pays: [full("2026-06-21")] },
  { key: "paye-apres-cutoff-morale", morale: true, pays: [full("2026-06-20")] },
  { key: "annee-suivante-structure", category: "STRUCTURE", morale: true, pays: [{ year: 2027, cents: 3000, on: "2026-05-01" }] },
  { key: "annee-suivante-exonere", exempt: true, pays: [{ year: 2027, cents: 3000, on: "2026-05-01" }] },
  { key: "annee-suivante-exonere-morale", exempt: true, morale: true, pays: [{ year: 2027, cents: 3000, on: "2026-05-01" }] },
  { key: "annee-suivante-partenaire", category: "PARTENAIRE", pays: [{ year: 2027, cents: 500, on: "2026-05-01" }] },
  { key: "annee-suivante-partenaire-exonere-morale", category: "PARTENAIRE", exempt: true, morale: true, pays: [{ year: 2027, cents: 500, on: "2026-05-01" }] },
  { key: "deux-annees-morale", morale: true, pays: [full(), { year: 2027, cents: 3000, on: "2026-05-01" }] },
  { key: "deux-annees-structure-partielle", category: "STRUCTURE", pays: [{ year: 2026, cents: 100, on: "2026-02-01" }, { year: 2027, cents: 3000, on: "2026-05-01" }] },
];

/** A vote open on 30/06/2026 with the table's cut-off, its electorate member by member, and the colleges counted from it. */
async function openVote(cptsId: string, federation: boolean) {
  const vote = await t.db.vote.create({
    data: { cptsId, question: `Q ${federation}`, options: ["Pour", "Contre"], opensAt: new Date("2026-06-30T16:00:00Z"), closesAt: new Date("2026-06-30T18:00:00Z"), eligibilityCutoff: CUTOFF, federation },
  });
  const { colleges } = await electorate(ctx(), vote);
  const rule = { deliberatif: 0, consultatif: 0 };
  for (const college of colleges.values()) rule[college]++;
  return { vote, colleges, rule };
}

async function seed(cptsId: string, prefix: string, cases: Case[] = CASES) {
  const ids: Record<string, string> = {};
  for (const c of cases) {
    const row = await t.db.member.create({
      data: {
        cptsId,
        firstName: c.key,
        lastName: prefix,
        organization: c.morale ? `Org ${c.key}` : undefined,
        kind: c.morale ? "MORALE" : "PHYSIQUE",
        email: `${prefix}-${c.key}@exemple-sante.fr`,
        status: c.status ?? "ACTIF",
        category: c.category ?? "PROFESSIONNEL",
        duesExempt: c.exempt ?? false,
        joinedOn: c.joinedOn === undefined ? "2024-01-01" : c.joinedOn,
        roles: { create: (c.roles ?? ["ADHERENT"]).map((role) => ({ role })) },
        payments: { create: (c.pays ?? []).map((p) => ({ cptsId, year: p.year, amountCents: p.cents, paidOn: p.on, refundedOn: p.refunded ?? null })) },
      },
    });
    ids[c.key] = row.id;
  }
  return ids;
}

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.cleanup());

describe(`vote turnout counted by the database (${engine})`, () => {
  it("eligible voters per college = the rule member by member; voted = participations; other CPTS ignored", async () => {
    const a = await t.db.cpts.create({ data: { slug: "vote-a", name: "CPTS A", population: 50_000 } });
    const b = await t.db.cpts.create({ data: { slug: "vote-b", name: "CPTS B", population: 50_000 } });
    for (const cptsId of [a.id, b.id]) {
      await t.db.duesRate.createMany({ data: [{ cptsId, year: 2026, category: "PROFESSIONNEL", amountCents: 3000 }, { cptsId, year: 2026, category: "STRUCTURE", amountCents: 0 }] });
    }
    const ids = await seed(a.id, "a");
    await seed(b.id, "b");
    for (const federation of [false, true]) {
      const { vote, colleges, rule } = await openVote(a.id, federation);
      // the table's expectation, written by hand for the CPTS vote
      if (!federation) {
        expect([...colleges.keys()].map((id) => CASES.find((c) => ids[c.key] === id)!.key).sort()).toEqual(
          ["paye", "paye-non-vote", "deux-partiels", "exonere", "sans-role-paye", "ca-paye", "rembourse-apres-cutoff", "rembourse-et-repaye", "paye-cette-annee-et-suivante", "entre-le-jour", "sans-date-entree", "structure-taux-zero", "structure-payee", "morale-paye", "solde-rembourse-apres-cutoff", "exonere-rembourse-apres-cutoff"].sort(),
        );
      }
      expect(await electorateSize(ctx(), vote), `federation=${federation}`).toEqual(rule);
      let voted = { deliberatif: 0, consultatif: 0 };
      for (const c of CASES.filter((x) => x.voted)) {
        const college = colleges.get(ids[c.key]!) ?? "deliberatif";
        await t.db.voteParticipation.create({ data: { voteId: vote.id, memberId: ids[c.key]!, college } });
        voted = { ...voted, [college]: voted[college] + 1 };
      }
      const st = await voteStatus(ctx(), a.id, vote.id);
      expect(st.turnout!.eligible).toEqual(rule);
      expect(st.turnout!.voted).toEqual(voted);
    }
  });

  it("members alike changed after the cut-off count once each; members paid for a later year, in every category, kind and exemption", async () => {
    const c = await t.db.cpts.create({ data: { slug: "vote-c", name: "CPTS C", population: 50_000 } });
    await t.db.duesRate.createMany({ data: [{ cptsId: c.id, year: 2026, category: "PROFESSIONNEL", amountCents: 3000 }, { cptsId: c.id, year: 2026, category: "STRUCTURE", amountCents: 0 }] });
    const ids = await seed(c.id, "c", ALIKE_AND_LATER);
    for (const federation of [false, true]) {
      const { vote, colleges, rule } = await openVote(c.id, federation);
      const byKey = (id: string) => ALIKE_AND_LATER.find((x) => ids[x.key] === id)!.key;
      // inter-CPTS: only legal persons vote (deliberative), partners are consultative
      const expected: Record<"deliberatif" | "consultatif", string[]> = federation
        ? { deliberatif: ["annee-suivante-structure", "annee-suivante-exonere-morale", "deux-annees-morale"], consultatif: ["annee-suivante-partenaire-exonere-morale"] }
        : { deliberatif: ["rembourse-apres-cutoff-1", "rembourse-apres-cutoff-2", "annee-suivante-structure", "annee-suivante-exonere", "annee-suivante-exonere-morale", "deux-annees-morale", "deux-annees-structure-partielle"], consultatif: [] };
      for (const college of ["deliberatif", "consultatif"] as const) {
        expect([...colleges].filter(([, v]) => v === college).map(([id]) => byKey(id)).sort(), `${college} federation=${federation}`).toEqual([...expected[college]].sort());
      }
      expect(await electorateSize(ctx(), vote), `federation=${federation}`).toEqual(rule);
    }
  });
});
