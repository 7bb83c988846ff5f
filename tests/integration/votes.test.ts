import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { UserError } from "../../src/app/errors.ts";
import { votePurgeJob } from "../../jobs/vote-purge.ts";
import { castVote, closeDueVotes, closeVote, createVote, giveProxy, purgeExpiredBallots, voteStatus } from "../../src/app/services/votes.ts";

let t: TestDb;
let cptsId: string;
const m: Record<string, string> = {};
const OPENS = new Date("2026-06-30T16:00:00Z");
const CLOSES = new Date("2026-06-30T18:00:00Z");

function ctxAt(at: string | Date): AppContext {
  return { config: loadConfig({ DATABASE_URL: t.url }), db: t.db, engine: t.engine, log: silentLogger, clock: fixedClock(typeof at === "string" ? new Date(at) : at) };
}
const during = () => ctxAt("2026-06-30T17:00:00Z");

async function snapshot() {
  const [p, b, x, o] = await Promise.all([
    t.db.voteParticipation.findMany({ orderBy: { id: "asc" } }),
    t.db.voteBallot.findMany({ orderBy: { id: "asc" } }),
    t.db.voteProxy.findMany({ orderBy: { id: "asc" } }),
    t.db.outboxMessage.count(),
  ]);
  return JSON.stringify({ p, b, x, o });
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err) => err);
  expect(e).toBeInstanceOf(UserError);
  return (e as Error).message;
}

async function member(cpts: string, key: string, o: { paid?: number[]; roles?: ("COORDONNATEUR" | "BUREAU" | "PARTENAIRE")[]; category?: "PROFESSIONNEL" | "STRUCTURE" | "PARTENAIRE"; exempt?: boolean; organization?: string; joinedOn?: string } = {}) {
  const row = await t.db.member.create({
    data: {
      cptsId: cpts,
      firstName: key[0]!.toUpperCase() + key.slice(1),
      lastName: "Test",
      organization: o.organization,
      kind: o.organization ? "MORALE" : "PHYSIQUE",
      email: `${key}@exemple-sante.fr`,
      category: o.category ?? "PROFESSIONNEL",
      duesExempt: o.exempt ?? false,
      joinedOn: o.joinedOn ?? "2024-01-01",
      roles: o.roles ? { create: o.roles.map((role) => ({ role })) } : undefined,
      payments: o.paid ? { create: o.paid.map((year) => ({ cptsId: cpts, year, amountCents: 3000, paidOn: `${year}-02-01` })) } : undefined,
    },
  });
  m[key] = row.id;
  return row.id;
}

beforeAll(async () => {
  t = await createTestDb();
  const cpts = await t.db.cpts.create({ data: { slug: "ag", name: "CPTS de l'AG", population: 50_000, workspaces: { create: { platform: "CONSOLE", externalId: "console", alertChannelId: "alertes" } } } });
  cptsId = cpts.id;
  await member(cptsId, "coordo", { paid: [2026], roles: ["COORDONNATEUR"] });
  for (const k of ["alice", "bruno", "chloe", "david", "emma", "farid"]) await member(cptsId, k, { paid: [2025, 2026] });
  await member(cptsId, "retard", { paid: [2025] });
  await member(cptsId, "tardif", { paid: [2026], joinedOn: "2026-06-20" });
  await member(cptsId, "partenaire", { category: "PARTENAIRE", exempt: true, roles: ["PARTENAIRE"] });
});
afterAll(async () => t?.cleanup());

const base = { question: "Approuvez-vous les comptes 2025 ?", opensAt: OPENS, closesAt: CLOSES, eligibilityCutoff: "2026-06-15" };

