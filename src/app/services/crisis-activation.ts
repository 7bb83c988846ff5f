// Crisis activation (DOMAIN §10): the coordination or the bureau triggers the plan for one of the
// five situations; every chat channel of the CPTS gets the alert, every professional of the
// territory a mail (active members; non-members only if they accepted alerts); each answers the
// roll-call (disponible / indisponible), counted live by profession and commune; closing requires
// the return of experience. A grave activation is what opens the crisis variable part of the
// funding (loadRulesInputs reads CrisisActivation.grave).
import type { AppContext } from "../context.ts";
import { UserError } from "../errors.ts";
import { CrisisActivationRepository, type CrisisSituationKey } from "../../db/repos/crisis-activation-repo.ts";
import { formatDateFr } from "../../rules/dates.ts";
import { professionLabel } from "../../rules/professions.ts";
import { alertRecipients } from "../../helloasso/notify.ts";
import { wordingFor } from "../../db/repos/mail-wording-repo.ts";
import { enqueueMessages, inTransaction, type OutboxDraft } from "./outbox.ts";
import { crisisNotifiers, exercisePrefix, hashAnswerToken, type CrisisAlert } from "./crisis-notifiers.ts";
import { displayName } from "./members.ts";

export const CRISIS_SITUATIONS: Record<CrisisSituationKey, string> = {
  BLESSES: "afflux de blessés (attentat, incendie, explosion, émeutes)",
  MALADES: "afflux de malades, notamment âgés (épidémie saisonnière, canicule, grand froid, pollution)",
  AGENT_INFECTIEUX: "agent infectieux émergent",
  NRC: "risque nucléaire, radiologique ou chimique (NRC)",
  OFFRE_DEGRADEE: "offre de soins dégradée (pénurie de médicaments, neige, inondations)",
};

/** Short French names, as typed in the chat: /plan-crise activer blesses. */
export const SITUATION_KEYWORDS: Record<CrisisSituationKey, string> = {
  BLESSES: "blesses",
  MALADES: "malades",
  AGENT_INFECTIEUX: "agent-infectieux",
  NRC: "nrc",
  OFFRE_DEGRADEE: "offre-degradee",
};

function normalize(s: string): string {
  return s.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase().trim().replace(/[\s_-]+/g, "-");
}

export function situationsHelp(): string {
  return (Object.keys(CRISIS_SITUATIONS) as CrisisSituationKey[]).map((k) => `« ${SITUATION_KEYWORDS[k]} » (${CRISIS_SITUATIONS[k]})`).join(", ");
}

export function parseSituation(input: string): CrisisSituationKey {
  const n = normalize(input);
  const found = (Object.keys(CRISIS_SITUATIONS) as CrisisSituationKey[]).find((k) => normalize(k) === n || SITUATION_KEYWORDS[k] === n);
  if (!found) throw new UserError(`Situation inconnue : « ${input} ». Les 5 situations du plan de crise sont : ${situationsHelp()}.`, "situation");
  return found;
}

const MANAGERS = ["COORDONNATEUR", "BUREAU"];

async function assertManager(repo: CrisisActivationRepository, cptsId: string, memberId: string, what: string): Promise<void> {
  const roles = await repo.memberRoles(cptsId, memberId);
  if (!roles.some((r) => MANAGERS.includes(r.role))) throw new UserError(`Seuls la coordination et le bureau peuvent ${what} le plan de crise.`);
}

export interface ActivationResult {
  activationId: string;
  situation: CrisisSituationKey;
  label: string;
  exercise: boolean;
  reminderAfterMinutes: number | null;
  chatMessages: number;
  mails: number;
}

/** Reminder delays accepted at activation, in minutes (5 minutes to 2 days). */
export const REMINDER_MIN_MINUTES = 5;
export const REMINDER_MAX_MINUTES = 48 * 60;

