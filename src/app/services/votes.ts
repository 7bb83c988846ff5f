// AG e-votes (DOMAIN §8): created by the coordination, one vote per eligible member (dues up to
// date at a cut-off date), proxies with a maximum per holder, live turnout and quorum, results
// published at closing, ballot data purged after a delay.
//
// Secret ballots never link a choice to a voter in the database: VoteParticipation says who took
// part, VoteBallot holds choices without voterId; both are written in one transaction, but the
// participation carries the vote's opening time (not the real time) and every cast rewrites the
// vote's ballots with fresh random ids in a random order (VoteRepository.castBallot), so neither
// ids, timestamps nor row order tell which ballot is whose. Limits: someone reading the database
// files or backups between two casts can diff them, as anyone watching a live tally could.
//
// Inter-CPTS mode (the vote of a CPTS whose kind is INTER_CPTS): its members are the member CPTS,
// recorded as legal-person members (kind MORALE; one deliberative vote each, cast by whoever's chat
// account is linked to that record), and partners (category or role PARTENAIRE: consultative vote,
// counted apart and never in the quorum). In a CPTS, partners do not vote.
import { z } from "zod";
import type { AppContext } from "../context.ts";
import { UserError, zodIssuesFr } from "../errors.ts";
import { VoteRepository, type DuesGroup, type VoterRecord } from "../../db/repos/vote-repo.ts";
import { memberDuesStatus } from "../../rules/dues.ts";
import { compareDates, formatDateFr, isIsoDate, addDays, parisToday, yearOf } from "../../rules/dates.ts";
import { formatParisDateTimeFr } from "../../rules/paris-time.ts";
import { enqueueMessages, inTransaction } from "./outbox.ts";
import { alertRecipients } from "../../helloasso/notify.ts";

export const DEFAULT_OPTIONS = ["Pour", "Contre", "Abstention"];
export type College = "deliberatif" | "consultatif";
export const COLLEGE_LABELS: Record<College, string> = { deliberatif: "délibératif", consultatif: "consultatif" };

const isoDate = z.string().refine(isIsoDate, "date AAAA-MM-JJ attendue");

export const createVoteSchema = z
  .object({
    question: z.string().trim().min(5, "la question est trop courte").max(500),
    options: z
      .array(z.string().trim().min(1).max(80))
      .min(2, "au moins deux choix")
      .max(10, "au plus dix choix")
      .refine((o) => new Set(o.map((x) => x.toLowerCase())).size === o.length, "choix en double")
      .default(DEFAULT_OPTIONS),
    opensAt: z.date(),
    closesAt: z.date(),
    secret: z.boolean().default(true),
    eligibilityCutoff: isoDate,
    quorumPercent: z.number().int().min(0).max(100).default(0),
    maxProxiesPerHolder: z.number().int().min(0).max(20).optional(),
    purgeAfterDays: z.number().int().min(1).max(3650).default(90),
  })
  .refine((v) => v.closesAt.getTime() > v.opensAt.getTime(), { message: "la clôture doit suivre l'ouverture", path: ["closesAt"] });

export type CreateVoteInput = z.input<typeof createVoteSchema>;

type VoteRow = NonNullable<Awaited<ReturnType<VoteRepository["byId"]>>>;

function optionsOf(v: VoteRow): string[] {
  return Array.isArray(v.options) ? (v.options as string[]) : DEFAULT_OPTIONS;
}

function voterName(m: Pick<VoterRecord, "firstName" | "lastName" | "organization" | "email" | "id">): string {
  return [m.firstName, m.lastName].filter(Boolean).join(" ") || m.organization || m.email || m.id;
}

const MANAGER_ROLES = ["COORDONNATEUR", "BUREAU"];

async function assertManager(ctx: AppContext, cptsId: string, memberId: string): Promise<void> {
  const roles = await new VoteRepository(ctx.db).memberRoles(cptsId, memberId);
  if (!roles.some((r) => MANAGER_ROLES.includes(r.role))) throw new UserError("Seuls la coordination et le bureau peuvent organiser un vote.");
}

