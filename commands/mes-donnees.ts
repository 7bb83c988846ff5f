// /mes-donnees: my data as a JSON file; erasure after an explicit confirmation.
import { z } from "zod";
import { defineCommand } from "./types.ts";
import { eraseMember, exportMemberData } from "../src/app/services/member-data.ts";

export const mesDonnees = defineCommand({
  name: "mes-donnees",
  description: "Recevoir mes données personnelles (fichier) ou demander leur effacement",
  requiredRole: "non_membre",
  personal: true,
  options: [{ name: "action", description: "exporter (par défaut) ou effacer", type: "string", choices: [{ label: "recevoir mes données", value: "exporter" }, { label: "effacer mes données", value: "effacer" }], hint: "exporter ou effacer" }],
  schema: z.object({ action: z.enum(["exporter", "effacer"]).default("exporter") }),
  example: "/mes-donnees",
  async run(ctx, input) {
    if (!ctx.caller.memberId) return { text: "Votre compte n'est relié à aucun membre : la CPTS ne conserve aucune donnée à votre nom via ce compte." };
    if (input.action === "exporter") {
      const file = await exportMemberData(ctx.app, ctx.cpts.id, ctx.caller.memberId);
      return { text: `Voici toutes les données que la ${ctx.cpts.name} conserve à votre nom.`, file: { name: file.name, mime: "application/json", content: file.content } };
    }
    return {
      text: "Effacer vos données supprime votre nom, votre adresse, votre téléphone et vos préférences, et délie votre compte de discussion.",
      confirm: "Les paiements et indemnités restent enregistrés de façon anonyme (obligations comptables). Cette action est définitive.",
      buttons: [
        await ctx.button({ action: "effacer", label: "Oui, effacer mes données", style: "danger", ttlMinutes: 15 }),
        await ctx.button({ action: "annuler", label: "Annuler", style: "secondary", ttlMinutes: 15 }),
      ],
    };
  },
  async onAction(ctx, action) {
    if (action === "annuler" || !ctx.caller.memberId) return { text: "Rien n'a été effacé." };
    await eraseMember(ctx.app, ctx.cpts.id, ctx.caller.memberId, ctx.actor);
    return { text: "Vos données ont été effacées et votre compte de discussion délié. Les écritures comptables restent, sans votre nom." };
  },
});
