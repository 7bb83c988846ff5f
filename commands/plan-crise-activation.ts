// The crisis-activation sub-actions of /plan-crise: activer <situation>, cloturer (with the return
// of experience), disponible / indisponible (roll-call, also as buttons), appel (live counts).
import type { CommandContext, Reply, RequiredRole } from "./types.ts";
import type { CrisisSubaction } from "./plan-crise.ts";
import { activateCrisis, answerRollCall, closeCrisis, rollCallCounts, situationsHelp, type RollCallCounts } from "../src/app/services/crisis-activation.ts";
import { UserError } from "../src/app/errors.ts";
import { formatDateFr } from "../src/rules/dates.ts";

const ROLL_CALL_TTL_MINUTES = 14 * 24 * 60;

function caller(ctx: CommandContext): { memberId: string; label: string } {
  if (!ctx.caller.memberId) throw new UserError("Votre compte de chat n'est relié à aucun professionnel de la CPTS : reliez-le d'abord avec /adhesion.");
  return { memberId: ctx.caller.memberId, label: ctx.actor };
}

function countsFields(c: RollCallCounts): { name: string; value: string }[] {
  const line = (rows: { available: number; unavailable: number; label?: string; name?: string }[]) =>
    rows.slice(0, 15).map((r) => `${r.label ?? r.name} : ${r.available} dispo / ${r.unavailable} indispo`).join("\n") || "—";
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
  const c = await answerRollCall(ctx.app, ctx.cpts.id, caller(ctx).memberId, available, activationId);
  return { text: `Merci ${ctx.caller.name} : vous êtes noté(e) ${available ? "disponible" : "indisponible"}. Appel en cours : ${c.available} disponible(s), ${c.unavailable} indisponible(s).`, ephemeral: true };
}

export const ACTIVATION_SUBACTIONS: Record<string, CrisisSubaction> = {
  activer: {
    label: "activer le plan de crise",
    role: "bureau",
    async run(ctx, input) {
      if (!input.section) return { text: `Indiquez la situation : /plan-crise activer <situation>. Situations : ${situationsHelp()}.`, ephemeral: true };
      const r = await activateCrisis(ctx.app, ctx.cpts.id, { situation: input.section, description: input.texte }, caller(ctx));
      return {
        title: `Plan de crise activé : ${r.label}`,
        text: `Alerte envoyée dans ${r.chatMessages} canal(aux) de discussion et par mail à ${r.mails} professionnel(s) du territoire. Chacun indique sa disponibilité ci-dessous ; /plan-crise appel donne les comptes en direct.${input.texte ? `\n${input.texte}` : ""}`,
        buttons: await rollCallButtons(ctx, r.activationId),
      };
    },
  },
  disponible: { label: "je suis disponible", role: "adherent", run: (ctx) => answer(ctx, true) },
  indisponible: { label: "je suis indisponible", role: "adherent", run: (ctx) => answer(ctx, false) },
  appel: {
    label: "voir l'appel en cours",
    role: "bureau",
    async run(ctx) {
      const c = await rollCallCounts(ctx.app, ctx.cpts.id);
      return { title: `Appel — ${c.label} (depuis le ${formatDateFr(c.activatedOn)})`, text: `${c.available} disponible(s), ${c.unavailable} indisponible(s).`, fields: countsFields(c), buttons: await rollCallButtons(ctx, c.activationId) };
    },
  },
  cloturer: {
    label: "clôturer l'activation",
    role: "bureau",
    async run(ctx, input) {
      if (!input.texte) {
        return { text: 'Pour clôturer, donnez le retour d\'expérience : /plan-crise cloturer texte="ce qui a marché, ce qui a manqué, ce qu\'il faut changer dans le plan"', ephemeral: true };
      }
      const r = await closeCrisis(ctx.app, ctx.cpts.id, { feedback: input.texte }, caller(ctx));
      return { title: `Activation clôturée le ${formatDateFr(r.closedOn)}`, text: `${r.available} professionnel(s) se sont déclarés disponibles, ${r.unavailable} indisponibles. Retour d'expérience enregistré.`, fields: countsFields(r) };
    },
  },
};

export const ACTIVATION_ACTION_ROLES: Record<string, RequiredRole> = { disponible: "non_membre", indisponible: "non_membre" };

/** The roll-call buttons; a non-member professional of the territory may press them too. */
export function onActivationAction(ctx: CommandContext, action: string, payload: Record<string, unknown>): Promise<Reply> {
  return answer(ctx, action === "disponible", typeof payload.activationId === "string" ? payload.activationId : undefined);
}