export async function activateCrisis(
  ctx: AppContext,
  cptsId: string,
  input: { situation: string; description?: string; grave?: boolean; exercise?: boolean; reminderAfterMinutes?: number | null },
  actor: { memberId: string; label: string },
): Promise<ActivationResult> {
  const situation = parseSituation(input.situation);
  const reminder = input.reminderAfterMinutes ?? null;
  if (reminder !== null && (!Number.isInteger(reminder) || reminder < REMINDER_MIN_MINUTES || reminder > REMINDER_MAX_MINUTES)) {
    throw new UserError(`Le délai du rappel se donne en minutes, de ${REMINDER_MIN_MINUTES} à ${REMINDER_MAX_MINUTES} (par exemple rappel=30).`, "rappel");
  }
  const repo = new CrisisActivationRepository(ctx.db);
  await assertManager(repo, cptsId, actor.memberId, "activer");
  const open = await repo.open(cptsId);
  if (open) {
    throw new UserError(
      `Le plan de crise est déjà activé depuis le ${formatDateFr(open.activatedOn)} (${CRISIS_SITUATIONS[open.situation as CrisisSituationKey]}). Clôturez cette activation avec /plan-crise cloturer avant d'en ouvrir une autre.`,
    );
  }
  const today = ctx.clock.today();
  const cpts = await repo.cptsName(cptsId);
  const channels = await alertRecipients(ctx.db, cptsId);
  const audience = await repo.mailAudience(cptsId);
  const label = CRISIS_SITUATIONS[situation];
  const description = input.description?.trim() || null;
  const exercise = input.exercise ?? false;
  return inTransaction(ctx.db, async (tx) => {
    const txRepo = new CrisisActivationRepository(tx);
    // Re-checked inside the transaction: two activations at once must not both open.
    if (await txRepo.open(cptsId)) throw new UserError("Le plan de crise vient d'être activé par quelqu'un d'autre.");
    const activation = await txRepo.create({ cptsId, situation, description, grave: input.grave ?? true, exercise, reminderAfterMinutes: reminder, activatedOn: today, activatedBy: actor.label, createdAt: ctx.clock.now() });
    const alert: CrisisAlert = { cptsId, cptsName: cpts.name, activationId: activation.id, situationLabel: label, description, activatedOn: today, exercise, kind: "alerte", wording: await wordingFor(tx, cptsId, "alerte-crise") };
    const drafts: OutboxDraft[] = [];
    for (const notifier of crisisNotifiers(ctx.config)) {
      const n = notifier.notify(alert, { members: audience, chatChannels: channels });
      drafts.push(...n.drafts);
      await txRepo.storeTokens(n.tokens);
    }
    const inserted = await enqueueMessages(tx, drafts);
    await txRepo.audit(cptsId, actor.label, "crise.activee", activation.id, { situation, grave: activation.grave, exercise, reminderAfterMinutes: reminder, chat: channels.length, mails: audience.length, queued: inserted });
    return { activationId: activation.id, situation, label, exercise, reminderAfterMinutes: reminder, chatMessages: channels.length, mails: audience.length };
  });
}

/**
 * Queues the reminder of every open activation whose delay has elapsed, once: the activation is
 * marked (reminderSentAt) in the same transaction as the messages, so a second run, or a second
 * replica, sends nothing. Goes to those expected to answer who have not, by mail and in the chat.
 */
export async function sendDueCrisisReminders(ctx: AppContext, now: Date, opts: { dryRun?: boolean; cptsId?: string } = {}): Promise<{ activations: number; mails: number }> {
  const repo = new CrisisActivationRepository(ctx.db);
  let activations = 0;
  let mails = 0;
  for (const a of await repo.remindersDue(now, opts.cptsId)) {
    const cpts = await repo.cptsName(a.cptsId);
    const answered = new Set((await repo.rollCall(a.id)).map((r) => r.member.id));
    const audience = (await repo.mailAudience(a.cptsId)).filter((m) => !answered.has(m.id));
    const channels = await alertRecipients(ctx.db, a.cptsId);
    if (opts.dryRun) {
      activations++;
      mails += audience.length;
      continue;
    }
    const sent = await inTransaction(ctx.db, async (tx) => {
      const txRepo = new CrisisActivationRepository(tx);
      if (!(await txRepo.claimReminder(a.id, now))) return false;
      const alert: CrisisAlert = {
        cptsId: a.cptsId, cptsName: cpts.name, activationId: a.id, situationLabel: CRISIS_SITUATIONS[a.situation as CrisisSituationKey],
        description: a.description, activatedOn: a.activatedOn, exercise: a.exercise, kind: "rappel", wording: await wordingFor(tx, a.cptsId, "alerte-crise"),
      };
      const drafts: OutboxDraft[] = [];
      for (const notifier of crisisNotifiers(ctx.config)) {
        const n = notifier.notify(alert, { members: audience, chatChannels: channels });
        drafts.push(...n.drafts);
        await txRepo.storeTokens(n.tokens);
      }
      const queued = await enqueueMessages(tx, drafts);
      await txRepo.audit(a.cptsId, "job:crisis-reminders", "crise.rappel", a.id, { mails: audience.length, chat: channels.length, queued });
      return true;
    });
    if (sent) {
      activations++;
      mails += audience.length;
    }
  }
  return { activations, mails };
}

