// ACI / association deadline alert to the coordinator and the bureau (mail), plus its chat wording.
import { defineMailTemplate, html, paragraphs, z } from "../../src/mail/template.ts";
import { fillBody, fillSubject } from "../../src/mail/wording.ts";
import { layout, preferencesFooter } from "./layout.ts";

const schema = z.object({
  cptsName: z.string().min(1),
  label: z.string().min(1),
  kindLabel: z.string().min(1),
  dueDate: z.string().regex(/^\d{2}\/\d{2}\/\d{4}$/),
  daysLeft: z.number().int(),
  ownerLabel: z.string().min(1),
  adminUrl: z.url().optional(),
  preferencesUrl: z.url().optional(),
  /** The CPTS's own wording (« Modèles de messages »), filled with the variables below; absent: coordo's. */
  wording: z.object({ subject: z.string(), body: z.string() }).optional(),
});
type Vars = z.output<typeof schema>;

/** The variables a CPTS's wording of a deadline alert may use (templates/mail/wordings.ts lists them). */
export function alerteEcheanceWordingVars(v: Vars): Record<string, string | undefined> {
  return { cpts: v.cptsName, echeance: v.label, type: v.kindLabel, "date-limite": v.dueDate, delai: whenFr(v.daysLeft), responsable: v.ownerLabel };
}

export function whenFr(daysLeft: number): string {
  if (daysLeft === 0) return "aujourd'hui";
  if (daysLeft > 0) return daysLeft === 1 ? "demain" : `dans ${daysLeft} jours`;
  return -daysLeft === 1 ? "en retard d'un jour" : `en retard de ${-daysLeft} jours`;
}

function subject(v: Vars): string {
  if (v.wording) return fillSubject(v.wording.subject, alerteEcheanceWordingVars(v));
  if (v.daysLeft < 0) return `EN RETARD : ${v.label} (échéance du ${v.dueDate})`;
  if (v.daysLeft === 0) return `Échéance aujourd'hui : ${v.label}`;
  return `Échéance ${whenFr(v.daysLeft)} : ${v.label}`;
}

export const alerteEcheanceTemplate = defineMailTemplate({
  name: "alerte-echeance",
  schema,
  subject,
  html: (v) =>
    layout({
      cptsName: v.cptsName,
      title: subject(v),
      content: v.wording
        ? html`${v.daysLeft < 0 ? html`<p style="margin:0 0 12px"><strong style="color:#a33">Échéance dépassée.</strong></p>` : ""}${paragraphs(fillBody(v.wording.body, alerteEcheanceWordingVars(v)))}
${v.adminUrl ? html`<p style="margin:0"><a href="${v.adminUrl}">Voir les échéances</a></p>` : ""}`
        : html`<p style="margin:0 0 12px">Bonjour,</p>
<p style="margin:0 0 12px">${v.daysLeft < 0 ? html`<strong style="color:#a33">Échéance dépassée.</strong> ` : ""}${v.kindLabel} : <strong>${v.label}</strong>.</p>
<p style="margin:0 0 12px">Date limite : <strong>${v.dueDate}</strong> (${whenFr(v.daysLeft)}). Responsable : ${v.ownerLabel}.</p>
<p style="margin:0 0 12px">Cette alerte sera répétée jusqu'à ce que l'échéance soit marquée comme faite (commande <code>/echeances</code> ou administration).</p>
${v.adminUrl ? html`<p style="margin:0"><a href="${v.adminUrl}">Voir les échéances</a></p>` : ""}`,
      footer: preferencesFooter(v.preferencesUrl, "parce que vous êtes membre du bureau ou coordinateur·rice de la CPTS (alertes)"),
    }),
  text: (v) =>
    [
      ...(v.wording
        ? [...(v.daysLeft < 0 ? ["ÉCHÉANCE DÉPASSÉE.", ""] : []), fillBody(v.wording.body, alerteEcheanceWordingVars(v))]
        : [
            "Bonjour,",
            "",
            `${v.daysLeft < 0 ? "ÉCHÉANCE DÉPASSÉE. " : ""}${v.kindLabel} : ${v.label}.`,
            `Date limite : ${v.dueDate} (${whenFr(v.daysLeft)}). Responsable : ${v.ownerLabel}.`,
            "",
            "Cette alerte sera répétée jusqu'à ce que l'échéance soit marquée comme faite (commande /echeances ou administration).",
          ]),
      ...(v.adminUrl ? ["", `Voir les échéances : ${v.adminUrl}`] : []),
      ...(v.preferencesUrl ? ["", `Ne plus recevoir les alertes : ${v.preferencesUrl}`] : []),
    ].join("\n"),
});

/** One line for the CPTS's alert channel (chat text, no HTML). */
export function alerteEcheanceChatText(v: { label: string; dueDate: string; daysLeft: number; ownerLabel: string }): string {
  const icon = v.daysLeft < 0 ? "🔴" : v.daysLeft <= 7 ? "🟠" : "🔔";
  return `${icon} ${v.daysLeft < 0 ? "EN RETARD — " : ""}${v.label} : échéance le ${v.dueDate} (${whenFr(v.daysLeft)}). Responsable : ${v.ownerLabel}.`;
}