export async function createVote(ctx: AppContext, cptsId: string, input: CreateVoteInput, actor: { memberId: string; label: string }): Promise<VoteRow> {
  await assertManager(ctx, cptsId, actor.memberId);
  const parsed = createVoteSchema.safeParse(input);
  if (!parsed.success) throw new UserError(`Vote invalide — ${zodIssuesFr(parsed.error.issues)}.`);
  const v = parsed.data;
  if (v.closesAt.getTime() <= ctx.clock.now().getTime()) throw new UserError("La clôture du vote est déjà passée : choisissez une date à venir.");
  const cpts = await ctx.db.cpts.findUniqueOrThrow({ where: { id: cptsId }, select: { kind: true, settings: true } });
  const statutes = (cpts.settings as { votes?: { maxProxiesPerHolder?: number } } | null)?.votes;
  const vote = await new VoteRepository(ctx.db).create({
    cptsId,
    question: v.question,
    options: v.options,
    secret: v.secret,
    opensAt: v.opensAt,
    closesAt: v.closesAt,
    eligibilityCutoff: v.eligibilityCutoff,
    quorumPercent: v.quorumPercent,
    maxProxiesPerHolder: v.maxProxiesPerHolder ?? statutes?.maxProxiesPerHolder ?? 2,
    purgeAfterDays: v.purgeAfterDays,
    federation: cpts.kind === "INTER_CPTS",
    createdBy: actor.label,
  });
  await ctx.db.auditLog.create({ data: { cptsId, actor: actor.label, action: "vote.cree", target: vote.id, details: { question: v.question, secret: v.secret } } });
  return vote;
}

export interface Electorate {
  /** memberId → college of every eligible voter. */
  colleges: Map<string, College>;
  names: Map<string, string>;
}

/** Eligible voters: active, member at the cut-off date, dues up to date (or exempt) then. */
export async function electorate(ctx: AppContext, vote: Pick<VoteRow, "cptsId" | "eligibilityCutoff" | "federation">): Promise<Electorate> {
  const repo = new VoteRepository(ctx.db);
  const voters = await repo.votersOf(vote.cptsId);
  const rates = await repo.duesRates(vote.cptsId, yearOf(vote.eligibilityCutoff));
  const colleges = new Map<string, College>();
  const names = new Map<string, string>();
  for (const m of voters) {
    names.set(m.id, voterName(m));
    const c = collegeOf(m, vote, rates);
    if (c) colleges.set(m.id, c);
  }
  return { colleges, names };
}

type Voter = Awaited<ReturnType<VoteRepository["votersOf"]>>[number];
type CollegeInput = Pick<Voter, "id" | "category" | "kind" | "duesExempt" | "joinedOn" | "roles" | "payments">;

/** The college a member votes in, or null when not eligible (the rule, member by member). */
function collegeOf(m: CollegeInput, vote: Pick<VoteRow, "eligibilityCutoff" | "federation">, rates: Record<string, number>): College | null {
  if (m.joinedOn && compareDates(m.joinedOn, vote.eligibilityCutoff) > 0) return null;
  const payments = m.payments.map((p) => ({ memberId: m.id, date: p.paidOn, amountCents: p.amountCents, duesYear: p.year, refundedDate: p.refundedOn ?? undefined }));
  const status = memberDuesStatus({ id: m.id, category: m.category, exempt: m.duesExempt, dueCents: rates[m.category] }, payments, vote.eligibilityCutoff);
  if (status !== "a_jour" && status !== "exonere") return null;
  const partner = m.category === "PARTENAIRE" || m.roles.includes("PARTENAIRE");
  if (vote.federation) {
    // Inter-CPTS: a member CPTS is a legal-person member (its representative's chat account is
    // linked to that record); the inter-CPTS's own staff do not vote.
    if (partner) return "consultatif";
    return m.kind === "MORALE" ? "deliberatif" : null;
  }
  return partner ? null : "deliberatif";
}

/**
 * How many eligible voters per college (the same eligibility as electorate), without loading every
 * member: the database counts the members per group of dues columns (VoteRepository.electorateGroups)
 * and each group is judged once by the rule (collegeOf) as a member holding those columns' payments.
 * The members whose payments of the year changed after the cut-off, or who hold a PARTENAIRE role,
 * are taken off their group; partners are judged with their role, changed members with their real
 * payments (members alike in all the rule reads judged once, as many times as they are).
 */