/** The coordination corrects the kind of an activation: an exercise never opens the crisis funding. */
export async function setActivationExercise(ctx: AppContext, cptsId: string, activationId: string, exercise: boolean, actor: string): Promise<void> {
  await inTransaction(ctx.db, async (tx) => {
    const txRepo = new CrisisActivationRepository(tx);
    if (!(await txRepo.setExercise(cptsId, activationId, exercise))) throw new UserError("Cette activation du plan de crise n'existe pas dans votre CPTS.");
    await txRepo.audit(cptsId, actor, exercise ? "crise.marquee_exercice" : "crise.marquee_reelle", activationId, { exercise });
  });
}

export interface RollCallCounts {
  activationId: string;
  situation: CrisisSituationKey;
  label: string;
  activatedOn: string;
  exercise: boolean;
  closedOn: string | null;
  available: number;
  unavailable: number;
  byProfession: { profession: string; label: string; available: number; unavailable: number }[];
  byCommune: { insee: string; name: string; available: number; unavailable: number }[];
}

async function openActivation(repo: CrisisActivationRepository, cptsId: string) {
  const open = await repo.open(cptsId);
  if (!open) throw new UserError("Aucune activation du plan de crise n'est en cours.");
  return open;
}

export type AnswerChannel = "chat" | "mail" | "admin";
export const ANSWER_CHANNEL_LABELS: Record<string, string> = { chat: "chat", mail: "lien du mail", admin: "admin" };

/** A professional says whether they are available; answering again replaces the answer (the same answer twice changes nothing). */
export async function answerRollCall(ctx: AppContext, cptsId: string, memberId: string, available: boolean, activationId?: string, via: AnswerChannel = "chat"): Promise<RollCallCounts> {
  const repo = new CrisisActivationRepository(ctx.db);
  const activation = activationId ? await repo.byId(cptsId, activationId) : await openActivation(repo, cptsId);
  if (!activation) throw new UserError("Cette activation du plan de crise n'existe pas dans votre CPTS.");
  if (activation.closedOn) throw new UserError(`Cette activation du plan de crise est close depuis le ${formatDateFr(activation.closedOn)} : merci, plus besoin de répondre.`);
  if (!(await repo.memberOf(cptsId, memberId))) throw new UserError("Seuls les professionnels de la CPTS répondent à l'appel : liez d'abord votre compte avec /lier.");
  try {
    await repo.answer(activation.id, memberId, available, ctx.clock.now(), via);
  } catch (e) {
    // Two clicks at once on PostgreSQL: both tried to insert; the second becomes an update.
    if ((e as { code?: string }).code !== "P2002") throw e;
    await repo.answer(activation.id, memberId, available, ctx.clock.now(), via);
  }
  return rollCallCounts(ctx, cptsId, activation.id);
}

export interface TokenAnswerView {
  cptsName: string;
  memberName: string;
  situationLabel: string;
  exercise: boolean;
  closedOn: string | null;
  current: boolean | null;
}

/** What a one-click link of the alert mail points to; null when the token is unknown. */
export async function answerTokenView(ctx: AppContext, token: string): Promise<(TokenAnswerView & { memberId: string; cptsId: string; activationId: string }) | null> {
  if (!/^[A-Za-z0-9_-]{22,100}$/.test(token)) return null;
  const repo = new CrisisActivationRepository(ctx.db);
  const row = await repo.byTokenHash(hashAnswerToken(token));
  if (!row) return null;
  const member = await ctx.db.member.findFirst({ where: { id: row.memberId, cptsId: row.activation.cptsId }, select: { firstName: true, lastName: true, organization: true, email: true } });
  if (!member) return null;
  const current = await ctx.db.crisisRollCall.findUnique({ where: { activationId_memberId: { activationId: row.activation.id, memberId: row.memberId } }, select: { available: true } });
  return {
    cptsId: row.activation.cptsId,
    activationId: row.activation.id,
    memberId: row.memberId,
    cptsName: row.activation.cpts.name,
    memberName: displayName(member),
    situationLabel: CRISIS_SITUATIONS[row.activation.situation as CrisisSituationKey],
    exercise: row.activation.exercise,
    closedOn: row.activation.closedOn,
    current: current?.available ?? null,
  };
}

