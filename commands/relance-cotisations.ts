// /relance-cotisations: a private preview (how many, by profession, the list on demand), then a
// confirm button that records and enqueues the reminders; a second run the same day adds nothing.
import { z } from "zod";
import { defineCommand } from "./types.ts";
import { countReminders, enqueueReminders, previewReminders } from "../src/app/services/dues-reminders.ts";
import { professionLabel } from "../src/rules/professions.ts";
import { parisWallTimeToInstant } from "../src/rules/paris-time.ts";
import { MemberRepository } from "../src/db/repos/member-repo.ts";

const LIST_MAX = 40;
const SKIP_REASONS = { sans_email: "sans adresse", email_invalide: "adresse refusée", desabonne: "désabonné(e)" } as const;

export const relanceCotisations = defineCommand({
  name: "relance-cotisations",
  description: "Relancer par mail les adhérents qui n'ont pas réglé leur cotisation (aperçu puis confirmation)",
  requiredRole: "bureau",
  options: [],
  schema: z.object({}),
  example: "/relance-cotisations",
  slow: true,
  async run(ctx) {
    const p = await countReminders(ctx.app, ctx.cpts.id, ctx.today);
    if (!p.policyEnabled) return { text: "Les relances de cotisation sont désactivées pour cette CPTS (réglage dans l'administration).", ephemeral: true };
    if (p.count === 0) {
      return { text: `Personne à relancer aujourd'hui pour ${p.year} : les relances dues ont déjà été envoyées ou tout le monde est à jour.${p.skipped ? ` ${p.skipped} membre(s) ne peuvent pas être relancés par mail.` : ""}`, ephemeral: true };
    }
    return {
      title: `Relances de cotisation ${p.year}`,
      text: `${p.count} adhérent(s) n'ont pas réglé leur cotisation ${p.year} et recevraient une relance par mail.${p.skipped ? ` ${p.skipped} autre(s) ne peuvent pas être relancé(s) par mail.` : ""}`,
      fields: p.byProfession.map((b) => ({ name: b.label, value: String(b.count) })),
      confirm: `Envoyer déclenche ${p.count} mail(s) de relance ; relancer une seconde fois aujourd'hui n'enverra rien de plus.`,
      buttons: [
        await ctx.button({ action: "envoyer", label: `Envoyer les ${p.count} relances`, style: "primary" }),
        await ctx.button({ action: "liste", label: "Voir la liste", style: "secondary", reusable: true }),
        await ctx.button({ action: "annuler", label: "Annuler", style: "secondary" }),
      ],
      ephemeral: true,
    };
  },
  async onAction(ctx, action) {
    if (action === "annuler") return { text: "Relances annulées : aucun mail n'est parti.", ephemeral: true };
    if (action === "liste") {
      const p = await previewReminders(ctx.app, ctx.cpts.id, ctx.today);
      const lines = p.members.slice(0, LIST_MAX).map((m) => `• ${m.name} — ${professionLabel(m.profession)} (relance n°${m.step})`);
      if (p.members.length > LIST_MAX) lines.push(`… et ${p.members.length - LIST_MAX} autre(s) (liste complète dans l'administration).`);
      const skipped = p.skipped.map((s) => `• ${s.name} — ${SKIP_REASONS[s.reason]}`);
      return { title: `À relancer (${p.count})`, text: [...lines, ...(skipped.length ? ["", "Ne peuvent pas être relancés par mail :", ...skipped] : [])].join("\n"), ephemeral: true };
    }
    const before = await countReminders(ctx.app, ctx.cpts.id, ctx.today);
    await ctx.progress?.(`Préparation de ${before.count} relance(s) ${before.year}…`);
    const r = await enqueueReminders(ctx.app, ctx.cpts.id, ctx.today, { trigger: "chat", actor: ctx.actor });
    await ctx.progress?.(`${r.enqueued} relance(s) mise(s) en file d'envoi ; récapitulatif en cours…`);
    const today = await new MemberRepository(ctx.app.db).remindersSince(ctx.cpts.id, r.year, parisWallTimeToInstant(ctx.today)!);
    const earlier = Math.max(0, today.length - r.enqueued);
    const byState = (states: string[]) => today.filter((t) => t.state !== null && states.includes(t.state)).length;
    const counts = new Map<string, number>();
    for (const t of today) counts.set(t.profession ?? "", (counts.get(t.profession ?? "") ?? 0) + 1);
    const lines = [
      r.enqueued === 0 ? "Aucune nouvelle relance : rien de plus à envoyer aujourd'hui." : `${r.enqueued} relance(s) ${r.year} mise(s) en file d'envoi maintenant.`,
      `${earlier} membre(s) déjà relancé(s) plus tôt aujourd'hui (pas de second mail).`,
      `${r.skipped} membre(s) non relancé(s) : sans adresse utilisable ou désabonné(s).`,
    ];
    if (r.errors.length) lines.push(`${r.errors.length} message(s) non générés (voir le journal).`);
    lines.push(
      "Les mails partent par la file d'envoi (outbox) dans les minutes qui viennent ; un paiement enregistré annule la relance encore en attente.",
      `État de la file pour les ${today.length} relance(s) du jour : ${byState(["ENVOYE"])} envoyée(s), ${byState(["CAPTURE"])} capturée(s) (mode test), ` +
        `${byState(["EN_ATTENTE", "EN_COURS", "ECHEC_TEMPORAIRE"])} en attente, ${byState(["ECHEC"])} en échec, ${byState(["ANNULE"])} annulée(s).`,
    );
    return {
      title: `Relances de cotisation ${r.year} : récapitulatif`,
      text: lines.join("\n"),
      fields: [...counts.entries()]
        .map(([profession, count]) => ({ name: profession ? professionLabel(profession) : "Non renseignée", value: `${count} relancé(s) aujourd'hui` }))
        .sort((x, y) => x.name.localeCompare(y.name, "fr")),
      ephemeral: true,
    };
  },
});
