/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Votes d'AG: the votes launched with /vote in the chat, their live turnout while open and the
// results stored at closing. Read-only; everything shown comes from services/votes.ts, which never
// exposes who chose what in a secret ballot.
import type { AdminApp, AdminDeps } from "../app.tsx";
import { notFound } from "../app.tsx";
import { Badge, Empty, Pager, PAGE_SIZE } from "../ui.tsx";
import { listPage, listParams, listQuery, Notices, RangeCount, SortHeader } from "../list.tsx";
import { formatDateTimeFr } from "../../rules/paris-time.ts";
import { voteStatus, COLLEGE_LABELS, type Turnout, type VoteStatus } from "../../app/services/votes.ts";
import { VoteRepository } from "../../db/repos/vote-repo.ts";
import { UserError } from "../../app/errors.ts";
import { formatDateFr } from "../../rules/index.ts";

const percentFr = (p: number) => `${String(p).replace(".", ",")} %`;

function StateBadge({ v, now }: { v: VoteStatus; now: Date }) {
  if (v.state === "OUVERT") {
    if (now.getTime() < v.opensAt.getTime()) return <Badge>à venir</Badge>;
    return now.getTime() >= v.closesAt.getTime() ? <Badge kind="warn">clôture en cours</Badge> : <Badge kind="ok">ouvert</Badge>;
  }
  return <Badge>{v.state === "PURGE" ? "clos · bulletins purgés" : "clos"}</Badge>;
}

/** Live turnout while open, the turnout frozen in the results once closed. */
function turnoutOf(v: VoteStatus): Turnout | null {
  return v.turnout ?? v.results?.turnout ?? null;
}

function Quorum({ t }: { t: Turnout }) {
  if (t.quorumPercent === 0) return <span class="muted">sans quorum</span>;
  return t.quorumReached ? <Badge kind="ok">{t.quorumPercent} % atteint</Badge> : <Badge kind="warn">{t.quorumPercent} % non atteint</Badge>;
}

function Participation({ t, federation }: { t: Turnout; federation: boolean }) {
  return (
    <>
      {t.voted.deliberatif}/{t.eligible.deliberatif} ({percentFr(t.percent)})
      {federation ? <span class="muted"> · consultatif {t.voted.consultatif}/{t.eligible.consultatif}</span> : null}
    </>
  );
}

