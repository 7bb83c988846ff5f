// Asks the owner of a crisis-plan section to review it before the yearly refresh.
import { defineMailTemplate, html, z } from "../../src/mail/template.ts";
import { layout, preferencesFooter } from "./layout.ts";

const schema = z.object({
  cptsName: z.string().min(1),
  ownerName: z.string().min(1),
  sectionTitle: z.string().min(1),
  dueDate: z.string().regex(/^\d{2}\/\d{2}\/\d{4}$/),
  daysLeft: z.number().int(),
  lastReviewedOn: z.string().optional(),
  preferencesUrl: z.url().optional(),
});

const subject = (v: z.output<typeof schema>) =>
  v.daysLeft < 0 ? `Plan de crise en retard : merci de relire « ${v.sectionTitle} »` : `Plan de crise : merci de relire « ${v.sectionTitle} » avant le ${v.dueDate}`;

export const planCriseRevueTemplate = defineMailTemplate({
  name: "plan-crise-revue",
  schema,
  subject,
  html: (v) =>
    layout({
      cptsName: v.cptsName,
      title: subject(v),
      content: html`<p style="margin:0 0 12px">Bonjour ${v.ownerName},</p>
<p style="margin:0 0 12px">Le plan de gestion de crise de la CPTS doit être mis à jour chaque année ; la prochaine version est attendue pour le <strong>${v.dueDate}</strong>.</p>
<p style="margin:0 0 12px">Vous êtes responsable de la partie « <strong>${v.sectionTitle}</strong> ». ${v.lastReviewedOn ? `Dernière relecture : ${v.lastReviewedOn}.` : "Elle n'a pas encore été relue."}</p>
<p style="margin:0 0 12px">Merci de la relire (ressources, contacts, procédures) puis de l'indiquer au coordinateur ou avec la commande <code>/plan-crise</code>. Un rappel vous sera envoyé tant que la nouvelle version n'est pas enregistrée.</p>`,
      footer: preferencesFooter(v.preferencesUrl, "parce que vous êtes responsable d'une partie du plan de crise (alertes)"),
    }),
  text: (v) =>
    [
      `Bonjour ${v.ownerName},`,
      "",
      `Le plan de gestion de crise de la CPTS doit être mis à jour chaque année ; la prochaine version est attendue pour le ${v.dueDate}.`,
      `Vous êtes responsable de la partie « ${v.sectionTitle} ». ${v.lastReviewedOn ? `Dernière relecture : ${v.lastReviewedOn}.` : "Elle n'a pas encore été relue."}`,
      "",
      "Merci de la relire (ressources, contacts, procédures) puis de l'indiquer au coordinateur ou avec la commande /plan-crise. Un rappel vous sera envoyé tant que la nouvelle version n'est pas enregistrée.",
      ...(v.preferencesUrl ? ["", `Ne plus recevoir les alertes : ${v.preferencesUrl}`] : []),
    ].join("\n"),
});
