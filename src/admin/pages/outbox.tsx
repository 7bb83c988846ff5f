/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Envois: scheduled newsletters, the outbox filtered by state, and the last job runs.
import type { AdminApp, AdminDeps } from "../app.tsx";
import { ActivityRepository } from "../../db/repos/admin-repo.ts";
import { Badge, Empty, Pager, PAGE_SIZE } from "../ui.tsx";
import { listPage, listParams, listQuery, Notices, RangeCount, SortHeader } from "../list.tsx";
import { outboxPage } from "../../db/repos/member-list-repo.ts";
import { JOB_STATE_LABELS, OUTBOX_STATE_LABELS, formatRunDuration } from "../labels.ts";
import { formatDateTimeFr } from "../../rules/paris-time.ts";
import { jobLabel, recipientLabel, slotLabel } from "../../app/labels.ts";

const KIND_LABELS: Record<string, string> = { relance: "Relance de cotisation", newsletter: "Newsletter", newsletter_test: "Newsletter (test)", alerte: "Alerte d'échéance", plan_crise: "Plan de crise", code: "Code de liaison", crise: "Crise", crise_rappel: "Crise (rappel)", modele_test: "Modèle de message (test)" };

export function outboxRoutes(app: AdminApp, deps: AdminDeps): void {
  const repo = new ActivityRepository(deps.ctx.db);
  app.get("/envois", async (c) => {
    const { cptsId } = c.get("user");
    const notices: string[] = [];
    const rawState = c.req.query("etat");
    const state = Object.keys(OUTBOX_STATE_LABELS).find((s) => s === rawState);
    if (rawState && !state) notices.push("État inconnu : tous les messages sont affichés.");
    const rawKind = c.req.query("type");
    const kind = Object.keys(KIND_LABELS).find((k) => k === rawKind);
    if (rawKind && !kind) notices.push("Type de message inconnu : ce filtre est ignoré.");
    const rawQ = (c.req.query("q") ?? "").trim();
    if (rawQ.length > 100) notices.push("Recherche trop longue : 100 caractères au plus, le début est utilisé.");
    const q = rawQ.slice(0, 100);
    const lp = listParams(c, { recent: "Date" }, true);
    const filters = listQuery({ etat: state, type: kind, q });
    const qs = listQuery({ etat: state, type: kind, q, sens: lp.desc ? undefined : "asc" });
    // The counts per state are shown anyway: without a type or a search, the list's total is one of
    // them (or their sum), and no second COUNT(*) over the CPTS's whole outbox is needed.
    const counts = await repo.outboxCounts(cptsId);
    const knownTotal = kind || q ? undefined : state ? (counts[state] ?? 0) : Object.values(counts).reduce((a, b) => a + b, 0);
    const query = { cptsId, state, kind, q, desc: lp.desc, take: PAGE_SIZE, knownTotal };
    let { total, ids } = await outboxPage(deps.ctx.db, { ...query, skip: listPage(lp, Number.MAX_SAFE_INTEGER).skip });
    const pg = listPage(lp, total);
    if (ids.length === 0 && total > 0) ids = (await outboxPage(deps.ctx.db, { ...query, skip: pg.skip })).ids; // past the end: the last page
    const [scheduled, rows, runs, perMemberCpts] = await Promise.all([repo.scheduledNewsletters(cptsId), repo.outboxByIds(cptsId, ids), repo.jobRuns(20), repo.foreignOutboxCounts(cptsId)]);
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
            <div class="table-wrap" role="region" tabindex={0} aria-label="Envois aux adhérents des CPTS membres">
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
            <a class={`btn ${state ? "secondary" : ""}`} href="/admin/envois" aria-current={state ? undefined : "true"}>Tous ({Object.values(counts).reduce((a, b) => a + b, 0).toLocaleString("fr-FR")})</a>
            {Object.entries(OUTBOX_STATE_LABELS).map(([k, l]) => <a class={`btn ${state === k ? "" : "secondary"}`} href={`/admin/envois?etat=${k}`} aria-current={state === k ? "true" : undefined}>{l} ({(counts[k] ?? 0).toLocaleString("fr-FR")})</a>)}
          </nav>
          <form class="inline" method="get" action="/admin/envois" role="search" aria-label="Rechercher dans les envois">
            {state ? <input type="hidden" name="etat" value={state} /> : null}
            <label>Recherche<input type="search" name="q" value={q} placeholder="destinataire, objet…" /></label>
            <label>Type
              <select name="type"><option value="">Tous</option>{Object.entries(KIND_LABELS).map(([k, l]) => <option value={k} selected={k === kind}>{l}</option>)}</select>
            </label>
            <button type="submit">Filtrer</button>
          </form>
          <Notices notices={[...notices, ...lp.notices]} />
          <RangeCount id="outbox-count" skip={pg.skip} shown={rows.length} total={total} noun={total > 1 ? "messages" : "message"} />
          <Pager base="/admin/envois" query={qs} page={pg.page} pages={pg.pages} />
          {rows.length ? (
            <div class="table-wrap" role="region" tabindex={0} aria-label="File d'envoi">
              <table class="cards">
                <thead><tr><SortHeader base="/admin/envois" query={filters} sort="recent" label="Créé" current={lp} /><th>Type</th><th>Destinataire</th><th>Objet</th><th>État</th><th>Essais</th></tr></thead>
                <tbody>
                  {rows.map((m) => (
                    <tr>
                      <td data-label="Créé">{formatDateTimeFr(m.createdAt)}</td>
                      <td data-label="Type">{KIND_LABELS[m.kind] ?? m.kind}{m.channel === "CHAT" ? " (chat)" : ""}</td>
                      <td data-label="Destinataire">{m.memberId && foreign.has(m.memberId) ? `adhérent·e de la ${foreign.get(m.memberId)}` : recipientLabel(m.recipient, m.channel)}</td>
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
              <Pager base="/admin/envois" query={qs} page={pg.page} pages={pg.pages} />
            </div>
          ) : (
            <Empty>Aucun message{state || kind || q ? " pour ces critères" : ""}.</Empty>
          )}
        </section>
        <section class="card">
          <h2>Tâches planifiées</h2>
          {runs.length ? (
            <div class="table-wrap" role="region" tabindex={0} aria-label="Tâches planifiées">
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