export async function electorateSize(ctx: AppContext, vote: Pick<VoteRow, "cptsId" | "eligibilityCutoff" | "federation">): Promise<Record<College, number>> {
  const repo = new VoteRepository(ctx.db);
  const cutoff = vote.eligibilityCutoff;
  const year = yearOf(cutoff);
  const [{ groups, partners, changed }, rates] = await Promise.all([repo.electorateGroups(vote.cptsId, cutoff), repo.duesRates(vote.cptsId, year)]);
  const eligible: Record<College, number> = { deliberatif: 0, consultatif: 0 };
  // The payments a group's columns stand for: what was paid for the cut-off's year (all of it valid
  // at the cut-off for a member not changed) and, for « en retard », some earlier year.
  const judge = (g: DuesGroup, roles: string[]) => {
    const paid = g.duesYear === year ? g.duesPaidCents : g.duesYear !== null && g.duesYear > year ? g.yearPaid : null;
    const payments: Voter["payments"] = [];
    if (paid !== null) payments.push({ paidOn: cutoff, year, amountCents: paid, refundedOn: null });
    if (g.duesFirstYear !== null && g.duesFirstYear < year) payments.push({ paidOn: cutoff, year: g.duesFirstYear, amountCents: 1, refundedOn: null });
    return collegeOf({ id: "groupe", category: g.category, kind: g.kind, duesExempt: g.duesExempt, joinedOn: null, roles, payments }, vote, rates);
  };
  const add = (c: College | null, n: number) => {
    if (c) eligible[c] += n;
  };
  for (const g of groups) add(judge(g, []), g.n);
  // taken off their group (judged there without role, from today's columns), then judged apart
  for (const g of partners) {
    add(judge(g, []), -g.n);
    add(judge(g, ["PARTENAIRE"]), g.n);
  }
  for (const m of changed) {
    add(judge(m, []), -m.n);
    add(collegeOf({ id: "groupe", category: m.category, kind: m.kind, duesExempt: m.duesExempt, joinedOn: null, roles: m.partner ? ["PARTENAIRE"] : [], payments: m.payments }, vote, rates), m.n);
  }
  return eligible;
}

function refuseIfClosed(vote: VoteRow, now: Date): void {
  if (vote.state !== "OUVERT" || now.getTime() >= vote.closesAt.getTime()) {
    throw new UserError(`Le vote « ${vote.question} » est clos depuis le ${formatParisDateTimeFr(vote.closesAt)} : votre voix n'a pas été enregistrée.`);
  }
}

async function loadVote(ctx: AppContext, cptsId: string, voteId: string): Promise<VoteRow> {
  const vote = await new VoteRepository(ctx.db).byId(cptsId, voteId);
  if (!vote) throw new UserError("Ce vote n'existe pas dans votre CPTS. Tapez /vote liste pour voir les votes ouverts.");
  return vote;
}

function ineligibleMessage(vote: VoteRow, who = "Vous n'êtes"): string {
  return `${who} pas sur la liste des votants de ce scrutin : il faut être adhérent à jour de cotisation au ${formatDateFr(vote.eligibilityCutoff)}.`;
}

export interface CastInput {
  voteId: string;
  /** The member pressing the button (linked chat identity). */
  memberId: string;
  choice: string;
  /** Vote on behalf of this member, who gave the caller a proxy. */
  forMemberId?: string;
}

