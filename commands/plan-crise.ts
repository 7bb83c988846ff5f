// /plan-crise: version, sections with their owner and last review, next refresh date; mark a
// section reviewed. Sub-actions live in SUBACTIONS so that others (activer, cloturer) plug in.
import { z } from "zod";
import { defineCommand, ROLE_RANK, type CommandContext, type Reply, type RequiredRole } from "./types.ts";
import { crisisPlanOverview, markSectionReviewed } from "../src/app/services/crisis-plan.ts";
import { formatDateFr } from "../src/rules/index.ts";
import { ACTIVATION_ACTION_ROLES, ACTIVATION_SUBACTIONS, onActivationAction } from "./plan-crise-activation.ts";

export interface CrisisSubaction {
  label: string;
  role: RequiredRole;
  run(ctx: CommandContext, input: PlanCriseInput): Promise<Reply>;
}

export interface PlanCriseInput {
  action: string;
  section?: string;
  texte?: string;
  exercice?: boolean;
  rappel?: number;
  profession?: string;
  commune?: string;
  page?: number;
}

/** The plan's own order (the four stages, then the situations), whatever order the database returns. */
export const SECTION_ORDER = [
  "ANTICIPER",
  "ADAPTER",
  "ACTIVER_PILOTER",
  "EVALUER",
  "SITUATION_BLESSES",
  "SITUATION_MALADES",
  "SITUATION_AGENT_INFECTIEUX",
  "SITUATION_NRC",
  "SITUATION_OFFRE_DEGRADEE",
] as const;

const rank = (kind: string) => {
  const i = (SECTION_ORDER as readonly string[]).indexOf(kind);
  return i < 0 ? SECTION_ORDER.length : i;
};

async function overview(ctx: CommandContext): Promise<Reply> {
  const o = await crisisPlanOverview(ctx.app, ctx.cpts.id, ctx.today);
  o.sections = [...o.sections].sort((a, b) => rank(a.kind) - rank(b.kind));
  if (!o.current) return { text: `La ${ctx.cpts.name} n'a pas encore de plan de crise enregistré.` };
  const status = o.current.draft ? "brouillon" : `adoptée le ${formatDateFr(o.current.adoptedOn!)}`;
  const canReview = ROLE_RANK[ctx.caller.role] >= ROLE_RANK.bureau;
  return {
    title: `Plan de crise — version ${o.current.version} (${status})`,
    text: o.nextRefresh
      ? `Prochaine échéance : ${o.nextRefresh.label}, le ${formatDateFr(o.nextRefresh.dueDate)} (${o.nextRefresh.daysLeft >= 0 ? `dans ${o.nextRefresh.daysLeft} jours` : `en retard de ${-o.nextRefresh.daysLeft} jours`}).`
      : "Aucune échéance de mise à jour en cours.",
    fields: o.sections.map((s) => ({
      name: s.title,
      value: `Responsable : ${s.owner?.name ?? "à désigner"} — ${s.lastReviewedOn ? `relue le ${formatDateFr(s.lastReviewedOn)}` : "jamais relue"} (section=${s.kind})`,
    })),
    buttons: canReview
      ? await Promise.all(o.sections.slice(0, 5).map((s) => ctx.button({ action: "relu", label: `Relue : ${s.title}`.slice(0, 75), payload: { section: s.kind } })))
      : undefined,
  };
}

async function review(ctx: CommandContext, section: string, comment?: string): Promise<Reply> {
  const r = await markSectionReviewed(ctx.app, ctx.cpts.id, section, ctx.caller.memberId!, comment);
  return { text: `Section ${r.kind} marquée relue le ${formatDateFr(r.reviewedOn)} par ${ctx.caller.name}.` };
}

export const SUBACTIONS: Record<string, CrisisSubaction> = {
  voir: { label: "voir le plan", role: "adherent", run: (ctx) => overview(ctx) },
  relu: {
    label: "marquer une section relue",
    role: "bureau",
    run: (ctx, input) => (input.section ? review(ctx, input.section, input.texte) : Promise.resolve({ text: "Indiquez la section : /plan-crise relu section=ANTICIPER", ephemeral: true })),
  },
  ...ACTIVATION_SUBACTIONS,
};

export const planCrise = defineCommand({
  name: "plan-crise",
  description: "Le plan de crise : version, sections, dernières relectures, prochaine mise à jour",
  requiredRole: "adherent",
  options: [
    { name: "action", description: "voir (par défaut), relu, activer, disponible, indisponible, appel ou cloturer", type: "string", choices: Object.entries(SUBACTIONS).map(([value, s]) => ({ label: s.label, value })), hint: `une action parmi ${Object.keys(SUBACTIONS).join(", ")}` },
    { name: "section", description: "La section relue (ANTICIPER, ADAPTER, ACTIVER_PILOTER, EVALUER…)", type: "string", hint: "le code de section affiché par /plan-crise, par exemple ANTICIPER" },
    { name: "texte", description: "Un commentaire ou une description", type: "string", hint: "un texte libre" },
    { name: "exercice", description: "activer : c'est un exercice (« EXERCICE » dans chaque message, sans effet sur le financement)", type: "boolean", hint: "oui ou non", namedOnly: true },
    { name: "rappel", description: "activer : rappel à ceux qui n'ont pas répondu, après ce nombre de minutes", type: "integer", hint: "un nombre de minutes de 5 à 2880, par exemple 30", namedOnly: true },
    { name: "profession", description: "appel : seulement cette profession", type: "string", autocomplete: "professions", hint: "une profession, par exemple infirmier", namedOnly: true },
    { name: "commune", description: "appel : seulement cette commune", type: "string", autocomplete: "communes", hint: "le nom ou le code INSEE d'une commune de la CPTS", namedOnly: true },
    { name: "page", description: "appel : numéro de page", type: "integer", hint: "un numéro de page, 1 ou plus", namedOnly: true },
  ],
  schema: z.object({
    action: z.string().default("voir").refine((a) => Object.hasOwn(SUBACTIONS, a)),
    section: z.string().trim().min(2).max(60).transform((s) => s.toUpperCase()).optional(),
    texte: z.string().trim().max(2000).optional(),
    exercice: z.boolean().optional(),
    rappel: z.number().int().min(5).max(2880).optional(),
    profession: z.string().trim().min(1).max(80).optional(),
    commune: z.string().trim().min(1).max(80).optional(),
    page: z.number().int().min(1).max(1000).optional(),
  }),
  example: "/plan-crise",
  actionRoles: { relu: "bureau", ...ACTIVATION_ACTION_ROLES },
  async run(ctx, input) {
    const sub = SUBACTIONS[input.action]!;
    if (ROLE_RANK[ctx.caller.role] < ROLE_RANK[sub.role]) return { text: `« ${sub.label} » est réservé au bureau et à la coordination.`, ephemeral: true };
    return sub.run(ctx, input);
  },
  async onAction(ctx, action, payload) {
    if (Object.hasOwn(ACTIVATION_ACTION_ROLES, action)) return onActivationAction(ctx, action, payload);
    return review(ctx, String(payload.section));
  },
});
