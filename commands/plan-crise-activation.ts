// The crisis-activation sub-actions of /plan-crise: activer <situation> (exercice=oui, rappel=<minutes>),
// cloturer (with the return of experience), disponible / indisponible (roll-call, also as buttons),
// appel (the named roll-call: available, unavailable, no answer; by profession and commune, paged).
import type { CommandContext, Reply, ReplyButton, RequiredRole } from "./types.ts";
import type { CrisisSubaction, PlanCriseInput } from "./plan-crise.ts";
import {
  activateCrisis, answerRollCall, closeCrisis, crisisTitle, rollCallList, situationsHelp, ANSWER_CHANNEL_LABELS,
  type RollCallCounts, type RollCallPerson, type RollCallStatus,
} from "../src/app/services/crisis-activation.ts";
import { UserError } from "../src/app/errors.ts";
import { formatDateFr } from "../src/rules/dates.ts";
import { formatDateTimeFr } from "../src/rules/paris-time.ts";

const ROLL_CALL_TTL_MINUTES = 14 * 24 * 60;
/** People per page of /plan-crise appel (a chat message stays readable on a phone). */
export const ROLL_CALL_PAGE_SIZE = 25;

function caller(ctx: CommandContext): { memberId: string; label: string } {
  if (!ctx.caller.memberId) throw new UserError("Votre compte de chat n'est relié à aucun professionnel de la CPTS : reliez-le d'abord avec /adhesion.");
  return { memberId: ctx.caller.memberId, label: ctx.actor };
}

function countsFields(c: RollCallCounts): { name: string; value: string }[] {
  const line = (rows: { available: number; unavailable: number; label?: string; name?: string }[]) =>
    (rows.slice(0, 15).map((r) => `${r.label ?? r.name} : ${r.available} dispo / ${r.unavailable} indispo`).join("\n") || "—") +
    (rows.length > 15 ? `\n… et ${rows.length - 15} autre(s) : voir la page Crises de l'administration (/admin/crises).` : "");
  return [
    { name: "Par profession", value: line(c.byProfession) },
    { name: "Par commune", value: line(c.byCommune) },
  ];
}

async function rollCallButtons(ctx: CommandContext, activationId: string) {
  return Promise.all([
    ctx.button({ action: "disponible", label: "Disponible", style: "success", payload: { activationId }, anyone: true, reusable: true, ttlMinutes: ROLL_CALL_TTL_MINUTES }),
    ctx.button({ action: "indisponible", label: "Indisponible", style: "secondary", payload: { activationId }, anyone: true, reusable: true, ttlMinutes: ROLL_CALL_TTL_MINUTES }),
  ]);
}

async function answer(ctx: CommandContext, available: boolean, activationId?: string): Promise<Reply> {
  const c = await answerRollCall(ctx.app, ctx.cpts.id, caller(ctx).memberId, available, activationId, "chat");
  return { text: `${c.exercise ? "EXERCICE — " : ""}Merci ${ctx.caller.name} : vous êtes noté(e) ${available ? "disponible" : "indisponible"}. Appel en cours : ${c.available} disponible(s), ${c.unavailable} indisponible(s).`, ephemeral: true };
}

const SECTION_NAMES: Record<RollCallStatus, string> = { disponible: "Disponibles", indisponible: "Indisponibles", sans_reponse: "Sans réponse" };

function personLine(p: RollCallPerson): string {
  const when = p.answeredAt ? ` — ${formatDateTimeFr(p.answeredAt)} (${ANSWER_CHANNEL_LABELS[p.via ?? "chat"] ?? p.via})` : "";
  return `${p.name} — ${p.professionLabel} — ${p.commune}${p.phone ? ` — ${p.phone}` : ""}${when}`;
}