export async function castVote(ctx: AppContext, cptsId: string, input: CastInput): Promise<{ choice: string; turnout: Turnout }> {
  const vote = await loadVote(ctx, cptsId, input.voteId);
  const options = optionsOf(vote);
  const choice = options.find((o) => o.toLowerCase() === input.choice.trim().toLowerCase());
  if (!choice) throw new UserError(`Choix inconnu : « ${input.choice} ». Choix possibles : ${options.join(", ")}.`);
  const now = ctx.clock.now();
  if (now.getTime() < vote.opensAt.getTime()) throw new UserError(`Le vote ouvre le ${formatParisDateTimeFr(vote.opensAt)} : revenez à ce moment-là.`);
  refuseIfClosed(vote, now);
  const { colleges, names } = await electorate(ctx, vote);
  const voterId = input.forMemberId ?? input.memberId;
  const college = colleges.get(voterId);
  if (!college) throw new UserError(input.forMemberId ? ineligibleMessage(vote, `${names.get(voterId) ?? "Ce membre"} n'est`) : ineligibleMessage(vote));
  const repo = new VoteRepository(ctx.db);
  const proxies = await repo.proxies(vote.id);
  if (input.forMemberId) {
    if (!proxies.some((p) => p.giverId === input.forMemberId && p.holderId === input.memberId)) {
      throw new UserError(`Vous n'avez pas de pouvoir de ${names.get(input.forMemberId) ?? "ce membre"} pour ce vote.`);
    }
  } else {
    const given = proxies.find((p) => p.giverId === input.memberId);
    if (given) throw new UserError(`Vous avez donné pouvoir à ${names.get(given.holderId) ?? "un autre membre"} : c'est cette personne qui vote pour vous.`);
  }
  const already = () =>
    new UserError(input.forMemberId ? `${names.get(voterId) ?? "Ce membre"} a déjà voté à ce scrutin.` : "Vous avez déjà voté à ce scrutin : un seul vote par adhérent.");
  try {
    await ctx.db.$transaction(async (tx) => {
      const txRepo = new VoteRepository(tx);
      if (!(await txRepo.lockOpen(vote.id, now))) refuseIfClosed({ ...vote, state: "CLOS" }, now);
      if (await txRepo.participation(vote.id, voterId)) throw already();
      await txRepo.addParticipation({
        voteId: vote.id,
        memberId: voterId,
        college,
        viaProxyOf: input.forMemberId ? input.memberId : null,
        at: vote.secret ? vote.opensAt : now,
      });
      await txRepo.castBallot(vote.id, choice, college, vote.secret ? null : voterId);
    });
  } catch (e) {
    if ((e as { code?: string }).code === "P2002") throw already();
    throw e;
  }
  return { choice, turnout: await turnoutOf(ctx, vote) };
}

export async function giveProxy(ctx: AppContext, cptsId: string, input: { voteId: string; giverId: string; holderId: string }): Promise<{ holderName: string; held: number }> {
  const vote = await loadVote(ctx, cptsId, input.voteId);
  const now = ctx.clock.now();
  refuseIfClosed(vote, now);
  if (input.giverId === input.holderId) throw new UserError("Vous ne pouvez pas vous donner pouvoir à vous-même.");
  const { colleges, names } = await electorate(ctx, vote);
  const holderName = names.get(input.holderId) ?? "Ce membre";
  if (!colleges.has(input.giverId)) throw new UserError(ineligibleMessage(vote));
  if (!colleges.has(input.holderId)) throw new UserError(ineligibleMessage(vote, `${holderName} n'est`));
  if (colleges.get(input.giverId) !== colleges.get(input.holderId)) throw new UserError("Un pouvoir ne se donne qu'à un membre du même collège.");
  if (vote.maxProxiesPerHolder === 0) throw new UserError("Les statuts n'autorisent pas les pouvoirs pour ce vote.");
  await ctx.db.$transaction(async (tx) => {
    const repo = new VoteRepository(tx);
    // Lock the vote so two proxies given at once cannot both pass the per-holder maximum.
    const locked = await tx.vote.updateMany({ where: { id: vote.id, state: "OUVERT", closesAt: { gt: now } }, data: { state: "OUVERT" } });
    if (locked.count !== 1) refuseIfClosed({ ...vote, state: "CLOS" }, now);
    if (await repo.participation(vote.id, input.giverId)) throw new UserError("Vous avez déjà voté : vous ne pouvez plus donner pouvoir.");
    const proxies = await repo.proxies(vote.id);
    if (proxies.some((p) => p.giverId === input.giverId)) throw new UserError("Vous avez déjà donné pouvoir pour ce vote.");
    if (proxies.some((p) => p.holderId === input.giverId)) throw new UserError("Vous détenez des pouvoirs : vous ne pouvez pas donner le vôtre.");
    if (proxies.some((p) => p.giverId === input.holderId)) throw new UserError(`${holderName} a lui-même donné pouvoir : choisissez quelqu'un d'autre.`);
    const held = proxies.filter((p) => p.holderId === input.holderId).length;
    if (held >= vote.maxProxiesPerHolder) {
      throw new UserError(`${holderName} détient déjà ${held} pouvoir${held > 1 ? "s" : ""} : le maximum est ${vote.maxProxiesPerHolder} par personne.`);
    }
    await repo.addProxy(vote.id, input.giverId, input.holderId);
  });
  const held = (await new VoteRepository(ctx.db).proxies(vote.id)).filter((p) => p.holderId === input.holderId).length;
  return { holderName, held };
}

