// Per-type unsubscribe: GET shows a French confirmation page with a button; POST unsubscribes (also the
// RFC 8058 one-click POST a mail client sends with body "List-Unsubscribe=One-Click").
import type { Hono } from "hono";
import type { MailContext } from "./ports.ts";
import { html } from "./template.ts";
import { memberByUnsubscribeToken, setPreference } from "../db/repos/newsletter-repo.ts";
import { writeAudit } from "../db/repos/dues-repo.ts";
import { PREFERENCE_TYPES, type PreferenceType } from "./links.ts";

const FIELD = { newsletter: "prefNewsletter", relances: "prefDuesReminders", alertes: "prefAlerts" } as const;
const FROM: Record<PreferenceType, string> = {
  newsletter: "de la lettre d'information",
  relances: "des relances de cotisation",
  alertes: "des alertes (échéances, plan de crise)",
};
const LABEL: Record<PreferenceType, string> = {
  newsletter: "la lettre d'information",
  relances: "les relances de cotisation",
  alertes: "les alertes (échéances, plan de crise)",
};

function page(title: string, body: ReturnType<typeof html>) {
  return html`<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${title}</title>
<style>body{font-family:Arial,Helvetica,sans-serif;max-width:560px;margin:40px auto;padding:0 16px;color:#1d2733}button{background:#0b5c8c;color:#fff;border:0;padding:10px 16px;border-radius:4px;font-size:15px;cursor:pointer}</style></head>
<body><h1 style="font-size:22px">${title}</h1>${body}</body></html>`;
}

export function mountUnsubscribe(app: Hono, ctx: Pick<MailContext, "db">): void {
  const typeOf = (raw: string | undefined): PreferenceType | null => (PREFERENCE_TYPES as readonly string[]).includes(raw ?? "") ? (raw as PreferenceType) : null;
  const notFound = () => page("Lien invalide", html`<p>Ce lien de désabonnement n'est pas (ou plus) valable. Écrivez à votre CPTS pour modifier vos préférences.</p>`);

  app.get("/desabonnement/:token", async (c) => {
    const type = typeOf(c.req.query("type"));
    const member = await memberByUnsubscribeToken(ctx.db, c.req.param("token"));
    if (!member || !type) return c.html(String(notFound()), 404);
    const subscribed = member[FIELD[type]];
    return c.html(
      String(
        page(
          `Se désabonner ${FROM[type]}`,
          subscribed
            ? html`<p>${member.cpts.name} : vous ne recevrez plus ${LABEL[type]} à l'adresse <strong>${member.email ?? ""}</strong>. Vos autres messages (${PREFERENCE_TYPES.filter((t) => t !== type).map((t) => LABEL[t]).join(", ")}) ne changent pas.</p>
<form method="post"><button type="submit">Confirmer le désabonnement</button></form>`
            : html`<p>Vous êtes déjà désabonné·e ${FROM[type]}.</p>`,
        ),
      ),
    );
  });

  app.post("/desabonnement/:token", async (c) => {
    const type = typeOf(c.req.query("type"));
    const member = await memberByUnsubscribeToken(ctx.db, c.req.param("token"));
    if (!member || !type) return c.html(String(notFound()), 404);
    if (member[FIELD[type]]) {
      await setPreference(ctx.db, member.id, FIELD[type], false);
      const body = await c.req.text().catch(() => "");
      await writeAudit(ctx.db, { cptsId: member.cptsId, actor: `member:${member.id}`, action: "preferences.unsubscribe", target: type, details: { oneClick: body.includes("List-Unsubscribe=One-Click") } });
    }
    return c.html(String(page("Désabonnement enregistré", html`<p>C'est fait : vous ne recevrez plus ${LABEL[type]} de ${member.cpts.name}.</p>`)));
  });
}
