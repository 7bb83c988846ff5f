// /echeances: the CPTS's next deadlines; the coordinator can mark one done.
import { z } from "zod";
import { defineCommand } from "./types.ts";
import { listDeadlines, markDeadlineDone, OWNER_ROLE_LABELS } from "../src/app/services/deadlines.ts";
import { DEADLINE_KIND_LABELS, formatDateFr } from "../src/rules/index.ts";

const STATE = { a_venir: "à venir", imminent: "imminente", en_retard: "EN RETARD", fait: "faite" } as const;

export const echeances = defineCommand({
  name: "echeances",
  description: "Les prochaines échéances de la CPTS (ACI, plan de crise, AG…) ; la coordination peut en marquer une faite",
  requiredRole: "adherent",
  options: [
    { name: "action", description: "voir (par défaut) ou fait", type: "string", choices: [{ label: "voir", value: "voir" }, { label: "marquer faite", value: "fait" }], hint: "voir ou fait" },
    { name: "cle", description: "La clé de l'échéance à marquer faite", type: "string", hint: "la clé affichée par /echeances, par exemple crisis_plan" },
  ],
  schema: z.object({ action: z.enum(["voir", "fait"]).default("voir"), cle: z.string().trim().min(3).max(120).optional() }),
  example: "/echeances",
  actionRoles: { fait: "coordonnateur" },
  async run(ctx, input) {
    if (input.action === "fait") {
      if (ctx.caller.role !== "coordonnateur") return { text: "Seule la coordination peut marquer une échéance faite.", ephemeral: true };
      if (!input.cle) return { text: "Indiquez la clé de l'échéance : /echeances fait cle=…", ephemeral: true };
      const d = await markDeadlineDone(ctx.app, ctx.cpts.id, input.cle, ctx.actor);
      return { text: `Échéance marquée faite : ${d.label} (${formatDateFr(d.dueDate)}). Les alertes s'arrêtent.` };
    }
    const open = (await listDeadlines(ctx.app, ctx.cpts.id, ctx.today)).filter((d) => d.state !== "fait");
    if (!open.length) return { text: "Aucune échéance en cours." };
    const coordinator = ctx.caller.role === "coordonnateur";
    // every open deadline, with its « Fait » button for the coordination: long lists are paged by the dispatcher
    return {
      title: "Prochaines échéances",
      text: `${open.filter((d) => d.state === "en_retard").length} en retard, ${open.filter((d) => d.state === "imminent").length} imminente(s), ${open.length} au total.`,
      fields: open.map((d) => ({
        name: `${formatDateFr(d.dueDate)} — ${STATE[d.state]}`,
        value: `${d.label} (${DEADLINE_KIND_LABELS[d.kind]}, ${OWNER_ROLE_LABELS[d.ownerRole]})${coordinator ? `\nclé : ${d.key}` : ""}`,
      })),
      buttons: coordinator
        ? await Promise.all(open.map((d) => ctx.button({ action: "fait", label: `Fait : ${d.label}`.slice(0, 75), payload: { key: d.key } })))
        : undefined,
    };
  },
  async onAction(ctx, _action, payload) {
    const d = await markDeadlineDone(ctx.app, ctx.cpts.id, String(payload.key), ctx.actor);
    return { text: `Échéance marquée faite : ${d.label} (${formatDateFr(d.dueDate)}). Les alertes s'arrêtent.` };
  },
});
