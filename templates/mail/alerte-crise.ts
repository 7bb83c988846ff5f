// The crisis alert mail (and its reminder to those who have not answered): what happens, then two
// one-click links « Je suis disponible » / « Je ne suis pas disponible » signed for this member.
import { defineMailTemplate, html, paragraphs, z } from "../../src/mail/template.ts";
import { fillBody, fillSubject } from "../../src/mail/wording.ts";
import { layout } from "./layout.ts";

const schema = z.object({
  cptsName: z.string().min(1),
  firstName: z.string().optional(),
  situation: z.string().min(1),
  description: z.string().optional(),
  activatedOn: z.string().regex(/^\d{2}\/\d{2}\/\d{4}$/),
  exercise: z.boolean(),
  reminder: z.boolean().default(false),
  availableUrl: z.url(),
  unavailableUrl: z.url(),
  /** The CPTS's own wording (« Modèles de messages »), filled with the variables below; absent: coordo's. */
  wording: z.object({ subject: z.string(), body: z.string() }).optional(),
});

type Vars = z.output<typeof schema>;

/** The variables a CPTS's wording of the crisis alert may use (templates/mail/wordings.ts lists them). */
export function alerteCriseWordingVars(v: Vars): Record<string, string | undefined> {
  return { cpts: v.cptsName, prenom: v.firstName, situation: v.situation, description: v.description, "date-activation": v.activatedOn };
}

const tag = (v: Vars) => (v.exercise ? "EXERCICE — " : "");

// With a CPTS's wording, the « EXERCICE » and reminder marks stay: nobody may mistake an exercise for a crisis.
const subject = (v: Vars) =>
  v.wording
    ? `${v.exercise ? "[EXERCICE] " : ""}${v.reminder ? "Rappel : votre disponibilité ? " : ""}${fillSubject(v.wording.subject, alerteCriseWordingVars(v))}`
    : `${v.exercise ? "[EXERCICE] " : ""}[${v.cptsName}] ${v.reminder ? "Rappel : votre disponibilité ? " : ""}Plan de crise activé : ${v.situation}`;

const exerciseNote = "Ceci est un EXERCICE : aucune crise réelle n'est en cours. Merci de répondre comme vous le feriez en situation réelle.";

export const alerteCriseTemplate = defineMailTemplate({
  name: "alerte-crise",
  schema,
  subject,
  html: (v) =>
    layout({
      cptsName: v.cptsName,
      title: subject(v),
      content: html`${v.exercise ? html`<p style="margin:0 0 12px;padding:8px 12px;background:#fff4d6;border:1px solid #e0b000;font-weight:bold">${exerciseNote}</p>` : ""}
${v.wording ? html`${v.reminder ? html`<p style="margin:0 0 12px"><strong>Nous n'avons pas encore votre réponse.</strong></p>` : ""}${paragraphs(fillBody(v.wording.body, alerteCriseWordingVars(v)))}
${answerButtons(v)}` : html`<p style="margin:0 0 12px">Bonjour${v.firstName ? ` ${v.firstName}` : ""},</p>
<p style="margin:0 0 12px"><strong>${tag(v)}La ${v.cptsName} active son plan de gestion de crise</strong> le ${v.activatedOn} : ${v.situation}.</p>
${v.description ? html`<p style="margin:0 0 12px">${v.description}</p>` : ""}
<p style="margin:0 0 16px">${v.reminder ? "Nous n'avons pas encore votre réponse. " : ""}Merci d'indiquer tout de suite votre disponibilité, d'un clic (aucun identifiant demandé) :</p>
${answerButtons(v)}
<p style="margin:0 0 12px">Vous pouvez aussi répondre dans le chat de la CPTS (boutons « Disponible » / « Indisponible » ou commande <code>/plan-crise disponible</code>), ou en répondant à ce message. Ces liens sont personnels : ne les transférez pas.</p>
<p style="margin:0">La coordination</p>`}`,
      footer: html`Message d'alerte du plan de crise de la ${v.cptsName}, envoyé à chaque professionnel du territoire. Les liens cessent de fonctionner à la clôture de l'activation.`,
    }),
  text: (v) =>
    v.wording
      ? [
          ...(v.exercise ? [exerciseNote, ""] : []),
          ...(v.reminder ? ["Nous n'avons pas encore votre réponse.", ""] : []),
          fillBody(v.wording.body, alerteCriseWordingVars(v)),
          "",
          `- Je suis disponible : ${v.availableUrl}`,
          `- Je ne suis pas disponible : ${v.unavailableUrl}`,
        ].join("\n")
      : [
      ...(v.exercise ? [exerciseNote, ""] : []),
      `Bonjour${v.firstName ? ` ${v.firstName}` : ""},`,
      "",
      `${tag(v)}La ${v.cptsName} active son plan de gestion de crise le ${v.activatedOn} : ${v.situation}.`,
      ...(v.description ? ["", v.description] : []),
      "",
      `${v.reminder ? "Nous n'avons pas encore votre réponse. " : ""}Merci d'indiquer tout de suite votre disponibilité, d'un clic (aucun identifiant demandé) :`,
      `- Je suis disponible : ${v.availableUrl}`,
      `- Je ne suis pas disponible : ${v.unavailableUrl}`,
      "",
      "Vous pouvez aussi répondre dans le chat de la CPTS (boutons « Disponible » / « Indisponible » ou commande /plan-crise disponible), ou en répondant à ce message. Ces liens sont personnels : ne les transférez pas.",
      "",
      "La coordination",
    ].join("\n"),
});

/** The two one-click answer links: always in the mail, whatever the wording. */
function answerButtons(v: Vars) {
  return html`<table role="presentation" cellpadding="0" cellspacing="0" style="margin:0 0 16px"><tr>
<td style="padding:0 8px 8px 0"><a href="${v.availableUrl}" style="display:inline-block;padding:12px 18px;background:#1e7b34;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold">Je suis disponible</a></td>
<td style="padding:0 0 8px 0"><a href="${v.unavailableUrl}" style="display:inline-block;padding:12px 18px;background:#5b6675;color:#ffffff;text-decoration:none;border-radius:4px;font-weight:bold">Je ne suis pas disponible</a></td>
</tr></table>`;
}
