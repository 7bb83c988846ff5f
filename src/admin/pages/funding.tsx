/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Financement: the 5-year ACI entitlement and the payment calendar, as tables and SVG charts,
// computed by the rules from the contract in the database (loadRulesInputs).
import type { AdminApp, AdminDeps } from "../app.tsx";
import { loadRulesInputs } from "../../db/repos/cpts-rules-repo.ts";
import { entitlement, paymentCalendar, formatDateFr, formatEuros, LINE_LABELS, PAYMENT_STATUS_LABELS, yearOf, type FundingLineId, type PaymentStatus } from "../../rules/index.ts";
import { moneyView, recordReceipt, removeReceipt } from "../../app/services/facts.ts";
import { UserError } from "../../app/errors.ts";
import { requireRole } from "../auth.ts";
import { redirectWith } from "../flash.ts";
import { formList, parseEurosToCents } from "../forms.ts";
import { ColumnChart } from "../charts.tsx";
import { Badge, Csrf, Empty } from "../ui.tsx";
import { tariffLabel } from "../../app/labels.ts";

const STATUS_BADGE: Record<PaymentStatus, "ok" | "warn" | "bad" | undefined> = { recu: "ok", partiel: "warn", attendu: undefined, en_retard: "bad", potentiel: undefined };

const shortEuros = (cents: number) => `${Math.round(cents / 100_000).toLocaleString("fr-FR")} k€`;

