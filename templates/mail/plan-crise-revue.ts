// Asks the owner of a crisis-plan section to review it before the yearly refresh.
import { defineMailTemplate, html, paragraphs, z } from "../../src/mail/template.ts";
import { fillBody, fillSubject } from "../../src/mail/wording.ts";
import { layout, preferencesFooter } from "./layout.ts";

const schema = z.object({
  cptsName: z.string().min(1),
  ownerName: z.string().min(1),
  sectionTitle: z.string().min(1),
  dueDate: z.string().regex(/^\d{2}\/\d{2}\/\d{4}$/),
  daysLeft: z.number().int(),
  lastReviewedOn: z.string().optional(),
  preferencesUrl: z.url().optional(),
  /** The CPTS's own wording (« Modèles de messages »), filled with the variables below; absent: coordo's. */
  wording: z.object({ subject: z.string(), body: z.string() }).optional(),
});
type Vars = z.output<typeof schema>;

/** The variables a CPTS's wording of a review request may use (templates/mail/wordings.ts lists them). */
export function planCriseRevueWordingVars(v: Vars): Record<string, string | undefined> {
  return { cpts: v.cptsName, nom: v.ownerName, partie: v.sectionTitle, "date-limite": v.dueDate, "derniere-relecture": v.lastReviewedOn };
}

const subject = (v: Vars) =>
  v.wording
    ? fillSubject(v.wording.subject, planCriseRevueWordingVars(v))
    : v.daysLeft < 0 ? `Plan de crise en retard : merci de relire « ${v.sectionTitle} »` : `Plan de crise : merci de relire « ${v.sectionTitle} » avant le ${v.dueDate}`;

export const planCriseRevueTemplate = defineMailTemplate({
  name: "plan-crise-revue",
  schema,
  subject,
  html: (v) =>
    layout({
      cptsName: v.cptsName,
      title: subject(v),
      content: v.wording
        ? paragraphs(fillBody(v.wording.body, planCriseRevueWordingVars(v)))
        : html`<p style="margin:0 0 12px">Bonjour ${v.ownerName},</p>
<p style="margin:0 0 12px">Le plan de gestion de crise de la CPTS doit être mis à jour chaque année ; la prochaine version est attendue pour le <strong>${v.dueDate}</strong>.</p>
<p style="margin:0 0 12px">Vous êtes responsable de la partie « <strong>${v.sectionTitle}</strong> ». ${v.lastReviewedOn ? `Dernière relecture : ${v.lastReviewedOn}.` : "Elle n'a pas encore été relue."}</p>
<p style="margin:0 0 12px">Merci de la relire (ressources, contacts, procédures) puis de l'indiquer au coordinateur ou avec la commande <code>/plan-crise</code>. Un rappel vous sera envoyé tant que la nouvelle version n'est pas enregistrée.</p>`,
      footer: preferencesFooter(v.preferencesUrl, "parce que vous êtes responsable d'une partie du plan de crise (alertes)"),
    }),
  text: (v) =>
    [
      ...(v.wording
        ? [fillBody(v.wording.body, planCriseRevueWordingVars(v))]
        : [
            `Bonjour ${v.ownerName},`,
            "",
            `Le plan de gestion de crise de la CPTS doit être mis à jour chaque année ; la prochaine version est attendue pour le ${v.dueDate}.`,
            `Vous êtes responsable de la partie « ${v.sectionTitle} ». ${v.lastReviewedOn ? `Dernière relecture : ${v.lastReviewedOn}.` : "Elle n'a pas encore été relue."}`,
            "",
            "Merci de la relire (ressources, contacts, procédures) puis de l'indiquer au coordinateur ou avec la commande /plan-crise. Un rappel vous sera envoyé tant que la nouvelle version n'est pas enregistrée.",
          ]),
      ...(v.preferencesUrl ? ["", `Ne plus recevoir les alertes : ${v.preferencesUrl}`] : []),
    ].join("\n"),
});
