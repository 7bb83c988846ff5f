// Nudges the coordinator when the periodic newsletter is overdue.
import { defineMailTemplate, html, z } from "../../src/mail/template.ts";
import { layout } from "./layout.ts";

export const rappelLettreTemplate = defineMailTemplate({
  name: "rappel-lettre",
  schema: z.object({
    cptsName: z.string().min(1),
    cadenceLabel: z.string().min(1),
    lastSentOn: z.string().optional(),
    dueDate: z.string().regex(/^\d{2}\/\d{2}\/\d{4}$/),
  }),
  subject: (v) => `La lettre d'information ${v.cadenceLabel} est à envoyer`,
  html: (v) =>
    layout({
      cptsName: v.cptsName,
      title: `La lettre d'information ${v.cadenceLabel} est à envoyer`,
      content: html`<p style="margin:0 0 12px">Bonjour,</p>
<p style="margin:0 0 12px">La lettre d'information de la CPTS est ${v.cadenceLabel} ; la prochaine était attendue le <strong>${v.dueDate}</strong>${v.lastSentOn ? ` (dernière envoyée le ${v.lastSentOn})` : " (aucune envoyée pour l'instant)"}.</p>
<p style="margin:0">Vous pouvez la préparer dans l'administration ou avec la commande <code>/newsletter</code>.</p>`,
    }),
  text: (v) =>
    [
      "Bonjour,",
      "",
      `La lettre d'information de la CPTS est ${v.cadenceLabel} ; la prochaine était attendue le ${v.dueDate}${v.lastSentOn ? ` (dernière envoyée le ${v.lastSentOn})` : " (aucune envoyée pour l'instant)"}.`,
      "Vous pouvez la préparer dans l'administration ou avec la commande /newsletter.",
    ].join("\n"),
});