export function voteRoutes(app: AdminApp, deps: AdminDeps): void {
  const repo = new VoteRepository(deps.ctx.db);

  app.get("/votes", async (c) => {
    const { cptsId } = c.get("user");
    const lp = listParams(c, { recents: "Date de création" }, true);
    const states: ("OUVERT" | "CLOS" | "PURGE")[] = ["OUVERT", "CLOS", "PURGE"];
    const total = await repo.count(cptsId, states);
    const pg = listPage(lp, total);
    const qs = listQuery({ sens: lp.desc ? undefined : "asc" });
    const rows = await repo.list(cptsId, states, { skip: pg.skip, take: PAGE_SIZE, oldestFirst: !lp.desc });
    const votes = await Promise.all(rows.map((r) => voteStatus(deps.ctx, cptsId, r.id)));
    const now = deps.ctx.clock.now();
    return deps.page(
      c,
      "Votes d'AG",
      "/admin/votes",
      <section class="card">
        <Notices notices={lp.notices} />
        {total ? <RangeCount id="votes-count" skip={pg.skip} shown={votes.length} total={total} noun={total > 1 ? "votes" : "vote"} /> : null}
        <Pager base="/admin/votes" query={qs} page={pg.page} pages={pg.pages} />
        {votes.length ? (
          <div class="table-wrap" role="region" tabindex={0} aria-label="Votes d'AG">
            <table class="cards" id="votes">
              <thead><tr><th>Question</th><th>État</th><SortHeader base="/admin/votes" query="" sort="recents" label="Ouverture" current={lp} /><th>Clôture</th><th>Scrutin</th><th class="num">Votants inscrits</th><th>Participation</th><th>Quorum</th><th class="num">Pouvoirs</th></tr></thead>
              <tbody>
                {votes.map((v) => {
                  const t = turnoutOf(v);
                  return (
                    <tr>
                      <td data-label="Question"><a href={`/admin/votes/${v.id}`}>{v.question}</a></td>
                      <td data-label="État"><StateBadge v={v} now={now} /></td>
                      <td data-label="Ouverture">{formatDateTimeFr(v.opensAt)}</td>
                      <td data-label="Clôture">{formatDateTimeFr(v.closesAt)}</td>
                      <td data-label="Scrutin">{v.secret ? "secret" : "public"}</td>
                      <td data-label="Votants inscrits" class="num">{t ? t.eligible.deliberatif : "—"}</td>
                      <td data-label="Participation">{t ? <Participation t={t} federation={v.federation} /> : "—"}</td>
                      <td data-label="Quorum">{t ? <Quorum t={t} /> : "—"}</td>
                      <td data-label="Pouvoirs" class="num">{t ? t.proxies : "—"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty>Aucun vote pour l'instant : lancez-en un avec /vote dans le chat.</Empty>
        )}
      </section>,
    );
  });

  app.get("/votes/:id", async (c) => {
    const { cptsId } = c.get("user");
    let v: VoteStatus;
    try {
      v = await voteStatus(deps.ctx, cptsId, c.req.param("id"));
    } catch (e) {
      if (e instanceof UserError) return notFound(deps, c, "Ce vote");
      throw e;
    }
    const t = turnoutOf(v);
    const r = v.results;
    return deps.page(
      c,
      `Vote : ${v.question}`,
      "/admin/votes",
      <>
        <section class="card">
          <p><StateBadge v={v} now={deps.ctx.clock.now()} /> · scrutin {v.secret ? "secret" : "public"}{v.federation ? " · vote inter-CPTS (collèges délibératif et consultatif)" : ""}</p>
          <ul>
            <li>Ouverture : {formatDateTimeFr(v.opensAt)} · clôture : {formatDateTimeFr(v.closesAt)}</li>
            <li>Votants : adhérents à jour de cotisation au {formatDateFr(v.eligibilityCutoff)}</li>
            <li>Choix : {v.options.join(", ")}</li>
            <li>Pouvoirs : au plus {v.maxProxiesPerHolder} par personne{t ? `, ${t.proxies} donné${t.proxies > 1 ? "s" : ""}` : ""}</li>
            {t ? <li>Participation : <Participation t={t} federation={v.federation} /> · quorum : <Quorum t={t} /></li> : null}
          </ul>
        </section>
        <section class="card">
          <h2>Résultats</h2>
          {r ? (
            <>
              <div class="table-wrap" role="region" tabindex={0} aria-label="Résultats">
                <table class="cards" id="resultats">
                  <thead><tr><th>Choix</th><th class="num">Voix ({COLLEGE_LABELS.deliberatif})</th>{v.federation ? <th class="num">Voix ({COLLEGE_LABELS.consultatif})</th> : null}</tr></thead>
                  <tbody>
                    {r.counts.map((row) => (
                      <tr>
                        <td data-label="Choix">{row.choice}</td>
                        <td data-label={`Voix (${COLLEGE_LABELS.deliberatif})`} class="num">{row.deliberatif}</td>
                        {v.federation ? <td data-label={`Voix (${COLLEGE_LABELS.consultatif})`} class="num">{row.consultatif}</td> : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <p>
                {r.turnout.quorumPercent > 0 && !r.turnout.quorumReached
                  ? <Badge kind="bad">Quorum non atteint : le vote n'est pas valable.</Badge>
                  : r.leading ? <>Choix retenu : <strong>{r.leading}</strong></> : "Égalité ou aucun suffrage : aucun choix ne l'emporte."}
              </p>
              {v.secret ? (
                <p class="muted">Scrutin secret : seuls les totaux sont conservés, aucun bulletin n'est relié à un votant.</p>
              ) : r.publicBallots?.length ? (
                <details>
                  <summary>Bulletins nominatifs (scrutin public)</summary>
                  <ul id="bulletins">{r.publicBallots.map((b) => <li>{b.name} : {b.choice}</li>)}</ul>
                </details>
              ) : null}
            </>
          ) : (
            <Empty>Les résultats seront publiés à la clôture du vote, le {formatDateTimeFr(v.closesAt)}.</Empty>
          )}
        </section>
        <p><a href="/admin/votes">← Tous les votes</a></p>
      </>,
    );
  });
}
