// /newsletter: write a newsletter from text, choose its audience, preview it, send a test to
// myself, then schedule it or send it now — the recipient count is shown before confirming.
import { z } from "zod";
import { defineCommand, type CommandContext, type Reply } from "./types.ts";
import { createNewsletter, newsletterStats, renderNewsletterPreview, scheduleNewsletter, sendNewsletterNow, testSend } from "../src/app/services/newsletters.ts";
import { formatParisDateTimeFr, parisWallTimeToInstant, parseParisWallTime } from "../src/rules/paris-time.ts";
import { isKnownProfession } from "../src/rules/professions.ts";
import { federationAudience } from "../src/app/services/federation.ts";
import { excerpt, UserError } from "../src/app/errors.ts";

const AUDIENCES = { adherents: "ADHERENTS", professions: "PROFESSIONS", territoire: "TERRITOIRE", federation: "FEDERATION" } as const;
const EXCERPT = 1200;
const EXAMPLE = "/newsletter sujet=\"Lettre de novembre\" texte=\"Bonjour à tous…\" audience=adherents";

const PROGRAM_FORM = "AAAA-MM-JJTHH:MM";

/**
 * The instant of a `programmer=` value, "AAAA-MM-JJTHH:MM" (or "AAAA-MM-JJ" for 09:00) read as
 * Paris wall time; null when it is not a real date and time (25:99, 31 February, the spring-forward hour).
 */
export function scheduledInstant(value: string): Date | null {
  const v = value.trim();
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/.test(v)) return null;
  const wall = v.includes("T") ? v : `${v}T09:00`;
  const at = parisWallTimeToInstant(wall);
  if (!at) return null;
  const [date, time] = wall.split("T") as [string, string];
  const [y, m, d] = date.split("-");
  return formatParisDateTimeFr(at) === `${d}/${m}/${y} à ${time.replace(":", "h")}` ? at : null;
}

/** The `programmer` option: a real Paris date and time, in the future of `now` when given. */
function programmerOption(now?: Date) {
  return z
    .string()
    .trim()
    .superRefine((v, c) => {
      const at = scheduledInstant(v);
      if (!at) {
        const why = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/.test(v) ? parseParisWallTime(v.includes("T") ? v : `${v}T09:00`) : null;
        const detail = why && !why.ok ? ` ${why.message}` : "";
        c.addIssue({ code: "custom", message: `L'option « programmer » attend une date et une heure de Paris qui existent, au format ${PROGRAM_FORM} (par exemple 2026-12-01T09:30) ; reçu « ${excerpt(v)} ».${detail}` });
      } else if (now && at.getTime() <= now.getTime()) {
        c.addIssue({ code: "custom", message: `L'option « programmer » attend une date future au format ${PROGRAM_FORM} : « ${excerpt(v)} » (${formatParisDateTimeFr(at)}) est déjà passé.` });
      }
    })
    .optional();
}

function newsletterSchema(now?: Date) {
  return z.object({
    sujet: z.string().trim().min(3).max(200).optional(),
    texte: z.string().trim().min(10).max(100_000).optional(),
    audience: z.enum(["adherents", "professions", "territoire", "federation"]).default("adherents"),
    professions: z
      .string()
      .transform((s) => s.split(",").map((p) => p.trim()).filter(Boolean))
      .refine((list) => list.every(isKnownProfession))
      .optional(),
    programmer: programmerOption(now),
  });
}

const formatInstant = (d: Date) => d.toLocaleString("fr-FR", { timeZone: "Europe/Paris", dateStyle: "long", timeStyle: "short" });

async function menu(ctx: CommandContext, id: string, scheduleAt?: string): Promise<Reply> {
  const p = await renderNewsletterPreview(ctx.app, ctx.cpts.id, id);
  const buttons = [
    await ctx.button({ action: "test", label: "M'envoyer un test", style: "secondary", payload: { id }, reusable: true }),
    await ctx.button({ action: "envoyer", label: `Envoyer maintenant à ${p.recipients} destinataire(s)`, style: "primary", payload: { id } }),
  ];
  if (scheduleAt) buttons.push(await ctx.button({ action: "programmer", label: `Programmer le ${formatInstant(scheduledInstant(scheduleAt)!)}`, style: "primary", payload: { id, at: scheduleAt } }));
  return {
    title: `Aperçu : ${p.subject}`,
    text: p.text.length > EXCERPT ? `${p.text.slice(0, EXCERPT)}…` : p.text,
    fields: [
      { name: "Audience", value: p.audience },
      { name: "Destinataires", value: String(p.recipients) },
    ],
    buttons,
    ephemeral: true,
  };
}

