/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Tableau de bord: dues of the year (rate + chart by profession), next deadlines, next expected
// ACI payments, outbox state, last job runs.
import type { AdminApp, AdminDeps } from "../app.tsx";
import { duesSummary } from "../../app/services/members.ts";
import { ActivityRepository } from "../../db/repos/admin-repo.ts";
import { loadRulesInputs } from "../../db/repos/cpts-rules-repo.ts";
import { deadlines, formatDateFr, formatEuros, PAYMENT_STATUS_LABELS } from "../../rules/index.ts";
import { moneyView } from "../../app/services/facts.ts";
import { HBarChart } from "../charts.tsx";
import { Badge, Empty } from "../ui.tsx";
import { jobLabel } from "../../app/labels.ts";
import { DEADLINE_STATE_LABELS, deadlineBadge, OUTBOX_STATE_LABELS, JOB_STATE_LABELS, formatRunDuration } from "../labels.ts";

export function dashboardRoutes(app: AdminApp, deps: AdminDeps): void {
  app.get("/", async (c) => {
    const { cptsId } = c.get("user");
    const today = deps.ctx.clock.today();
    const activity = new ActivityRepository(deps.ctx.db);
    const [dues, inputs, outbox, runs] = await Promise.all([
      duesSummary(deps.ctx, cptsId, today),
      loadRulesInputs(deps.ctx.db, cptsId),
      activity.outboxCounts(cptsId),
      activity.jobRuns(8),
    ]);
    const openDeadlines = inputs ? deadlines(inputs.deadlines, today, inputs.settings).filter((d) => d.state !== "fait") : [];
    const nextDeadlines = openDeadlines.slice(0, 6);
    const money = inputs ? moneyView(inputs, today, 6) : null;
    const nextPayments = money?.upcoming.shown ?? [];
    return deps.page(
      c,
      "Tableau de bord",
      "/admin",
      <div class="grid">
        <section class="card" id="cotisations">
          <h2>Cotisations {dues.year}</h2>
          <p>
            <span class="kpi">{dues.ratePercent.toLocaleString("fr-FR")} %</span> <span class="muted">des adhérents à jour ({dues.paid} sur {dues.due})</span>
          </p>
          {dues.partial || dues.balanceCents ? (
            <p id="cotisations-reste">
              {dues.partial ? <>{dues.partial} cotisation(s) partielle(s), non comptée(s) à jour · </> : null}reste à encaisser : <strong>{formatEuros(dues.balanceCents)}</strong>
            </p>
          ) : null}
          <div class="chart" id="chart-cotisations">
            <HBarChart
              title={`Cotisations ${dues.year} payées par profession`}
              bars={dues.byProfession.map((p) => ({ label: p.label, value: p.paid, total: p.due, valueLabel: `${p.paid}/${p.due}` }))}
              headers={["Profession", "À jour", "Attendus"]}
            />
          </div>
          <p class="muted">Barre foncée : à jour ; barre claire : adhérents attendus. <a href="/admin/adherents?cotisation=jamais_paye">Voir les impayés</a></p>
        </section>
        <section class="card">
          <h2>Prochaines échéances</h2>
          {nextDeadlines.length ? (
            <ul class="timeline">
              {nextDeadlines.map((d) => (
                <li class={d.state}>
                  <strong>{formatDateFr(d.dueDate)}</strong> — {d.label} <Badge kind={deadlineBadge(d.state)}>{DEADLINE_STATE_LABELS[d.state]}</Badge>
                </li>
              ))}
            </ul>
          ) : (
            <Empty>Aucune échéance en attente.</Empty>
          )}
          <p>
            {openDeadlines.length > nextDeadlines.length ? `${nextDeadlines.length} premières sur ${openDeadlines.length} en cours. ` : ""}
            <a href="/admin/echeances">Toutes les échéances</a>
          </p>
        </section>
        <section class="card">
          <h2>Versements ACI : reçu, attendu, en retard</h2>
          {money?.ofYear ? (
            <p id="argent-annee">
              Année {money.year} de contrat : reçu <strong>{formatEuros(money.ofYear.recu_cents)}</strong> · attendu {formatEuros(money.ofYear.attendu_cents)} · en retard{" "}
              <strong>{formatEuros(money.ofYear.en_retard_cents)}</strong> · potentiel (parts variables) {formatEuros(money.ofYear.potentiel_cents)}
            </p>
          ) : null}
          {money?.publicFunding.alert ? <p class="flash bad" role="alert">{money.publicFunding.alert.label}</p> : null}
          {money?.late.total ? <p id="versements-en-retard"><Badge kind="bad">en retard</Badge> {money.late.total} versement(s) non reçu(s) après leur date : {formatEuros(money.all.en_retard_cents)}.</p> : null}
          {nextPayments.length ? (
            <div class="table-wrap" role="region" tabindex={0} aria-label="Prochains versements ACI">
              <table id="prochains-versements">
                <thead><tr><th>Versement</th><th class="num">Restant</th></tr></thead>
                <tbody>
                  {nextPayments.map((p) => (
                    <tr>
                      <td><strong>{formatDateFr(p.date)}</strong> <Badge kind={p.status === "en_retard" ? "bad" : undefined}>{PAYMENT_STATUS_LABELS[p.status]}</Badge><br />{p.label}</td>
                      <td class="num">{formatEuros(p.reste_cents)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <Empty>{money ? "Aucun versement attendu." : "Aucun versement attendu (pas d'ACI signé)."}</Empty>
          )}
          <p>
            {money && money.upcoming.total > nextPayments.length ? `${nextPayments.length} premiers sur ${money.upcoming.total}. ` : ""}
            <a href="/admin/financement">Financement détaillé et versements reçus</a>
          </p>
        </section>
        <section class="card">
          <h2>Envois</h2>
          <div class="table-wrap" role="region" tabindex={0} aria-label="Envois">
            <table>
              <tbody>
                {Object.entries(OUTBOX_STATE_LABELS).map(([k, label]) => (
                  <tr><td><a href={`/admin/envois?etat=${k}`}>{label}</a></td><td class="num">{outbox[k] ?? 0}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        <section class="card">
          <h2>Dernières tâches planifiées</h2>
          {runs.length ? (
            <div class="table-wrap" role="region" tabindex={0} aria-label="Dernières tâches planifiées">
              <table>
                <thead><tr><th>Tâche</th><th>Début</th><th>Durée</th><th>État</th></tr></thead>
                <tbody>
                  {runs.map((r) => (
                    <tr>
                      <td>{jobLabel(r.jobId)}{r.dryRun ? " (essai)" : ""}</td>
                      <td>{r.startedAt.toLocaleString("fr-FR", { timeZone: "Europe/Paris" })}</td>
                      <td>{formatRunDuration(r.startedAt, r.finishedAt)}</td>
                      <td><Badge kind={r.state === "ECHEC" ? "bad" : r.state === "TERMINE" ? "ok" : "warn"}>{JOB_STATE_LABELS[r.state]}</Badge></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <Empty>Aucune tâche exécutée pour l'instant.</Empty>
          )}
        </section>
      </div>,
    );
  });
}
