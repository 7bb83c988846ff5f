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
import { enqueueMessages, inTransaction, type OutboxDraft } from "./outbox.ts";

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
  chatMessages: number;
  mails: number;
}

export async function activateCrisis(
  ctx: AppContext,
  cptsId: string,
  input: { situation: string; description?: string; grave?: boolean },
  actor: { memberId: string; label: string },
): Promise<ActivationResult> {
  const situation = parseSituation(input.situation);
  const repo = new CrisisActivationRepository(ctx.db);
  await assertManager(repo, cptsId, actor.memberId, "activer");
  const open = await repo.open(cptsId);
  if (open) {
    throw new UserError(
      `Le plan de crise est déjà activé depuis le ${formatDateFr(open.activatedOn)} (${CRISIS_SITUATIONS[open.situation as CrisisSituationKey]}). Clôturez cette activation avec /plan-crise cloturer avant d'en ouvrir une autre.`,
    );
  }
  const today = ctx.clock.today();
  const { name } = await repo.cptsName(cptsId);
  const channels = await alertRecipients(ctx.db, cptsId);
  const audience = await repo.mailAudience(cptsId);
  const label = CRISIS_SITUATIONS[situation];
  const description = input.description?.trim() || null;
  const chatText =
    `🚨 PLAN DE CRISE ACTIVÉ — ${label}.\n` +
    (description ? `${description}\n` : "") +
    `Êtes-vous disponible ? Répondez avec les boutons « Disponible » / « Indisponible » ou tapez /plan-crise disponible (ou indisponible).`;
  return inTransaction(ctx.db, async (tx) => {
    const txRepo = new CrisisActivationRepository(tx);
    // Re-checked inside the transaction: two activations at once must not both open.
    if (await txRepo.open(cptsId)) throw new UserError("Le plan de crise vient d'être activé par quelqu'un d'autre.");
    const activation = await txRepo.create({ cptsId, situation, description, grave: input.grave ?? true, activatedOn: today, activatedBy: actor.label });
    const drafts: OutboxDraft[] = channels.map((recipient) => ({
      cptsId,
      idempotencyKey: `crise:${activation.id}:chat:${recipient}`,
      channel: "CHAT",
      kind: "crise",
      recipient,
      bodyText: chatText,
      refType: "crise",
      refId: activation.id,
    }));
    for (const m of audience) {
      drafts.push({
        cptsId,
        idempotencyKey: `crise:${activation.id}:mail:${m.id}`,
        channel: "MAIL",
        kind: "crise",
        recipient: m.email!,
        memberId: m.id,
        subject: `[${name}] Plan de crise activé : ${label}`,
        bodyText:
          `Bonjour${m.firstName ? ` ${m.firstName}` : ""},\n\n` +
          `La ${name} active son plan de gestion de crise le ${formatDateFr(today)} : ${label}.\n` +
          (description ? `\n${description}\n` : "") +
          `\nMerci d'indiquer au plus vite votre disponibilité dans le chat de la CPTS (boutons « Disponible » / « Indisponible » ` +
          `ou commande /plan-crise disponible), ou en répondant à ce message.\n\nLa coordination`,
        refType: "crise",
        refId: activation.id,
      });
    }
    const inserted = await enqueueMessages(tx, drafts);
    await txRepo.audit(cptsId, actor.label, "crise.activee", activation.id, { situation, grave: activation.grave, chat: channels.length, mails: audience.length, queued: inserted });
    return { activationId: activation.id, situation, label, chatMessages: channels.length, mails: audience.length };
  });
}

export interface RollCallCounts {
  activationId: string;
  situation: CrisisSituationKey;
  label: string;
  activatedOn: string;
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

/** A professional says whether they are available; answering again replaces the answer. */
export async function answerRollCall(ctx: AppContext, cptsId: string, memberId: string, available: boolean, activationId?: string): Promise<RollCallCounts> {
  const repo = new CrisisActivationRepository(ctx.db);
  const activation = activationId ? await repo.byId(cptsId, activationId) : await openActivation(repo, cptsId);
  if (!activation) throw new UserError("Cette activation du plan de crise n'existe pas dans votre CPTS.");
  if (activation.closedOn) throw new UserError(`Cette activation du plan de crise est close depuis le ${formatDateFr(activation.closedOn)} : merci, plus besoin de répondre.`);
  if (!(await repo.memberOf(cptsId, memberId))) throw new UserError("Seuls les professionnels de la CPTS répondent à l'appel : liez d'abord votre compte avec /lier.");
  try {
    await repo.answer(activation.id, memberId, available, ctx.clock.now());
  } catch (e) {
    // Two clicks at once on PostgreSQL: both tried to insert; the second becomes an update.
    if ((e as { code?: string }).code !== "P2002") throw e;
    await repo.answer(activation.id, memberId, available, ctx.clock.now());
  }
  return rollCallCounts(ctx, cptsId, activation.id);
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
    available,
    unavailable: answers.length - available,
    byProfession: sort([...byProfession].map(([profession, c]) => ({ profession, label: profession ? professionLabel(profession) : "profession non renseignée", ...c }))),
    byCommune: sort([...byCommune].map(([insee, c]) => ({ insee, name: communes.get(insee) ?? "commune non renseignée", ...c }))),
  };
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
        bodyText: `Fin de l'activation du plan de crise (${counts.label}), ouverte le ${formatDateFr(open.activatedOn)}. ${counts.available} professionnel(s) se sont déclarés disponibles. Merci à toutes et à tous. Le retour d'expérience est enregistré.`,
        refType: "crise",
        refId: open.id,
      })),
    );
    await txRepo.audit(cptsId, actor.label, "crise.cloturee", open.id, { closedOn: today, available: counts.available, unavailable: counts.unavailable });
  });
  return { ...counts, closedOn: today };
}