export const newsletter = defineCommand({
  name: "newsletter",
  description: "Écrire, prévisualiser, tester puis envoyer ou programmer la lettre d'information",
  requiredRole: "coordonnateur",
  options: [
    { name: "sujet", description: "L'objet du mail (vide : les lettres récentes)", type: "string", hint: "un objet de 3 à 200 caractères" },
    { name: "texte", description: "Le texte de la lettre (paragraphes séparés par une ligne vide)", type: "string", hint: "un texte d'au moins 10 caractères" },
    { name: "audience", description: "adherents, professions, territoire ou federation (inter-CPTS : les CPTS membres)", type: "string", choices: Object.keys(AUDIENCES).map((value) => ({ label: value, value })), hint: "adherents, professions, territoire ou federation (inter-CPTS)" },
    { name: "professions", description: "Professions visées, séparées par des virgules", type: "string", autocomplete: "professions", hint: "des professions séparées par des virgules, par exemple infirmier,pharmacien" },
    { name: "programmer", description: "Date d'envoi programmé (heure de Paris)", type: "string", hint: "une date et heure de Paris à venir, AAAA-MM-JJTHH:MM (ou AAAA-MM-JJ pour 9 h)" },
  ],
  schema: newsletterSchema(),
  schemaAt: (now) => newsletterSchema(now),
  example: EXAMPLE,
  slow: true,
  async run(ctx, input) {
    if (!input.sujet) {
      const stats = await newsletterStats(ctx.app, ctx.cpts.id);
      const recent = stats.newsletters.slice(0, 5);
      return {
        title: "Lettres d'information",
        text:
          `${stats.lastSentOn ? `Dernier envoi le ${stats.lastSentOn}` : "Aucun envoi encore"}${stats.nextDueOn ? `, prochaine attendue le ${stats.nextDueOn}${stats.overdue ? " (en retard)" : ""}` : ""}.\n` +
          `Pour en écrire une : ${EXAMPLE}` +
          (stats.newsletters.length > recent.length ? `\nLes ${recent.length} plus récentes ci-dessous ; les ${stats.newsletters.length - recent.length} autres sur la page Newsletters de l'administration (/admin/newsletters).` : ""),
        fields: recent.map((n) => ({ name: n.subject, value: `${n.state.toLowerCase()}${n.sentAt ? `, ${n.recipients} destinataire(s), ${n.sent + n.captured} parti(s)` : ""}` })),
        buttons: await Promise.all(recent.filter((n) => n.state === "BROUILLON").map((n) => ctx.button({ action: "ouvrir", label: `Ouvrir : ${n.subject}`.slice(0, 75), payload: { id: n.id }, reusable: true }))),
        ephemeral: true,
      };
    }
    if (!input.texte) throw new UserError("Ajoutez le texte de la lettre : texte=\"…\" (au moins 10 caractères).", "texte");
    const audience = AUDIENCES[input.audience];
    if (audience === "PROFESSIONS" && !input.professions?.length) throw new UserError("Avec audience=professions, indiquez professions=infirmier,pharmacien…", "professions");
    if (audience === "FEDERATION") await federationAudience(ctx.app, ctx.cpts.id); // refused outside an inter-CPTS
    const created = await createNewsletter(ctx.app, { cptsId: ctx.cpts.id, subject: input.sujet, body: input.texte, audience, professions: input.professions ?? [], createdBy: ctx.actor });
    return menu(ctx, created.id, input.programmer);
  },
  async onAction(ctx, action, payload) {
    const id = String(payload.id);
    if (action === "ouvrir") return menu(ctx, id);
    if (action === "test") {
      if (!ctx.caller.email) throw new UserError("Votre fiche n'a pas d'adresse mail : ajoutez-en une pour recevoir le test.");
      await testSend(ctx.app, ctx.cpts.id, id, ctx.caller.email);
      return { text: `Un exemplaire de test part à ${ctx.caller.email}.`, ephemeral: true };
    }
    if (action === "programmer") {
      const at = scheduledInstant(String(payload.at));
      if (!at || at.getTime() <= ctx.app.clock.now().getTime()) {
        throw new UserError(`Cette date d'envoi est passée : relancez /newsletter avec programmer=${PROGRAM_FORM} dans le futur (la lettre reste en brouillon).`, "programmer");
      }
      await scheduleNewsletter(ctx.app, ctx.cpts.id, id, at);
      return { text: `Lettre programmée pour le ${formatInstant(at)} (heure de Paris).`, ephemeral: true };
    }
    if (action === "envoyer") {
      const p = await renderNewsletterPreview(ctx.app, ctx.cpts.id, id);
      return {
        text: `Confirmez l'envoi de « ${p.subject} » à ${p.recipients} destinataire(s) (${p.audience}).`,
        confirm: "L'envoi ne peut pas être annulé une fois parti.",
        buttons: [
          await ctx.button({ action: "confirmer", label: `Confirmer l'envoi à ${p.recipients} destinataire(s)`, style: "danger", payload: { id } }),
          await ctx.button({ action: "abandonner", label: "Annuler", style: "secondary" }),
        ],
        ephemeral: true,
      };
    }
    if (action === "abandonner") return { text: "Envoi annulé : la lettre reste en brouillon.", ephemeral: true };
    const r = await sendNewsletterNow(ctx.app, ctx.cpts.id, id, ctx.actor);
    return { title: "Lettre envoyée", text: `${r.enqueued} mail(s) mis en file d'envoi pour ${r.recipients} destinataire(s).`, ephemeral: true };
  },
});


