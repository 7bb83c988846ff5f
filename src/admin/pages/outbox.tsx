/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Envois: scheduled newsletters, the outbox filtered by state, and the last job runs.
import type { AdminApp, AdminDeps } from "../app.tsx";
import { ActivityRepository } from "../../db/repos/admin-repo.ts";
import { Badge, Empty } from "../ui.tsx";
import { JOB_STATE_LABELS, OUTBOX_STATE_LABELS, formatRunDuration } from "../labels.ts";
import { formatDateTimeFr } from "../../rules/paris-time.ts";
import { jobLabel, slotLabel } from "../../app/labels.ts";

const KIND_LABELS: Record<string, string> = { relance: "Relance de cotisation", newsletter: "Newsletter", newsletter_test: "Newsletter (test)", alerte: "Alerte d'échéance", plan_crise: "Plan de crise", code: "Code de liaison", crise: "Crise", crise_rappel: "Crise (rappel)" };

export function outboxRoutes(app: AdminApp, deps: AdminDeps): void {
  const repo = new ActivityRepository(deps.ctx.db);
  app.get("/envois", async (c) => {
    const { cptsId } = c.get("user");
    const state = Object.keys(OUTBOX_STATE_LABELS).find((s) => s === c.req.query("etat"));
    const [scheduled, counts, rows, runs, perMemberCpts] = await Promise.all([repo.scheduledNewsletters(cptsId), repo.outboxCounts(cptsId), repo.outbox(cptsId, state), repo.jobRuns(20), repo.foreignOutboxCounts(cptsId)]);
    // An inter-CPTS reaches its member CPTS's members: it sees their CPTS and the state, never their address.
    const foreign = await repo.foreignRecipients(cptsId, rows.map((m) => m.memberId));
    const memberCpts = [...new Set(perMemberCpts.map((r) => r.cpts))];
    return deps.page(
      c,
      "Envois",
      "/admin/envois",
      <>
        <section class="card" id="programmes">
          <h2>Envois programmés</h2>
          {scheduled.length ? (
            <ul>
              {scheduled.map((n) => (
                <li><a href={`/admin/newsletters/${n.id}`}>Newsletter « {n.subject} »</a> — {n.scheduledAt ? formatDateTimeFr(n.scheduledAt) : "en cours"}</li>
              ))}
            </ul>
          ) : (
            <Empty>Aucun envoi programmé.</Empty>
          )}
        </section>
        {memberCpts.length ? (
          <section class="card" id="cpts-membres">
            <h2>Envois aux adhérents des CPTS membres</h2>
            <p class="muted">Leurs noms et adresses restent à leur CPTS : seuls les nombres par état sont affichés ici.</p>
            <div class="table-wrap">
              <table class="cards">
                <thead><tr><th>CPTS membre</th>{Object.values(OUTBOX_STATE_LABELS).map((l) => <th class="num">{l}</th>)}</tr></thead>
                <tbody>
                  {memberCpts.map((name) => (
                    <tr>
                      <td data-label="CPTS membre">{name}</td>
                      {Object.entries(OUTBOX_STATE_LABELS).map(([k, l]) => <td data-label={l} class="num">{perMemberCpts.find((r) => r.cpts === name && r.state === k)?.count ?? 0}</td>)}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ) : null}
        <section class="card" id="outbox">
          <h2>File d'envoi</h2>
          <nav class="actions" aria-label="Filtrer par état">
            <a class={`btn ${state ? "secondary" : ""}`} href="/admin/envois">Tous ({Object.values(counts).reduce((a, b) => a + b, 0)})</a>
            {Object.entries(OUTBOX_STATE_LABELS).map(([k, l]) => <a class={`btn ${state === k ? "" : "secondary"}`} href={`/admin/envois?etat=${k}`}>{l} ({counts[k] ?? 0})</a>)}
          </nav>
          {rows.length ? (
            <div class="table-wrap">
              <table class="cards">
                <thead><tr><th>Créé</th><th>Type</th><th>Destinataire</th><th>Objet</th><th>État</th><th>Essais</th></tr></thead>
                <tbody>
                  {rows.map((m) => (
                    <tr>
                      <td data-label="Créé">{formatDateTimeFr(m.createdAt)}</td>
                      <td data-label="Type">{KIND_LABELS[m.kind] ?? m.kind}{m.channel === "CHAT" ? " (chat)" : ""}</td>
                      <td data-label="Destinataire">{m.memberId && foreign.has(m.memberId) ? `adhérent·e de la ${foreign.get(m.memberId)}` : m.recipient}</td>
                      <td data-label="Objet">{m.subject ?? ""}</td>
                      <td data-label="État">
                        <Badge kind={m.state === "ENVOYE" || m.state === "CAPTURE" ? "ok" : m.state === "ECHEC" ? "bad" : m.state === "ANNULE" ? undefined : "warn"}>{OUTBOX_STATE_LABELS[m.state]}</Badge>
                        {m.lastError ? <span class="err">{m.memberId && foreign.has(m.memberId) ? m.lastError.replace(/[^\s<>"']+@[^\s<>"']+/g, "(adresse masquée)") : m.lastError}</span> : null}
                      </td>
                      <td data-label="Essais">{m.attempts}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {rows.length === 200 ? <p class="muted">Les 200 plus récents sont affichés.</p> : null}
            </div>
          ) : (
            <Empty>Aucun message{state ? " dans cet état" : ""}.</Empty>
          )}
        </section>
        <section class="card">
          <h2>Tâches planifiées</h2>
          {runs.length ? (
            <div class="table-wrap">
              <table class="cards">
                <thead><tr><th>Tâche</th><th>Créneau</th><th>Début</th><th>Durée</th><th>État</th></tr></thead>
                <tbody>
                  {runs.map((r) => (
                    <tr>
                      <td data-label="Tâche">{jobLabel(r.jobId)}{r.dryRun ? " (essai)" : ""}</td>
                      <td data-label="Créneau">{slotLabel(r.slot, formatDateTimeFr)}</td>
                      <td data-label="Début">{formatDateTimeFr(r.startedAt)}</td>
                      <td data-label="Durée">{formatRunDuration(r.startedAt, r.finishedAt)}</td>
                      <td data-label="État"><Badge kind={r.state === "ECHEC" ? "bad" : r.state === "TERMINE" ? "ok" : "warn"}>{JOB_STATE_LABELS[r.state]}</Badge></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <Empty>Aucune tâche exécutée.</Empty>
          )}
        </section>
      </>,
    );
  });
}