export interface Turnout {
  eligible: Record<College, number>;
  voted: Record<College, number>;
  /** Deliberative turnout in percent (one decimal). */
  percent: number;
  quorumPercent: number;
  quorumReached: boolean;
  proxies: number;
}

async function turnoutOf(ctx: AppContext, vote: VoteRow): Promise<Turnout> {
  const eligible = await electorateSize(ctx, vote);
  const repo = new VoteRepository(ctx.db);
  const voted: Record<College, number> = { deliberatif: 0, consultatif: 0 };
  for (const p of await repo.participationCounts(vote.id)) voted[(p.college as College) ?? "deliberatif"] += p.n;
  const percent = eligible.deliberatif ? Math.round((voted.deliberatif / eligible.deliberatif) * 1000) / 10 : 0;
  return {
    eligible,
    voted,
    percent,
    quorumPercent: vote.quorumPercent,
    quorumReached: eligible.deliberatif > 0 && voted.deliberatif * 100 >= vote.quorumPercent * eligible.deliberatif,
    proxies: await repo.proxyCount(vote.id),
  };
}

export interface VoteStatus {
  id: string;
  question: string;
  options: string[];
  secret: boolean;
  federation: boolean;
  state: string;
  opensAt: Date;
  closesAt: Date;
  eligibilityCutoff: string;
  maxProxiesPerHolder: number;
  turnout: Turnout | null;
  results: VoteResults | null;
}

export async function voteStatus(ctx: AppContext, cptsId: string, voteId: string): Promise<VoteStatus> {
  const vote = await loadVote(ctx, cptsId, voteId);
  return {
    id: vote.id,
    question: vote.question,
    options: optionsOf(vote),
    secret: vote.secret,
    federation: vote.federation,
    state: vote.state,
    opensAt: vote.opensAt,
    closesAt: vote.closesAt,
    eligibilityCutoff: vote.eligibilityCutoff,
    maxProxiesPerHolder: vote.maxProxiesPerHolder,
    turnout: vote.state === "OUVERT" ? await turnoutOf(ctx, vote) : null,
    results: (vote.results as VoteResults | null) ?? null,
  };
}

export async function listVotes(ctx: AppContext, cptsId: string): Promise<VoteRow[]> {
  return new VoteRepository(ctx.db).list(cptsId, ["OUVERT", "CLOS"]);
}

export interface VoteResults {
  counts: { choice: string; deliberatif: number; consultatif: number }[];
  turnout: Turnout;
  /** Deliberative choice with the most votes; null on a tie or without votes. */
  leading: string | null;
  closedAt: string;
  /** Public ballots only: who chose what. */
  publicBallots?: { name: string; choice: string }[];
}

async function computeResults(ctx: AppContext, vote: VoteRow, at: Date): Promise<VoteResults> {
  const repo = new VoteRepository(ctx.db);
  const tally = await repo.tally(vote.id);
  const counts = optionsOf(vote).map((choice) => ({
    choice,
    deliberatif: tally.find((t) => t.choice === choice && t.college === "deliberatif")?._count._all ?? 0,
    consultatif: tally.find((t) => t.choice === choice && t.college === "consultatif")?._count._all ?? 0,
  }));
  const max = Math.max(...counts.map((c) => c.deliberatif));
  const top = counts.filter((c) => c.deliberatif === max);
  const results: VoteResults = { counts, turnout: await turnoutOf(ctx, vote), leading: max > 0 && top.length === 1 ? top[0]!.choice : null, closedAt: at.toISOString() };
  if (!vote.secret) {
    const { names } = await electorate(ctx, vote);
    results.publicBallots = (await repo.publicBallots(vote.id)).map((b) => ({ name: names.get(b.voterId!) ?? "membre", choice: b.choice }));
  }
  return results;
}