/** Records the answer of a one-click link (idempotent); null when the token is unknown. */
export async function answerByToken(ctx: AppContext, token: string, available: boolean): Promise<TokenAnswerView | null> {
  const view = await answerTokenView(ctx, token);
  if (!view) return null;
  if (view.closedOn) return view;
  await answerRollCall(ctx, view.cptsId, view.memberId, available, view.activationId, "mail");
  await ctx.db.auditLog.create({ data: { cptsId: view.cptsId, actor: `member:${view.memberId}`, action: "crise.reponse_lien", target: view.activationId, details: { available } } });
  return { ...view, current: available };
}

export async function rollCallCounts(ctx: AppContext, cptsId: string, activationId?: string): Promise<RollCallCounts> {
  const repo = new CrisisActivationRepository(ctx.db);
  const activation = activationId ? await repo.byId(cptsId, activationId) : await openActivation(repo, cptsId);
  if (!activation) throw new UserError("Cette activation du plan de crise n'existe pas dans votre CPTS.");
  const answers = await repo.rollCall(activation.id);
  const communes = new Map((await repo.communes(cptsId)).map((c) => [c.inseeCode, c.name]));
  const byProfession = new Map<string, { available: number; unavailable: number }>();
  const byCommune = new Map<string, { available: number; unavailable: number }>();
  let available = 0;
  for (const a of answers) {
    if (a.available) available++;
    for (const [map, key] of [[byProfession, a.member.profession ?? ""], [byCommune, a.member.communeInsee ?? "inconnue"]] as const) {
      const row = map.get(key) ?? { available: 0, unavailable: 0 };
      if (a.available) row.available++;
      else row.unavailable++;
      map.set(key, row);
    }
  }
  const sort = <T extends { available: number; label?: string; name?: string }>(rows: T[]) => rows.sort((x, y) => y.available - x.available || (x.label ?? x.name ?? "").localeCompare(y.label ?? y.name ?? "", "fr"));
  return {
    activationId: activation.id,
    situation: activation.situation as CrisisSituationKey,
    label: CRISIS_SITUATIONS[activation.situation as CrisisSituationKey],
    activatedOn: activation.activatedOn,
    exercise: activation.exercise,
    closedOn: activation.closedOn,
    available,
    unavailable: answers.length - available,
    byProfession: sort([...byProfession].map(([profession, c]) => ({ profession, label: profession ? professionLabel(profession) : "profession non renseignée", ...c }))),
    byCommune: sort([...byCommune].map(([insee, c]) => ({ insee, name: communes.get(insee) ?? "commune non renseignée", ...c }))),
  };
}

export type RollCallStatus = "disponible" | "indisponible" | "sans_reponse";
export const ROLL_CALL_STATUS_LABELS: Record<RollCallStatus, string> = { disponible: "disponible", indisponible: "indisponible", sans_reponse: "sans réponse" };

export interface RollCallPerson {
  memberId: string;
  name: string;
  profession: string | null;
  professionLabel: string;
  communeInsee: string | null;
  commune: string;
  phone: string | null;
  email: string | null;
  status: RollCallStatus;
  answeredAt: Date | null;
  via: string | null;
}

export interface RollCallList extends RollCallCounts {
  /** Everyone expected to answer (before filters). */
  expected: number;
  noAnswer: number;
  filter: { profession?: string; commune?: string };
  /** Filtered: available first, then unavailable, then no answer; by profession, commune, name. */
  people: RollCallPerson[];
}

function norm(s: string): string {
  return s.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase().trim();
}

/**
 * The named roll-call: who answered available or unavailable (with time and channel) and who has
 * not answered, among everyone expected to answer; filtered by profession (key or label) and commune
 * (INSEE code or name). An unknown filter value is refused with the accepted values.
 */
