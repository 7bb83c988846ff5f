// The one-time code that links a chat account to a member (asked with /adhesion lier).
import { defineMailTemplate, html, z } from "../../src/mail/template.ts";
import { layout } from "./layout.ts";

export const codeLiaisonTemplate = defineMailTemplate({
  name: "code-liaison",
  schema: z.object({
    cptsName: z.string().min(1),
    memberName: z.string().min(1),
    code: z.string().regex(/^\d{6}$/),
    minutes: z.number().int().min(1),
  }),
  subject: (v) => `${v.cptsName} : votre code de connexion au chat`,
  html: (v) =>
    layout({
      cptsName: v.cptsName,
      title: "Votre code de connexion au chat",
      content: html`<p style="margin:0 0 12px">Bonjour ${v.memberName},</p>
<p style="margin:0 0 12px">Votre code pour relier votre compte de discussion à la ${v.cptsName} :</p>
<p style="margin:0 0 12px;font-size:24px;letter-spacing:4px"><strong>${v.code}</strong></p>
<p style="margin:0 0 12px">Tapez <code>/adhesion code=${v.code}</code> dans la discussion. Ce code est valable ${v.minutes} minutes.</p>
<p style="margin:0">Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien ne sera relié.</p>`,
    }),
  text: (v) =>
    [
      `Bonjour ${v.memberName},`,
      "",
      `Votre code pour relier votre compte de discussion à la ${v.cptsName} : ${v.code}`,
      `Tapez /adhesion code=${v.code} dans la discussion. Ce code est valable ${v.minutes} minutes.`,
      "",
      "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : rien ne sera relié.",
    ].join("\n"),
});