export function formatResults(question: string, r: VoteResults, federation: boolean): string {
  const lines = [`Résultats du vote « ${question} »`];
  for (const c of r.counts) lines.push(`• ${c.choice} : ${c.deliberatif}${federation ? ` (consultatif : ${c.consultatif})` : ""}`);
  const t = r.turnout;
  lines.push(`Participation : ${t.voted.deliberatif}/${t.eligible.deliberatif} votants (${String(t.percent).replace(".", ",")} %), dont ${t.proxies} par pouvoir.`);
  if (t.quorumPercent > 0) lines.push(t.quorumReached ? `Quorum de ${t.quorumPercent} % atteint.` : `Quorum de ${t.quorumPercent} % NON atteint : le vote n'est pas valable.`);
  if (t.quorumReached || t.quorumPercent === 0) lines.push(r.leading ? `Choix retenu : ${r.leading}.` : "Égalité ou aucun suffrage : aucun choix ne l'emporte.");
  return lines.join("\n");
}

/** Closes a vote whose closing time has passed, stores its results and publishes them in chat. */
export async function closeVote(ctx: AppContext, cptsId: string, voteId: string): Promise<VoteResults> {
  const vote = await loadVote(ctx, cptsId, voteId);
  if (vote.state !== "OUVERT") {
    if (vote.results) return vote.results as unknown as VoteResults;
    throw new UserError("Ce vote est déjà clos.");
  }
  const now = ctx.clock.now();
  if (now.getTime() < vote.closesAt.getTime()) throw new UserError(`Le vote se termine le ${formatParisDateTimeFr(vote.closesAt)} : il ne peut pas être clos avant.`);
  const results = await computeResults(ctx, vote, now);
  const recipients = await alertRecipients(ctx.db, cptsId);
  const text = formatResults(vote.question, results, vote.federation);
  await inTransaction(ctx.db, async (tx) => {
    if (!(await new VoteRepository(tx).close(vote.id, results))) return;
    await enqueueMessages(
      tx,
      recipients.map((recipient) => ({ cptsId, idempotencyKey: `vote:${vote.id}:resultats:${recipient}`, channel: "CHAT" as const, kind: "vote", recipient, bodyText: text, refType: "vote", refId: vote.id })),
    );
  });
  const stored = await loadVote(ctx, cptsId, voteId);
  return stored.results as unknown as VoteResults;
}

/** For the scheduled job: closes every vote whose closing time has passed (dry run: counts only). */
export async function closeDueVotes(ctx: AppContext, at: Date, opts: { dryRun?: boolean; cptsId?: string } = {}): Promise<number> {
  const due = (await new VoteRepository(ctx.db).dueToClose(at)).filter((v) => !opts.cptsId || v.cptsId === opts.cptsId);
  if (opts.dryRun) return due.length;
  for (const v of due) await closeVote({ ...ctx, clock: { now: () => at, today: () => parisToday(at) } }, v.cptsId, v.id);
  return due.length;
}

/** Deletes ballots, participations and proxies of votes closed more than purgeAfterDays ago. */
export async function purgeExpiredBallots(ctx: AppContext, at: Date, opts: { dryRun?: boolean; cptsId?: string } = {}): Promise<{ votes: number; rows: number }> {
  const repo = new VoteRepository(ctx.db);
  const today = parisToday(at);
  let votes = 0;
  let rows = 0;
  for (const v of await repo.closedVotes()) {
    if (opts.cptsId && v.cptsId !== opts.cptsId) continue;
    if (compareDates(addDays(parisToday(v.closesAt), v.purgeAfterDays), today) > 0) continue;
    votes++;
    if (!opts.dryRun) rows += await ctx.db.$transaction((tx) => new VoteRepository(tx).purge(v.id));
  }
  return { votes, rows };
}
