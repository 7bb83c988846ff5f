// Newsletter layout: the coordinator's text (paragraphs), escaped, with the one-click unsubscribe link.
import { defineMailTemplate, html, paragraphs, z } from "../../src/mail/template.ts";
import { layout, preferencesFooter } from "./layout.ts";

export const newsletterTemplate = defineMailTemplate({
  name: "newsletter",
  schema: z.object({
    cptsName: z.string().min(1),
    subject: z.string().min(1).max(200),
    body: z.string().min(1),
    unsubscribeUrl: z.url().optional(),
    test: z.boolean().default(false),
  }),
  subject: (v) => (v.test ? `[TEST] ${v.subject}` : v.subject),
  html: (v) =>
    layout({
      cptsName: v.cptsName,
      title: v.subject,
      content: html`${v.test ? html`<p style="margin:0 0 12px;color:#a33">Envoi de test : ce message n'a été envoyé qu'à vous.</p>` : ""}<h1 style="font-size:20px;margin:0 0 16px">${v.subject}</h1>${paragraphs(v.body)}`,
      footer: preferencesFooter(v.unsubscribeUrl, "parce que vous êtes inscrit·e à la lettre d'information de la CPTS"),
    }),
  text: (v) =>
    [
      ...(v.test ? ["[Envoi de test]", ""] : []),
      v.subject,
      "",
      v.body.replace(/\r\n/g, "\n").trim(),
      "",
      "—",
      v.cptsName,
      ...(v.unsubscribeUrl ? [`Se désabonner de la lettre d'information : ${v.unsubscribeUrl}`] : []),
    ].join("\n"),
});