/** One page of the named roll-call, with « Page précédente » / « Page suivante » buttons. */
async function rollCallPage(ctx: CommandContext, opts: { profession?: string; commune?: string; page?: number }): Promise<Reply> {
  const list = await rollCallList(ctx.app, ctx.cpts.id, { profession: opts.profession, commune: opts.commune });
  const pages = Math.max(1, Math.ceil(list.people.length / ROLL_CALL_PAGE_SIZE));
  const page = Math.min(Math.max(1, opts.page ?? 1), pages);
  const slice = list.people.slice((page - 1) * ROLL_CALL_PAGE_SIZE, page * ROLL_CALL_PAGE_SIZE);
  const fields: { name: string; value: string }[] = [];
  const shown = { disponible: 0, indisponible: 0, sans_reponse: 0 };
  for (const p of list.people) shown[p.status]++;
  for (const status of ["disponible", "indisponible", "sans_reponse"] as const) {
    const people = slice.filter((p) => p.status === status);
    if (people.length) fields.push({ name: `${SECTION_NAMES[status]} (${shown[status]})`, value: people.map(personLine).join("\n") });
  }
  const filters = [list.filter.profession ? `profession : ${list.people[0]?.professionLabel ?? opts.profession}` : "", list.filter.commune ? `commune : ${list.people[0]?.commune ?? opts.commune}` : ""].filter(Boolean).join(", ");
  const payload = { profession: list.filter.profession, commune: list.filter.commune };
  const buttons: ReplyButton[] = [];
  if (page > 1) buttons.push(await ctx.button({ action: "appel_page", label: "Page précédente", payload: { ...payload, page: page - 1 }, reusable: true, ttlMinutes: 24 * 60 }));
  if (page < pages) buttons.push(await ctx.button({ action: "appel_page", label: "Page suivante", style: "primary", payload: { ...payload, page: page + 1 }, reusable: true, ttlMinutes: 24 * 60 }));
  return {
    title: crisisTitle(list.exercise, `Appel — ${list.label} (depuis le ${formatDateFr(list.activatedOn)})`),
    text:
      `${list.available} disponible(s), ${list.unavailable} indisponible(s), ${list.noAnswer} sans réponse sur ${list.expected} professionnel(s) alerté(s).` +
      (filters ? `\nFiltre — ${filters} : ${shown.disponible} disponible(s), ${shown.indisponible} indisponible(s), ${shown.sans_reponse} sans réponse.` : "") +
      `\nPage ${page}/${pages}. Filtrer : /plan-crise appel profession=infirmier commune=…${page < pages ? ` ; page suivante : page=${page + 1}` : ""}.`,
    fields: fields.length ? fields : [{ name: "Personne", value: "Aucun professionnel ne correspond à ce filtre." }],
    buttons,
    ephemeral: true,
  };
}

export const ACTIVATION_SUBACTIONS: Record<string, CrisisSubaction> = {
  activer: {
    label: "activer le plan de crise",
    role: "bureau",
    async run(ctx, input: PlanCriseInput) {
      if (!input.section) return { text: `Indiquez la situation : /plan-crise activer <situation> [texte] [exercice=oui] [rappel=30]. Situations : ${situationsHelp()}.`, ephemeral: true };
      const r = await activateCrisis(ctx.app, ctx.cpts.id, { situation: input.section, description: input.texte, exercise: input.exercice ?? false, reminderAfterMinutes: input.rappel ?? null }, caller(ctx));
      return {
        title: crisisTitle(r.exercise, `Plan de crise activé : ${r.label}`),
        text:
          (r.exercise ? "EXERCICE : même déroulé qu'une crise réelle, « EXERCICE » dans chaque message, sans effet sur le financement.\n" : "") +
          `Alerte envoyée dans ${r.chatMessages} canal(aux) de discussion et par mail à ${r.mails} professionnel(s) du territoire (liens de réponse en un clic). ` +
          (r.reminderAfterMinutes ? `Rappel à ceux qui n'ont pas répondu dans ${r.reminderAfterMinutes} minutes. ` : "") +
          `Chacun indique sa disponibilité ci-dessous ; /plan-crise appel donne la liste nominative en direct.${input.texte ? `\n${input.texte}` : ""}`,
        buttons: await rollCallButtons(ctx, r.activationId),
      };
    },
  },
  disponible: { label: "je suis disponible", role: "adherent", run: (ctx) => answer(ctx, true) },
  indisponible: { label: "je suis indisponible", role: "adherent", run: (ctx) => answer(ctx, false) },
  appel: {
    label: "voir l'appel en cours",
    role: "bureau",
    run: (ctx, input) => rollCallPage(ctx, { profession: input.profession, commune: input.commune, page: input.page }),
  },
  cloturer: {
    label: "clôturer l'activation",
    role: "bureau",
    async run(ctx, input) {
      if (!input.texte) {
        return { text: 'Pour clôturer, donnez le retour d\'expérience : /plan-crise cloturer texte="ce qui a marché, ce qui a manqué, ce qu\'il faut changer dans le plan"', ephemeral: true };
      }
      const r = await closeCrisis(ctx.app, ctx.cpts.id, { feedback: input.texte }, caller(ctx));
      return { title: crisisTitle(r.exercise, `Activation clôturée le ${formatDateFr(r.closedOn)}`), text: `${r.available} professionnel(s) se sont déclarés disponibles, ${r.unavailable} indisponibles. Retour d'expérience enregistré.`, fields: countsFields(r) };
    },
  },
};

export const ACTIVATION_ACTION_ROLES: Record<string, RequiredRole> = { disponible: "non_membre", indisponible: "non_membre", appel_page: "bureau" };

/** The roll-call buttons (a non-member professional of the territory may press them too) and the roll-call pages. */
export function onActivationAction(ctx: CommandContext, action: string, payload: Record<string, unknown>): Promise<Reply> {
  if (action === "appel_page") {
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    return rollCallPage(ctx, { profession: str(payload.profession), commune: str(payload.commune), page: typeof payload.page === "number" ? payload.page : 1 });
  }
  return answer(ctx, action === "disponible", typeof payload.activationId === "string" ? payload.activationId : undefined);
}
