/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Admin page « Paiements à vérifier »: HelloAsso payments whose payer matched no member (or
// several). The treasurer attaches each to the right member: same outcome as an automatic match
// (dues recorded once, pending reminders cancelled, treasurer notice in chat).
import type { AdminApp, AdminDeps } from "../admin/app.tsx";
import { Csrf, Empty } from "../admin/ui.tsx";
import { redirectWith } from "../admin/flash.ts";
import { UserError } from "../app/errors.ts";
import { formatDateFr } from "../rules/dates.ts";
import { formatEuros } from "../rules/money.ts";
import { listPendingPayments, resolvePendingPayment, REVIEW_PATH } from "./service.ts";
import { HelloAssoRepository } from "./repo.ts";

export function pendingPaymentRoutes(app: AdminApp, deps: AdminDeps): void {
  app.get("/paiements-a-verifier", async (c) => {
    const user = c.get("user");
    const pending = await listPendingPayments(deps.ctx, user.cptsId);
    const members = pending.length ? await new HelloAssoRepository(deps.ctx.db).memberChoices(user.cptsId) : [];
    return deps.page(
      c,
      "Paiements HelloAsso à vérifier",
      REVIEW_PATH,
      <section class="card">
        <p class="muted">
          Paiements reçus de HelloAsso dont le payeur ne correspond à aucun adhérent, ou à plusieurs. Indiquez l'adresse e-mail de l'adhérent concerné : la
          cotisation est enregistrée, ses relances en attente sont annulées et la trésorerie est prévenue dans le chat.
        </p>
        {pending.length ? (
          <div class="table-wrap">
            <datalist id="adherents">
              {members.map((m) => (
                <option value={m.email ?? ""}>{[m.firstName, m.lastName].filter(Boolean).join(" ") || m.organization || ""}</option>
              ))}
            </datalist>
            <table class="cards">
              <thead><tr><th>Payeur</th><th>Montant</th><th>Date</th><th>Motif</th><th>Rattacher à</th></tr></thead>
              <tbody>
                {pending.map((p) => (
                  <tr>
                    <td data-label="Payeur">{p.payerName ?? "—"}<br /><span class="muted">{p.payerEmail}</span></td>
                    <td data-label="Montant">{formatEuros(p.amountCents)}</td>
                    <td data-label="Date">{formatDateFr(p.paidOn)}</td>
                    <td data-label="Motif">{p.reason}</td>
                    <td data-label="Rattacher à">
                      <form method="post" action={`${REVIEW_PATH}/${p.id}`}>
                        <Csrf token={c.get("csrf")} />
                        <label for={`m-${p.id}`}>E-mail de l'adhérent</label>
                        <input id={`m-${p.id}`} name="email" type="email" list="adherents" required />
                        <button type="submit">Rattacher</button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty>Aucun paiement à vérifier.</Empty>
        )}
      </section>,
    );
  });

  app.post("/paiements-a-verifier/:id", async (c) => {
    const user = c.get("user");
    const email = String(c.get("form").email ?? "").trim().toLowerCase();
    const member = email ? await new HelloAssoRepository(deps.ctx.db).memberByEmail(user.cptsId, email) : null;
    if (!member) return redirectWith(c, REVIEW_PATH, "bad", `Aucun adhérent de votre CPTS n'a l'adresse « ${email} » : rien n'a été enregistré.`);
    try {
      const r = await resolvePendingPayment(deps.ctx, user.cptsId, c.req.param("id"), member.id, deps.actor(c));
      return redirectWith(c, REVIEW_PATH, "ok", `Paiement rattaché à ${r.memberName} : cotisation enregistrée.`);
    } catch (e) {
      if (e instanceof UserError) return redirectWith(c, REVIEW_PATH, "bad", e.message);
      throw e;
    }
  });
}
