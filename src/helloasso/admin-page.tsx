/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Admin page « Paiements à vérifier »: HelloAsso payments not counted until a person checks them
// (payer unknown, matched by name only or ambiguous, amount 0 € or fitting no due, impossible date,
// unknown formula). The treasurer accepts each for the right member (same outcome as an automatic
// match) or rejects it (closed, not counted, audited).
import type { AdminApp, AdminDeps } from "../admin/app.tsx";
import { Csrf, Empty, Pager, PAGE_SIZE } from "../admin/ui.tsx";
import { listPage, listParams, listQuery, Notices, RangeCount, SortHeader } from "../admin/list.tsx";
import { redirectWith } from "../admin/flash.ts";
import { UserError } from "../app/errors.ts";
import { formatEuros } from "../rules/money.ts";
import { listPendingPayments, rejectPendingPayment, resolvePendingPayment, REVIEW_PATH } from "./service.ts";
import { HelloAssoRepository } from "./repo.ts";

/** Above this many members with an e-mail, the treasurer types the address instead of picking it. */
const MAX_PICKER = 500;

export function pendingPaymentRoutes(app: AdminApp, deps: AdminDeps): void {
  app.get("/paiements-a-verifier", async (c) => {
    const user = c.get("user");
    const repo = new HelloAssoRepository(deps.ctx.db);
    const notices: string[] = [];
    const rawQ = (c.req.query("q") ?? "").trim();
    if (rawQ.length > 100) notices.push("Recherche trop longue : 100 caractères au plus, le début est utilisé.");
    const q = rawQ.slice(0, 100);
    const lp = listParams(c, { anciens: "Date de réception" });
    const qs = listQuery({ q, sens: lp.desc ? "desc" : undefined });
    const total = await repo.countPending(user.cptsId, q);
    const pg = listPage(lp, total);
    const pending = await listPendingPayments(deps.ctx, user.cptsId, { skip: pg.skip, take: PAGE_SIZE, q, desc: lp.desc });
    // a picker of every member is a page of megabytes at national scale: above a few hundred, the e-mail is typed
    const members = pending.length && (await repo.memberChoicesAtMost(user.cptsId, MAX_PICKER)) ? await repo.memberChoices(user.cptsId) : [];
    return deps.page(
      c,
      "Paiements HelloAsso à vérifier",
      REVIEW_PATH,
      <section class="card">
        <p class="muted">
          Paiements reçus de HelloAsso qui ne sont pas comptés tant qu'une personne ne les a pas vérifiés : payeur inconnu, reconnu par son nom seulement ou
          ambigu, montant de 0 € ou hors de toute cotisation, date impossible, formule inconnue. Accepter enregistre la cotisation de l'adhérent choisi
          (ses relances sont arrêtées s'il est à jour, la trésorerie est prévenue dans le chat) ; rejeter clôt le paiement sans le compter.
        </p>
        <form class="inline" method="get" action={REVIEW_PATH} role="search" aria-label="Rechercher un paiement à vérifier">
          <label>Payeur<input type="search" name="q" value={q} placeholder="nom, e-mail…" /></label>
          {lp.desc ? <input type="hidden" name="sens" value="desc" /> : null}
          <button type="submit">Rechercher</button>
        </form>
        <Notices notices={[...notices, ...lp.notices]} />
        {total ? <RangeCount id="pending-count" skip={pg.skip} shown={pending.length} total={total} noun={total > 1 ? "paiements à vérifier" : "paiement à vérifier"} /> : null}
        <Pager base={REVIEW_PATH} query={qs} page={pg.page} pages={pg.pages} />
        {pending.length ? (
          <div class="table-wrap" role="region" tabindex={0} aria-label="Paiements à vérifier">
            <datalist id="adherents">
              {members.map((m) => (
                <option value={m.email ?? ""}>{[m.firstName, m.lastName].filter(Boolean).join(" ") || m.organization || ""}</option>
              ))}
            </datalist>
            <table class="cards" id="paiements-a-verifier">
              <thead><tr><th>Payeur</th><th>Montant</th><SortHeader base={REVIEW_PATH} query={listQuery({ q })} sort="anciens" label="Date" current={lp} /><th>Motif</th><th>Accepter</th><th>Rejeter</th></tr></thead>
              <tbody>
                {pending.map((p) => (
                  <tr>
                    <td data-label="Payeur">{p.payerName ?? "—"}<br /><span class="muted">{p.payerEmail}</span></td>
                    <td data-label="Montant">{formatEuros(p.amountCents)}</td>
                    <td data-label="Date">{p.paidOnFr}</td>
                    <td data-label="Motif">{p.reason}</td>
                    <td data-label="Accepter">
                      {p.acceptable ? (
                        <form method="post" action={`${REVIEW_PATH}/${p.id}`}>
                          <Csrf token={c.get("csrf")} />
                          {p.proposed ? <p class="muted">{p.proposed.byName ? "Proposé (même nom)" : "Adhérent"} : {p.proposed.name}</p> : null}
                          <label for={`m-${p.id}`}>E-mail de l'adhérent</label>
                          <input id={`m-${p.id}`} name="email" type="email" list="adherents" value={p.proposed?.email ?? ""} required />
                          <button type="submit">Accepter</button>
                        </form>
                      ) : (
                        <span class="muted">Ne peut pas être compté tel quel.</span>
                      )}
                    </td>
                    <td data-label="Rejeter">
                      <form method="post" action={`${REVIEW_PATH}/${p.id}/rejeter`}>
                        <Csrf token={c.get("csrf")} />
                        <label for={`r-${p.id}`}>Motif (facultatif)</label>
                        <input id={`r-${p.id}`} name="motif" type="text" maxlength={300} />
                        <button type="submit" class="secondary" data-confirm="Rejeter ce paiement sans le compter ?">Rejeter</button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty>{q ? "Aucun paiement à vérifier pour cette recherche." : "Aucun paiement à vérifier."}</Empty>
        )}
        <Pager base={REVIEW_PATH} query={qs} page={pg.page} pages={pg.pages} />
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
      return redirectWith(c, REVIEW_PATH, "ok", `Paiement accepté pour ${r.memberName} : cotisation enregistrée.`);
    } catch (e) {
      if (e instanceof UserError) return redirectWith(c, REVIEW_PATH, "bad", e.message);
      throw e;
    }
  });

  app.post("/paiements-a-verifier/:id/rejeter", async (c) => {
    const user = c.get("user");
    try {
      await rejectPendingPayment(deps.ctx, user.cptsId, c.req.param("id"), deps.actor(c), String(c.get("form").motif ?? ""));
      return redirectWith(c, REVIEW_PATH, "ok", "Paiement rejeté : il n'est pas compté.");
    } catch (e) {
      if (e instanceof UserError) return redirectWith(c, REVIEW_PATH, "bad", e.message);
      throw e;
    }
  });
}
