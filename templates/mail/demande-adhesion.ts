// Tells the coordination that someone applied to join from the chat (consent recorded).
import { defineMailTemplate, html, z } from "../../src/mail/template.ts";
import { layout } from "./layout.ts";

export const demandeAdhesionTemplate = defineMailTemplate({
  name: "demande-adhesion",
  schema: z.object({
    cptsName: z.string().min(1),
    firstName: z.string().min(1),
    lastName: z.string().min(1),
    profession: z.string().min(1),
    commune: z.string().min(1),
    email: z.string().min(3),
    consentVersion: z.string().min(1),
  }),
  subject: (v) => `${v.cptsName} : nouvelle demande d'adhésion`,
  html: (v) =>
    layout({
      cptsName: v.cptsName,
      title: "Nouvelle demande d'adhésion",
      content: html`<p style="margin:0 0 12px">Nouvelle demande d'adhésion reçue par le chat :</p>
<p style="margin:0 0 12px"><strong>${v.firstName} ${v.lastName}</strong>, ${v.profession}, ${v.commune}, ${v.email}.</p>
<p style="margin:0 0 12px">Consentement RGPD recueilli (${v.consentVersion}).</p>
<p style="margin:0">Validez-la dans l'administration.</p>`,
    }),
  text: (v) =>
    [
      "Nouvelle demande d'adhésion reçue par le chat :",
      `${v.firstName} ${v.lastName}, ${v.profession}, ${v.commune}, ${v.email}.`,
      `Consentement RGPD recueilli (${v.consentVersion}). Validez-la dans l'administration.`,
    ].join("\n"),
});
