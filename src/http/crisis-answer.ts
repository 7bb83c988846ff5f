// The one-click answer links of the crisis alert mail, for a phone without any login:
// GET /crise/reponse/<token>?dispo=oui|non shows a confirmation page (mail scanners that prefetch
// links record nothing); POST records the answer (idempotent: pressing again changes nothing).
// The token is random (≥ 128 bits), one per member and mail, stored hashed; it stops working
// when the activation is closed.
import type { Hono } from "hono";
import type { AppContext } from "../app/context.ts";
import { html } from "../mail/template.ts";
import { UserError } from "../app/errors.ts";
import { answerByToken, answerTokenView, type TokenAnswerView } from "../app/services/crisis-activation.ts";

function page(title: string, body: ReturnType<typeof html>, exercise: boolean) {
  return String(html`<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title>
<style>body{font-family:Arial,Helvetica,sans-serif;max-width:560px;margin:24px auto;padding:0 16px;color:#1d2733;font-size:17px;line-height:1.5}button{width:100%;border:0;padding:16px;border-radius:6px;font-size:18px;font-weight:bold;color:#fff;cursor:pointer;margin:8px 0}.oui{background:#1e7b34}.non{background:#5b6675}.ex{padding:8px 12px;background:#fff4d6;border:1px solid #e0b000;font-weight:bold}</style></head>
<body>${exercise ? html`<p class="ex">EXERCICE : aucune crise réelle n'est en cours.</p>` : ""}<h1 style="font-size:22px">${title}</h1>${body}</body></html>`);
}

const choice = (raw: string | undefined): boolean | null => (raw === "oui" ? true : raw === "non" ? false : null);
const label = (available: boolean) => (available ? "Je suis disponible" : "Je ne suis pas disponible");
const headers = { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex" };

const invalid = () => page("Lien invalide", html`<p>Ce lien de réponse n'est pas valable. Répondez dans le chat de votre CPTS (<code>/plan-crise disponible</code>) ou en répondant au mail d'alerte.</p>`, false);
const closed = (v: TokenAnswerView) => page("Activation terminée", html`<p>L'activation du plan de crise de la ${v.cptsName} (${v.situationLabel}) est close : merci, plus besoin de répondre.</p>`, v.exercise);

export function mountCrisisAnswer(app: Hono, ctx: AppContext): void {
  app.get("/crise/reponse/:token", async (c) => {
    const available = choice(c.req.query("dispo"));
    const v = await answerTokenView(ctx, c.req.param("token"));
    if (!v || available === null) return c.html(invalid(), 404, headers);
    if (v.closedOn) return c.html(closed(v), 410, headers);
    const already = v.current === available ? html`<p>Votre réponse « ${label(available)} » est déjà enregistrée.</p>` : "";
    return c.html(
      page(
        `${v.cptsName} — plan de crise`,
        html`<p>Bonjour ${v.memberName}. ${v.exercise ? "EXERCICE — " : ""}Activation du plan de crise : ${v.situationLabel}.</p>${already}
<form method="post" action="?dispo=${available ? "oui" : "non"}"><button type="submit" class="${available ? "oui" : "non"}">Confirmer : ${label(available)}</button></form>
<form method="post" action="?dispo=${available ? "non" : "oui"}"><button type="submit" class="${available ? "non" : "oui"}" style="opacity:.75">Non, en fait : ${label(!available)}</button></form>`,
        v.exercise,
      ),
      200,
      headers,
    );
  });

  app.post("/crise/reponse/:token", async (c) => {
    const available = choice(c.req.query("dispo"));
    if (available === null) return c.html(invalid(), 404, headers);
    let v: TokenAnswerView | null;
    try {
      v = await answerByToken(ctx, c.req.param("token"), available);
    } catch (e) {
      // e.g. the member was archived or erased since the alert: a French page, never a stack trace.
      if (!(e instanceof UserError)) throw e;
      return c.html(page("Réponse impossible", html`<p>${e.message}</p>`, false), 409, headers);
    }
    if (!v) return c.html(invalid(), 404, headers);
    if (v.closedOn) return c.html(closed(v), 410, headers);
    return c.html(
      page(
        "Réponse enregistrée",
        html`<p>Merci ${v.memberName} : la coordination de la ${v.cptsName} vous sait <strong>${available ? "disponible" : "indisponible"}</strong>${v.exercise ? " (EXERCICE)" : ""}.</p><p>Vous pouvez changer d'avis avec l'autre lien du mail, tant que l'activation est en cours.</p>`,
        v.exercise,
      ),
      200,
      headers,
    );
  });
}