export function fundingRoutes(app: AdminApp, deps: AdminDeps): void {
  app.get("/financement", async (c) => {
    const inputs = await loadRulesInputs(deps.ctx.db, c.get("user").cptsId);
    if (!inputs?.funding) {
      return deps.page(c, "Financement", "/admin/financement", <section class="card"><Empty>Aucun ACI signé : le financement se calcule à partir du contrat. Saisissez la date de signature dans la page CPTS.</Empty></section>);
    }
    const today = deps.ctx.clock.today();
    const ent = entitlement(inputs.funding, inputs.settings);
    const calendar = paymentCalendar(inputs.funding, inputs.settings);
    const money = moneyView(inputs, today, 1000)!;
    const csrf = c.get("csrf");
    const canRecord = ["COORDONNATEUR", "BUREAU"].includes(c.get("user").role);
    const lines = [...new Set(ent.annees.flatMap((y) => y.lignes.map((l) => l.mission)))] as FundingLineId[];
    const lineTotal = (annee: (typeof ent.annees)[number], mission: FundingLineId, part?: "fixe" | "variable") =>
      annee.lignes.filter((l) => l.mission === mission && (!part || l.part === part)).reduce((s, l) => s + l.montant_cents, 0);
    const calYears = [...new Set(calendar.map((p) => yearOf(p.date)))].sort();
    const byCalYear = (y: number, variable: boolean) => calendar.filter((p) => yearOf(p.date) === y && (p.nature === "variable") === variable).reduce((s, p) => s + p.montant_cents, 0);
    return deps.page(
      c,
      "Financement",
      "/admin/financement",
      <>
        <section class="card">
          <p>
            ACI signé le {formatDateFr(inputs.funding.signatureDate)} · taille {ent.taille} · barème {tariffLabel(ent.table)} · budget prévisionnel (parts fixes) sur 5 ans : <strong>{formatEuros(ent.budget_cents)}</strong> · maximum avec parts variables : {formatEuros(ent.total_cents)}
          </p>
          <div class="chart wide" id="chart-financement">
            <ColumnChart
              title="Droits par année de contrat"
              categories={ent.annees.map((a) => `Année ${a.annee}`)}
              series={[
                { name: "Parts fixes (budget)", color: "#1f6f5c", values: ent.annees.map((a) => a.budget_cents) },
                { name: "Parts variables (potentiel)", color: "#9fd3c2", values: ent.annees.map((a) => a.total_cents - a.budget_cents) },
              ]}
              format={shortEuros}
            />
          </div>
        </section>
        <section class="card" id="recu-attendu">
          <h2>Reçu, attendu, en retard{money.year !== null ? ` — année ${money.year} de contrat` : ""}</h2>
          {money.ofYear ? (
            <p>
              Reçu : <strong>{formatEuros(money.ofYear.recu_cents)}</strong> · attendu : <strong>{formatEuros(money.ofYear.attendu_cents)}</strong> · en retard :{" "}
              <strong>{formatEuros(money.ofYear.en_retard_cents)}</strong> · parts variables (potentiel, selon les indicateurs, non dues) : {formatEuros(money.ofYear.potentiel_cents)}
            </p>
          ) : <p class="muted">Le contrat n'est pas en cours aujourd'hui.</p>}
          <p class="muted">
            Sur tout le contrat : reçu {formatEuros(money.all.recu_cents)}, attendu {formatEuros(money.all.attendu_cents)}, en retard {formatEuros(money.all.en_retard_cents)}, potentiel {formatEuros(money.all.potentiel_cents)}.
            {money.non_rapproche_cents > 0 ? ` Non rapproché du calendrier : ${formatEuros(money.non_rapproche_cents)}.` : ""} « Reçu » ne compte que les versements enregistrés ci-dessous, jamais le calendrier.
          </p>
        </section>
        <section class="card" id="seuil-cac">
          <h2>Seuil du commissaire aux comptes ({money.publicFunding.year})</h2>
          <p>
            Financements publics attendus en {money.publicFunding.year} : <strong>{formatEuros(money.publicFunding.totalCents)}</strong> ({money.publicFunding.basis})
            {money.publicFunding.potentielCents > 0 ? `, plus ${formatEuros(money.publicFunding.potentielCents)} de parts variables potentielles non comptées` : ""}.
          </p>
          {money.publicFunding.alert ? (
            <p class="flash bad" role="alert">{money.publicFunding.alert.label}</p>
          ) : (
            <p class="muted">Au-dessous du seuil de {formatEuros(inputs.settings.thresholds.auditorCents)} (« à partir d'un montant supérieur à 153 000 € », guide régional ; base : ACI attendu de l'année civile + aides FIR et mission précoce saisies).</p>
          )}
        </section>
        <section class="card">
          <h2>Droits sur 5 ans par ligne</h2>
          <div class="table-wrap" role="region" tabindex={0} aria-label="Droits sur 5 ans par ligne">
            <table id="droits">
              <thead>
                <tr><th>Ligne</th>{ent.annees.map((a) => <th class="num">Année {a.annee}<br /><span class="muted">{formatDateFr(a.debut)}</span></th>)}</tr>
              </thead>
              <tbody>
                {lines.map((m) => (
                  <tr>
                    <td>{LINE_LABELS[m]}</td>
                    {ent.annees.map((a) => {
                      const fixe = lineTotal(a, m, "fixe");
                      const variable = lineTotal(a, m, "variable");
                      return <td class="num">{formatEuros(fixe)}{variable ? <><br /><span class="muted">+ {formatEuros(variable)} var.</span></> : null}</td>;
                    })}
                  </tr>
                ))}
                <tr><th>Budget (parts fixes)</th>{ent.annees.map((a) => <th class="num">{formatEuros(a.budget_cents)}</th>)}</tr>
                <tr><th>Total avec parts variables</th>{ent.annees.map((a) => <th class="num">{formatEuros(a.total_cents)}</th>)}</tr>
              </tbody>
            </table>
          </div>
          <p class="muted">Les parts variables dépendent de l'atteinte des indicateurs : elles ne sont jamais comptées dans le budget prévisionnel.</p>
        </section>
        <section class="card">
          <h2>Calendrier des versements</h2>
          <div class="chart wide">
            <ColumnChart
              title="Versements attendus par année civile"
              categories={calYears.map(String)}
              series={[
                { name: "Avances, soldes, intégral", color: "#1f6f5c", values: calYears.map((y) => byCalYear(y, false)) },
                { name: "Parts variables", color: "#9fd3c2", values: calYears.map((y) => byCalYear(y, true)) },
              ]}
              format={shortEuros}
            />
          </div>
          <div class="table-wrap" role="region" tabindex={0} aria-label="Calendrier des versements">
            <table class="cards" id="calendrier">
              <thead><tr><th>Date prévue</th><th>Versement</th><th class="num">Montant prévu</th><th class="num">Reçu</th><th>État</th></tr></thead>
              <tbody>
                {money.payments.map((p) => (
                  <tr id={`v-${p.key.replace(/[^a-z0-9]/gi, "-")}`}>
                    <td data-label="Date prévue">{formatDateFr(p.date)}</td>
                    <td data-label="Versement">{p.label}</td>
                    <td data-label="Montant prévu" class="num">{formatEuros(p.montant_cents)}</td>
                    <td data-label="Reçu" class="num">{p.recu_cents ? `${formatEuros(p.recu_cents)} (${p.recu_le.map(formatDateFr).join(", ")})` : "—"}</td>
                    <td data-label="État"><Badge kind={STATUS_BADGE[p.status]}>{PAYMENT_STATUS_LABELS[p.status]}</Badge></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p class="muted">
            Première année : décalage entre le versement du fonctionnement (à la signature) et celui des missions (à leur démarrage) ; chaque ligne a sa date. Les versements après un dialogue de gestion sont datés au dernier jour du délai de {inputs.settings.paymentDelayMonths} mois.
          </p>
        </section>
        <section class="card" id="versements-recus">
          <h2>Versements reçus de la CPAM</h2>
          {inputs.facts.receipts.length ? (
            <div class="table-wrap" role="region" tabindex={0} aria-label="Versements reçus de la CPAM">
              <table id="recus">
                <thead><tr><th>Reçu le</th><th class="num">Montant</th><th>Lignes</th><th>Note</th><th></th></tr></thead>
                <tbody>
                  {inputs.facts.receipts.map((r) => (
                    <tr>
                      <td>{formatDateFr(r.receivedOn)}</td>
                      <td class="num">{formatEuros(r.amountCents)}</td>
                      <td>{r.lines ? r.lines.split(",").map((k) => money.payments.find((p) => p.key === k)?.label ?? k).join(" ; ") : "les plus anciennes lignes dues d'abord"}</td>
                      <td>{r.note ?? ""}</td>
                      <td>
                        {canRecord ? (
                          <form method="post" action="/admin/financement/versements/supprimer">
                            <Csrf token={csrf} />
                            <input type="hidden" name="id" value={r.id} />
                            <button type="submit" class="secondary" data-confirm="Supprimer ce versement reçu ?">Supprimer</button>
                          </form>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : <Empty>Aucun versement enregistré : rien n'est compté comme reçu.</Empty>}
          {canRecord ? (
            <form method="post" action="/admin/financement/versements" class="stack" id="form-versement">
              <Csrf token={csrf} />
              <h3>Enregistrer un versement reçu</h3>
              <div><label for="f-date">Date de réception (relevé bancaire)</label><input id="f-date" name="date" type="date" required value={today} /></div>
              <div><label for="f-montant">Montant reçu (€)</label><input id="f-montant" name="montant" type="text" inputmode="decimal" required placeholder="45 000,00" /></div>
              <fieldset>
                <legend>Lignes payées (facultatif : sans choix, les plus anciennes lignes dues d'abord)</legend>
                {money.payments.filter((p) => p.reste_cents > 0).slice(0, 40).map((p) => (
                  <label class="check"><input type="checkbox" name="lignes" value={p.key} /> {formatDateFr(p.date)} — {p.label} ({formatEuros(p.reste_cents)} restant)</label>
                ))}
                {money.payments.filter((p) => p.reste_cents > 0).length > 40 ? <p class="muted">Les 40 premières lignes non soldées sont proposées ; un versement sans ligne cochée paie les plus anciennes d'abord.</p> : null}
              </fieldset>
              <div><label for="f-note">Note (facultatif)</label><input id="f-note" name="note" type="text" maxlength={200} /></div>
              <button type="submit">Enregistrer le versement</button>
            </form>
          ) : null}
        </section>
      </>,
    );
  });

  app.post("/financement/versements", requireRole("COORDONNATEUR", "BUREAU"), async (c) => {
    const form = c.get("form");
    const raw = typeof form.montant === "string" ? form.montant : "";
    const amountCents = parseEurosToCents(raw);
    try {
      if (amountCents === null) throw new UserError(`Montant invalide : « ${raw.slice(0, 40)} » (par exemple 45 000,00).`, "montant");
      const r = await recordReceipt(deps.ctx, c.get("user").cptsId, { date: form.date, amountCents, lines: formList(form, "lignes"), note: typeof form.note === "string" ? form.note : null }, deps.actor(c));
      return redirectWith(c, "/admin/financement#versements-recus", "ok", `${r.label} : enregistré et rapproché du calendrier.`);
    } catch (e) {
      if (e instanceof UserError) return redirectWith(c, "/admin/financement#versements-recus", "bad", `Rien n'a été enregistré. ${e.message}`);
      throw e;
    }
  });

  app.post("/financement/versements/supprimer", requireRole("COORDONNATEUR", "BUREAU"), async (c) => {
    const id = c.get("form").id;
    try {
      await removeReceipt(deps.ctx, c.get("user").cptsId, typeof id === "string" ? id : "", deps.actor(c));
      return redirectWith(c, "/admin/financement#versements-recus", "ok", "Versement supprimé.");
    } catch (e) {
      if (e instanceof UserError) return redirectWith(c, "/admin/financement#versements-recus", "bad", e.message);
      throw e;
    }
  });
}
