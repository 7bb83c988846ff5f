// Tells the coordinator that an address was refused for good (the member is flagged, nothing retried).
import { defineMailTemplate, html, z } from "../../src/mail/template.ts";
import { layout } from "./layout.ts";

export const echecEnvoiTemplate = defineMailTemplate({
  name: "echec-envoi",
  schema: z.object({
    cptsName: z.string().min(1),
    recipient: z.string().min(1),
    memberName: z.string().optional(),
    subject: z.string().optional(),
    error: z.string().min(1),
  }),
  subject: (v) => `Adresse refusée : ${v.recipient}`,
  html: (v) =>
    layout({
      cptsName: v.cptsName,
      title: `Adresse refusée : ${v.recipient}`,
      content: html`<p style="margin:0 0 12px">Bonjour,</p>
<p style="margin:0 0 12px">Le serveur de messagerie a refusé définitivement l'adresse <strong>${v.recipient}</strong>${v.memberName ? html` (${v.memberName})` : ""}${v.subject ? html` pour le message « ${v.subject} »` : ""}.</p>
<p style="margin:0 0 12px">Réponse du serveur : <code>${v.error}</code></p>
<p style="margin:0">L'adresse est marquée invalide : coordo ne lui écrira plus tant qu'elle n'est pas corrigée dans la fiche de l'adhérent.</p>`,
    }),
  text: (v) =>
    [
      "Bonjour,",
      "",
      `Le serveur de messagerie a refusé définitivement l'adresse ${v.recipient}${v.memberName ? ` (${v.memberName})` : ""}${v.subject ? ` pour le message « ${v.subject} »` : ""}.`,
      `Réponse du serveur : ${v.error}`,
      "",
      "L'adresse est marquée invalide : coordo ne lui écrira plus tant qu'elle n'est pas corrigée dans la fiche de l'adhérent.",
    ].join("\n"),
});