describe(`votes d'AG (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  let secretId: string;

  it("seuls la coordination et le bureau créent un vote", async () => {
    expect(await refusal(createVote(ctxAt("2026-06-20T10:00:00Z"), cptsId, base, { memberId: m.alice!, label: "chat:console:alice" }))).toContain("coordination");
    const v = await createVote(ctxAt("2026-06-20T10:00:00Z"), cptsId, { ...base, quorumPercent: 50, maxProxiesPerHolder: 1 }, { memberId: m.coordo!, label: "chat:console:coordo" });
    secretId = v.id;
    expect(v).toMatchObject({ secret: true, state: "OUVERT", federation: false, maxProxiesPerHolder: 1 });
  });

  it("refuse un vote avant l'ouverture, d'un non-éligible, puis un second vote, sans rien écrire", async () => {
    const before = await snapshot();
    expect(await refusal(castVote(ctxAt("2026-06-30T15:00:00Z"), cptsId, { voteId: secretId, memberId: m.alice!, choice: "Pour" }))).toContain("ouvre le 30/06/2026 à 18h00");
    expect(await refusal(castVote(during(), cptsId, { voteId: secretId, memberId: m.retard!, choice: "Pour" }))).toContain("à jour de cotisation au 15/06/2026");
    expect(await refusal(castVote(during(), cptsId, { voteId: secretId, memberId: m.tardif!, choice: "Pour" }))).toContain("pas sur la liste des votants");
    expect(await refusal(castVote(during(), cptsId, { voteId: secretId, memberId: m.partenaire!, choice: "Pour" }))).toContain("pas sur la liste des votants");
    expect(await refusal(castVote(during(), cptsId, { voteId: secretId, memberId: m.alice!, choice: "Peut-être" }))).toContain("Pour, Contre, Abstention");
    expect(await snapshot()).toBe(before);
    const r = await castVote(during(), cptsId, { voteId: secretId, memberId: m.alice!, choice: "pour" });
    expect(r.choice).toBe("Pour");
    const afterFirst = await snapshot();
    expect(await refusal(castVote(during(), cptsId, { voteId: secretId, memberId: m.alice!, choice: "Contre" }))).toContain("déjà voté");
    expect(await snapshot()).toBe(afterFirst);
  });

  it("un bulletin secret ne porte pas le votant et n'est pas rattachable à la participation", async () => {
    const idsBefore = (await t.db.voteBallot.findMany({ where: { voteId: secretId } })).map((b) => b.id);
    await castVote(during(), cptsId, { voteId: secretId, memberId: m.emma!, choice: "Contre" });
    await castVote(during(), cptsId, { voteId: secretId, memberId: m.farid!, choice: "Pour" });
    const ballots = await t.db.voteBallot.findMany({ where: { voteId: secretId } });
    expect(ballots).toHaveLength(3);
    expect(ballots.every((b) => b.voterId === null)).toBe(true);
    // Every cast rewrites all ballots with fresh random ids: the earlier ballot's id is gone.
    expect(ballots.some((b) => idsBefore.includes(b.id))).toBe(false);
    expect(ballots.every((b) => /^[0-9a-f-]{36}$/.test(b.id))).toBe(true);
    const parts = await t.db.voteParticipation.findMany({ where: { voteId: secretId } });
    expect(new Set(parts.map((p) => p.at.toISOString()))).toEqual(new Set([OPENS.toISOString()]));
    const memberIds = new Set(Object.values(m));
    expect(ballots.some((b) => memberIds.has(b.choice) || memberIds.has(b.id))).toBe(false);
  });

  it("un pouvoir permet au mandataire de voter pour le mandant, dans la limite des statuts", async () => {
    const p = await giveProxy(during(), cptsId, { voteId: secretId, giverId: m.bruno!, holderId: m.chloe! });
    expect(p).toEqual({ holderName: "Chloe Test", held: 1 });
    const before = await snapshot();
    expect(await refusal(giveProxy(during(), cptsId, { voteId: secretId, giverId: m.david!, holderId: m.chloe! }))).toBe(
      "Chloe Test détient déjà 1 pouvoir : le maximum est 1 par personne.",
    );
    expect(await refusal(giveProxy(during(), cptsId, { voteId: secretId, giverId: m.david!, holderId: m.retard! }))).toContain("pas sur la liste des votants");
    expect(await refusal(castVote(during(), cptsId, { voteId: secretId, memberId: m.bruno!, choice: "Pour" }))).toContain("donné pouvoir à Chloe Test");
    expect(await refusal(castVote(during(), cptsId, { voteId: secretId, memberId: m.david!, choice: "Pour", forMemberId: m.bruno! }))).toContain("pas de pouvoir");
    expect(await snapshot()).toBe(before);
    await castVote(during(), cptsId, { voteId: secretId, memberId: m.chloe!, choice: "Pour", forMemberId: m.bruno! });
    await castVote(during(), cptsId, { voteId: secretId, memberId: m.chloe!, choice: "Abstention" });
    const viaProxy = await t.db.voteParticipation.findFirstOrThrow({ where: { voteId: secretId, memberId: m.bruno! } });
    expect(viaProxy.viaProxyOf).toBe(m.chloe);
  });

  it("montre la participation et le quorum en direct", async () => {
    const s = await voteStatus(during(), cptsId, secretId);
    // Eligible: coordo + 6 up to date (not the late payer, the newcomer nor the partner).
    expect(s.turnout).toMatchObject({ eligible: { deliberatif: 7, consultatif: 0 }, voted: { deliberatif: 5 }, proxies: 1, quorumPercent: 50, quorumReached: true });
    expect(s.turnout!.percent).toBeCloseTo(71.4, 1);
  });

  it("refuse un vote après la clôture, publie les résultats avec les décomptes puis purge les bulletins", async () => {
    const after = ctxAt("2026-06-30T18:00:00Z");
    const before = await snapshot();
    expect(await refusal(castVote(after, cptsId, { voteId: secretId, memberId: m.david!, choice: "Contre" }))).toContain("est clos depuis le 30/06/2026 à 20h00");
    expect(await refusal(closeVote(during(), cptsId, secretId))).toContain("ne peut pas être clos avant");
    expect(await snapshot()).toBe(before);
    expect(await closeDueVotes(after, after.clock.now())).toBe(1);
    const s = await voteStatus(after, cptsId, secretId);
    expect(s.state).toBe("CLOS");
    expect(s.results!.counts).toEqual([
      { choice: "Pour", deliberatif: 3, consultatif: 0 },
      { choice: "Contre", deliberatif: 1, consultatif: 0 },
      { choice: "Abstention", deliberatif: 1, consultatif: 0 },
    ]);
    expect(s.results!.leading).toBe("Pour");
    const published = await t.db.outboxMessage.findMany({ where: { refType: "vote", refId: secretId } });
    expect(published).toHaveLength(1);
    expect(published[0]!.recipient).toBe("console:console:alertes");
    expect(published[0]!.bodyText).toContain("• Pour : 3");
    expect(published[0]!.bodyText).toContain("Quorum de 50 % atteint");
    expect(await closeDueVotes(after, after.clock.now())).toBe(0);
    expect(await purgeExpiredBallots(after, new Date("2026-09-27T10:00:00Z"))).toEqual({ votes: 0, rows: 0 });
    const purged = await purgeExpiredBallots(after, new Date("2026-09-28T10:00:00Z"));
    expect(purged.votes).toBe(1);
    expect(await t.db.voteBallot.count({ where: { voteId: secretId } })).toBe(0);
    expect(await t.db.voteParticipation.count({ where: { voteId: secretId } })).toBe(0);
    const kept = await voteStatus(after, cptsId, secretId);
    expect(kept.state).toBe("PURGE");
    expect(kept.results!.counts[0]!.deliberatif).toBe(3);
  });

  it("un vote public garde le nom de chaque votant dans les résultats", async () => {
    const v = await createVote(ctxAt("2026-06-20T10:00:00Z"), cptsId, { ...base, question: "Élection du trésorier : Karim ?", secret: false }, { memberId: m.coordo!, label: "chat:console:coordo" });
    await castVote(during(), cptsId, { voteId: v.id, memberId: m.alice!, choice: "Contre" });
    await castVote(during(), cptsId, { voteId: v.id, memberId: m.david!, choice: "Pour" });
    expect((await t.db.voteBallot.findMany({ where: { voteId: v.id } })).map((b) => b.voterId).sort()).toEqual([m.alice, m.david].sort());
    const r = await closeVote(ctxAt("2026-06-30T19:00:00Z"), cptsId, v.id);
    expect(r.publicBallots!.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: "Alice Test", choice: "Contre" },
      { name: "David Test", choice: "Pour" },
    ]);
    expect(r.leading).toBeNull();
  });

  it("inter-CPTS : une voix délibérative par CPTS membre, les partenaires consultatifs hors quorum", async () => {
    const inter = await t.db.cpts.create({ data: { slug: "inter-59", name: "Inter-CPTS du Nord", kind: "INTER_CPTS", population: 600_000 } });
    await member(inter.id, "pilote", { paid: [2026], roles: ["COORDONNATEUR"] });
    await member(inter.id, "cptsa", { paid: [2026], category: "STRUCTURE", organization: "CPTS A" });
    await member(inter.id, "cptsb", { paid: [2026], category: "STRUCTURE", organization: "CPTS B" });
    await member(inter.id, "cptsc", { paid: [2025], category: "STRUCTURE", organization: "CPTS C (non à jour)" });
    await member(inter.id, "ars", { category: "PARTENAIRE", exempt: true, organization: "ARS" });
    const v = await createVote(ctxAt("2026-06-20T10:00:00Z"), inter.id, { ...base, question: "Adopter la charte inter-CPTS ?", quorumPercent: 60 }, { memberId: m.pilote!, label: "chat:console:pilote" });
    expect(v.federation).toBe(true);
    await castVote(during(), inter.id, { voteId: v.id, memberId: m.cptsa!, choice: "Pour" });
    await castVote(during(), inter.id, { voteId: v.id, memberId: m.ars!, choice: "Contre" });
    expect(await refusal(castVote(during(), inter.id, { voteId: v.id, memberId: m.cptsc!, choice: "Pour" }))).toContain("pas sur la liste");
    expect(await refusal(giveProxy(during(), inter.id, { voteId: v.id, giverId: m.cptsb!, holderId: m.ars! }))).toContain("même collège");
    const s = await voteStatus(during(), inter.id, v.id);
    expect(s.turnout).toMatchObject({ eligible: { deliberatif: 2, consultatif: 1 }, voted: { deliberatif: 1, consultatif: 1 }, quorumReached: false });
    // The inter-CPTS's own coordinator is not a member CPTS: no vote.
    expect(await refusal(castVote(during(), inter.id, { voteId: v.id, memberId: m.pilote!, choice: "Pour" }))).toContain("pas sur la liste");
    // Tenant isolation: a member of another CPTS cannot vote here.
    expect(await refusal(castVote(during(), inter.id, { voteId: v.id, memberId: m.alice!, choice: "Pour" }))).toContain("pas sur la liste");
    expect(await refusal(castVote(during(), cptsId, { voteId: v.id, memberId: m.alice!, choice: "Pour" }))).toContain("n'existe pas");
    const r = await closeVote(ctxAt("2026-06-30T19:00:00Z"), inter.id, v.id);
    expect(r.counts).toEqual([
      { choice: "Pour", deliberatif: 1, consultatif: 0 },
      { choice: "Contre", deliberatif: 0, consultatif: 1 },
      { choice: "Abstention", deliberatif: 0, consultatif: 0 },
    ]);
    // 1 of 2 member CPTS voted (50 % < 60 %); counting the partner would have made it 2 of 3.
    expect(r.turnout.quorumReached).toBe(false);
    expect(r.leading).toBe("Pour");
  });

  it("la tâche vote-purge clôt un vote échu (essai à blanc : rien n'est écrit) puis purge après le délai", async () => {
    const v = await createVote(ctxAt("2026-07-01T08:00:00Z"), cptsId, { question: "Vote clos par la tâche ?", opensAt: new Date("2026-07-01T08:00:00Z"), closesAt: new Date("2026-07-02T08:00:00Z"), eligibilityCutoff: "2026-06-15", purgeAfterDays: 30 }, { memberId: m.coordo!, label: "test" });
    await castVote(ctxAt("2026-07-01T09:00:00Z"), cptsId, { voteId: v.id, memberId: m.alice!, choice: "Pour" });
    const after = ctxAt("2026-07-02T08:05:00Z");
    expect(await votePurgeJob.handler({ ctx: after, at: "2026-07-02", dryRun: true, cptsId, payload: {} })).toEqual({ votes_clos: 1, votes_purges: 0, lignes_supprimees: 0 });
    expect((await t.db.vote.findUniqueOrThrow({ where: { id: v.id } })).state).toBe("OUVERT");
    await votePurgeJob.handler({ ctx: after, at: "2026-07-02", dryRun: false, cptsId, payload: {} });
    expect((await t.db.vote.findUniqueOrThrow({ where: { id: v.id } })).state).toBe("CLOS");
    const later = ctxAt("2026-08-01T10:00:00Z");
    const r = await votePurgeJob.handler({ ctx: later, at: "2026-08-01", dryRun: false, cptsId, payload: {} });
    expect(r).toMatchObject({ votes_clos: 0, votes_purges: 1, lignes_supprimees: 2 });
    expect(await t.db.voteBallot.count({ where: { voteId: v.id } })).toBe(0);
  });

  it("des votes simultanés ne perdent ni ne dupliquent aucun bulletin secret", async () => {
    const v = await createVote(ctxAt("2026-06-20T10:00:00Z"), cptsId, { ...base, question: "Vote simultané ?" }, { memberId: m.coordo!, label: "test" });
    const voters = ["coordo", "alice", "bruno", "chloe", "david", "emma", "farid"];
    const attempts = [...voters.map((k, i) => ({ k, choice: i % 2 ? "Pour" : "Contre" })), { k: "alice", choice: "Abstention" }, { k: "emma", choice: "Abstention" }];
    const results = await Promise.allSettled(attempts.map((a) => castVote(during(), cptsId, { voteId: v.id, memberId: m[a.k]!, choice: a.choice })));
    const refused = results.filter((r) => r.status === "rejected").map((r) => (r as PromiseRejectedResult).reason);
    expect(refused).toHaveLength(2);
    expect(refused.every((e) => e instanceof UserError && /déjà voté/.test(e.message))).toBe(true);
    expect(await t.db.voteParticipation.count({ where: { voteId: v.id } })).toBe(7);
    const ballots = await t.db.voteBallot.findMany({ where: { voteId: v.id } });
    expect(ballots).toHaveLength(7);
    // Whichever of a member's two attempts won, the ballots are exactly the accepted choices.
    const accepted = attempts.filter((_, i) => results[i]!.status === "fulfilled").map((a) => a.choice).sort();
    expect(ballots.map((b) => b.choice).sort()).toEqual(accepted);
  });
});
