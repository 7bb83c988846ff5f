// The one HTML frame of every coordo mail: CPTS name on top, content, footer with the preferences link.
import { html, type SafeHtml } from "../../src/mail/template.ts";

export function layout(p: { cptsName: string; title: string; content: SafeHtml; footer?: SafeHtml | string }): SafeHtml {
  return html`<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${p.title}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:Arial,Helvetica,sans-serif;color:#1d2733">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:600px;background:#ffffff;border-radius:6px">
<tr><td style="padding:16px 24px;background:#0b5c8c;color:#ffffff;font-size:18px;font-weight:bold;border-radius:6px 6px 0 0">${p.cptsName}</td></tr>
<tr><td style="padding:24px;font-size:15px;line-height:1.5">${p.content}</td></tr>
<tr><td style="padding:12px 24px 20px;font-size:12px;color:#5b6675;border-top:1px solid #e3e6ea">${p.footer ?? ""}</td></tr>
</table></td></tr></table>
</body>
</html>`;
}

export function preferencesFooter(url: string | undefined, what: string): SafeHtml {
  if (!url) return html`Message envoyé par coordo, l'assistant de votre CPTS.`;
  return html`Vous recevez ce message ${what}. <a href="${url}" style="color:#5b6675">Ne plus recevoir ces messages</a>.`;
}
