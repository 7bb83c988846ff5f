/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Financement: the 5-year ACI entitlement and the payment calendar, as tables and SVG charts,
// computed by the rules from the contract in the database (loadRulesInputs).
import type { AdminApp, AdminDeps } from "../app.tsx";
import { loadRulesInputs } from "../../db/repos/cpts-rules-repo.ts";
import { entitlement, paymentCalendar, formatDateFr, formatEuros, LINE_LABELS, yearOf, type FundingLineId } from "../../rules/index.ts";
import { ColumnChart } from "../charts.tsx";
import { Badge, Empty } from "../ui.tsx";

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
            ACI signé le {formatDateFr(inputs.funding.signatureDate)} · taille {ent.taille} · barème {ent.table} · budget prévisionnel (parts fixes) sur 5 ans : <strong>{formatEuros(ent.budget_cents)}</strong> · maximum avec parts variables : {formatEuros(ent.total_cents)}
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
        <section class="card">
          <h2>Droits sur 5 ans par ligne</h2>
          <div class="table-wrap">
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
          <div class="table-wrap">
            <table class="cards" id="calendrier">
              <thead><tr><th>Date</th><th>Versement</th><th class="num">Montant</th><th></th></tr></thead>
              <tbody>
                {calendar.map((p) => (
                  <tr>
                    <td data-label="Date">{formatDateFr(p.date)}</td>
                    <td data-label="Versement">{p.label}</td>
                    <td data-label="Montant" class="num">{formatEuros(p.montant_cents)}</td>
                    <td data-label="">{p.date < today ? <Badge>passé</Badge> : <Badge kind="warn">attendu</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      </>,
    );
  });
}