export async function rollCallList(ctx: AppContext, cptsId: string, opts: { activationId?: string; profession?: string; commune?: string } = {}): Promise<RollCallList> {
  const counts = await rollCallCounts(ctx, cptsId, opts.activationId);
  const repo = new CrisisActivationRepository(ctx.db);
  const [answers, expected, communeRows] = await Promise.all([repo.rollCall(counts.activationId), repo.expected(cptsId), repo.communes(cptsId)]);
  const communes = new Map(communeRows.map((c) => [c.inseeCode, c.name]));
  const filter: { profession?: string; commune?: string } = {};
  if (opts.profession?.trim()) {
    const want = norm(opts.profession);
    const present = new Set([...expected.map((m) => m.profession), ...answers.map((a) => a.member.profession)].filter((p): p is string => Boolean(p)));
    const key = [...present].find((p) => norm(p) === want || norm(professionLabel(p)) === want);
    if (!key) throw new UserError(`Profession inconnue dans l'appel : « ${opts.profession} ». Professions présentes : ${[...present].map((p) => professionLabel(p)).sort((a, b) => a.localeCompare(b, "fr")).join(", ")}.`, "profession");
    filter.profession = key;
  }
  if (opts.commune?.trim()) {
    const want = norm(opts.commune);
    const found = communeRows.find((c) => c.inseeCode === opts.commune!.trim() || norm(c.name) === want);
    if (!found) throw new UserError(`Commune inconnue : « ${opts.commune} ». Communes de la CPTS : ${communeRows.map((c) => c.name).sort((a, b) => a.localeCompare(b, "fr")).join(", ")}.`, "commune");
    filter.commune = found.inseeCode;
  }
  const person = (m: (typeof expected)[number], status: RollCallStatus, answeredAt: Date | null, via: string | null): RollCallPerson => ({
    memberId: m.id,
    name: displayName({ ...m, email: null }),
    profession: m.profession,
    professionLabel: m.profession ? professionLabel(m.profession) : "profession non renseignée",
    communeInsee: m.communeInsee,
    commune: m.communeInsee ? (communes.get(m.communeInsee) ?? "commune non renseignée") : "commune non renseignée",
    phone: m.phone,
    email: m.email,
    status,
    answeredAt,
    via,
  });
  const answered = new Set(answers.map((a) => a.member.id));
  const all: RollCallPerson[] = [
    ...answers.map((a) => person(a.member, a.available ? "disponible" : "indisponible", a.answeredAt, a.via)),
    ...expected.filter((m) => !answered.has(m.id)).map((m) => person(m, "sans_reponse", null, null)),
  ];
  const rank: Record<RollCallStatus, number> = { disponible: 0, indisponible: 1, sans_reponse: 2 };
  const people = all
    .filter((p) => (!filter.profession || p.profession === filter.profession) && (!filter.commune || p.communeInsee === filter.commune))
    .sort((a, b) => rank[a.status] - rank[b.status] || a.professionLabel.localeCompare(b.professionLabel, "fr") || a.commune.localeCompare(b.commune, "fr") || a.name.localeCompare(b.name, "fr"));
  return { ...counts, expected: all.length, noAnswer: all.length - answers.length, filter, people };
}

/** « EXERCICE — » before a title when the activation is an exercise. */
export function crisisTitle(exercise: boolean, title: string): string {
  return exercise ? `EXERCICE — ${title}` : title;
}

/** Closes the open activation with its return of experience (retour d'expérience, required). */
export async function closeCrisis(ctx: AppContext, cptsId: string, input: { feedback: string }, actor: { memberId: string; label: string }): Promise<RollCallCounts & { closedOn: string }> {
  const repo = new CrisisActivationRepository(ctx.db);
  await assertManager(repo, cptsId, actor.memberId, "clôturer");
  const feedback = input.feedback?.trim() ?? "";
  if (feedback.length < 10) {
    throw new UserError("Le retour d'expérience est obligatoire pour clôturer : décrivez en quelques phrases ce qui a marché, ce qui a manqué et ce qu'il faut changer dans le plan.", "feedback");
  }
  const open = await openActivation(repo, cptsId);
  const counts = await rollCallCounts(ctx, cptsId, open.id);
  const today = ctx.clock.today();
  const channels = await alertRecipients(ctx.db, cptsId);
  await inTransaction(ctx.db, async (tx) => {
    const txRepo = new CrisisActivationRepository(tx);
    if (!(await txRepo.close(open.id, today, feedback))) throw new UserError("Cette activation vient d'être clôturée par quelqu'un d'autre.");
    await enqueueMessages(
      tx,
      channels.map((recipient) => ({
        cptsId,
        idempotencyKey: `crise:${open.id}:cloture:${recipient}`,
        channel: "CHAT" as const,
        kind: "crise",
        recipient,
        bodyText: `${exercisePrefix(open.exercise)}Fin de l'activation du plan de crise${open.exercise ? " (EXERCICE)" : ""} (${counts.label}), ouverte le ${formatDateFr(open.activatedOn)}. ${counts.available} professionnel(s) se sont déclarés disponibles. Merci à toutes et à tous. Le retour d'expérience est enregistré.`,
        refType: "crise",
        refId: open.id,
      })),
    );
    await txRepo.audit(cptsId, actor.label, "crise.cloturee", open.id, { closedOn: today, available: counts.available, unavailable: counts.unavailable });
  });
  return { ...counts, closedOn: today };
}
