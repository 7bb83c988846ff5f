/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Journal: the audit log of the CPTS (every change and every send made from the admin, chat, jobs),
// filtered by dates (Paris), author and action, 50 lines a page, exportable as CSV.
import type { Context } from "hono";
import type { AdminApp, AdminDeps } from "../app.tsx";
import { Empty, Pager, PAGE_SIZE, pageOf } from "../ui.tsx";
import { actorLabel, auditActionLabel, AUDIT_ACTION_LABELS } from "../../app/labels.ts";
import { addDays } from "../../rules/index.ts";
import { parisWallTimeToInstant, formatDateTimeFr } from "../../rules/paris-time.ts";

const isoDay = (v: string | undefined) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : "");

function journalFilter(c: Context, cptsId: string) {
  const du = isoDay(c.req.query("du"));
  const au = isoDay(c.req.query("au"));
  const auteur = (c.req.query("auteur") ?? "").trim().slice(0, 100);
  const action = Object.hasOwn(AUDIT_ACTION_LABELS, c.req.query("action") ?? "") ? c.req.query("action")! : "";
  const from = du ? parisWallTimeToInstant(`${du}T00:00`) : null;
  const to = au ? parisWallTimeToInstant(`${addDays(au, 1)}T00:00`) : null;
  const where = {
    cptsId,
    ...(from || to ? { at: { ...(from ? { gte: from } : {}), ...(to ? { lt: to } : {}) } } : {}),
    ...(auteur ? { actor: { contains: auteur } } : {}),
    ...(action ? { action } : {}),
  };
  const query = new URLSearchParams(Object.entries({ du, au, auteur, action }).filter(([, v]) => v)).toString();
  return { du, au, auteur, action, where, query };
}

const csvCell = (v: string) => (/[";\n\r]|^[=+\-@]/.test(v) ? `"${v.replace(/^([=+\-@])/, "'$1").replace(/"/g, '""')}"` : v);

export function journalRoutes(app: AdminApp, deps: AdminDeps): void {
  app.get("/journal", async (c) => {
    const f = journalFilter(c, c.get("user").cptsId);
    const total = await deps.ctx.db.auditLog.count({ where: f.where });
    const pg = pageOf(c.req.query("page"), total);
    const rows = await deps.ctx.db.auditLog.findMany({ where: f.where, orderBy: [{ at: "desc" }, { id: "desc" }], skip: pg.skip, take: PAGE_SIZE });
    return deps.page(
      c,
      "Journal des actions",
      "/admin/journal",
      <section class="card">
        <form class="inline" method="get" action="/admin/journal" role="search" aria-label="Filtrer le journal">
          <label>Du<input type="date" name="du" value={f.du} /></label>
          <label>Au<input type="date" name="au" value={f.au} /></label>
          <label>Auteur<input type="search" name="auteur" value={f.auteur} placeholder="e-mail, tâche…" /></label>
          <label>Action
            <select name="action"><option value="">Toutes</option>{Object.entries(AUDIT_ACTION_LABELS).sort((a, b) => a[1].localeCompare(b[1], "fr")).map(([k, l]) => <option value={k} selected={k === f.action}>{l}</option>)}</select>
          </label>
          <button type="submit">Filtrer</button>
          <a class="btn secondary" href={`/admin/journal/export.csv${f.query ? `?${f.query}` : ""}`}>Exporter en CSV</a>
        </form>
        <p class="muted">{total} action(s){pg.pages > 1 ? ` · ${pg.skip + 1} à ${pg.skip + rows.length} affichées` : ""}</p>
        {rows.length ? (
          <div class="table-wrap" role="region" tabindex={0} aria-label="Journal des actions">
            <table class="cards" id="journal">
              <thead><tr><th>Date</th><th>Auteur</th><th>Action</th><th>Objet</th></tr></thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <td data-label="Date">{formatDateTimeFr(r.at)}</td>
                    <td data-label="Auteur">{actorLabel(r.actor)}</td>
                    <td data-label="Action">{auditActionLabel(r.action)}</td>
                    <td data-label="Objet">{r.target ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager base="/admin/journal" query={f.query} page={pg.page} pages={pg.pages} />
          </div>
        ) : (
          <Empty>Aucune action enregistrée{f.query ? " pour ces critères" : ""}.</Empty>
        )}
      </section>,
    );
  });

  app.get("/journal/export.csv", async (c) => {
    const f = journalFilter(c, c.get("user").cptsId);
    const rows = await deps.ctx.db.auditLog.findMany({ where: f.where, orderBy: [{ at: "desc" }, { id: "desc" }], take: 100_000 });
    const lines = ["date;auteur;action;objet", ...rows.map((r) => [formatDateTimeFr(r.at), actorLabel(r.actor), auditActionLabel(r.action), r.target ?? ""].map(csvCell).join(";"))];
    return c.body("\uFEFF" + lines.join("\r\n") + "\r\n", 200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'attachment; filename="journal.csv"' });
  });
}
