/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Import of members (CSV or XLSX): upload → the file is kept server-side and analysed in the
// background → preview (with a mapping step for unknown columns) → confirmation by the import's id
// → background import whose progress page refreshes itself → result and downloadable error report.
import type { AdminApp, AdminContext, AdminDeps } from "../app.tsx";
import { notFound } from "../app.tsx";
import { requireRole } from "../auth.ts";
import { redirectWith } from "../flash.ts";
import { Badge, Csrf, Empty } from "../ui.tsx";
import { IMPORT_FIELDS, type ImportFormat } from "../../app/services/member-import.ts";
import { confirmImport, createImport, getImport, importReport, resumeAnalysis, setMapping, settled, type MemberImportView, type PreviewRowView, type StoredPreview } from "../../app/services/member-import-jobs.ts";
import { ENCODING_LABELS, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from "../../app/services/import-file.ts";
import { formatDateFr, formatEuros } from "../../rules/index.ts";
import { UserError } from "../../app/errors.ts";

const LIMIT_MB = IMPORT_MAX_BYTES / (1024 * 1024);
const BASE = "/admin/adherents/import";

/** Waits a moment for a background step, so that a small file needs no refresh. */
const briefly = (id: string, ms: number) => Promise.race([settled(id), new Promise((r) => setTimeout(r, ms))]);

const ACTION_LABELS: Record<PreviewRowView["action"], string> = { creation: "création", mise_a_jour: "mise à jour", inchange: "adhérent inchangé", ignoree: "ignorée" };
const PAYMENT_LABELS: Record<PreviewRowView["payment"], string> = { nouveau: "", deja_enregistre: "déjà enregistré", remboursement: "remboursement", aucun: "" };

function summaryText(r: NonNullable<MemberImportView["result"]>): string {
  return `Import terminé : ${r.created} adhérent(s) créé(s), ${r.updated} mis à jour, ${r.payments} paiement(s) enregistré(s), ${r.refunds} remboursement(s) marqué(s), ${r.skippedInvalid} ligne(s) en erreur ignorée(s), ${r.ignored} ligne(s) sans effet (doublons, paiements non validés).${r.alreadyRecorded ? ` ${r.alreadyRecorded} paiement(s) déjà enregistré(s), non comptés à nouveau.` : ""}${r.failed.length ? ` ${r.failed.length} ligne(s) refusée(s) par la base, rien n'en a été écrit.` : ""}`;
}

export function memberImportRoutes(app: AdminApp, deps: AdminDeps): void {
  const coord = requireRole("COORDONNATEUR");

  const uploadPage = async (c: AdminContext) => {
    const recent = await deps.ctx.db.memberImport.findMany({ where: { cptsId: c.get("user").cptsId }, orderBy: { createdAt: "desc" }, take: 8, select: { id: true, fileName: true, state: true, createdAt: true } });
    const STATE: Record<string, string> = { ANALYSE: "lecture en cours", APERCU: "aperçu, à confirmer", EN_COURS: "import en cours", TERMINE: "terminé", ECHEC: "échec" };
    return deps.page(
      c,
      "Importer des adhérents",
      "/admin/adherents",
      <>
        <section class="card">
          <p>
            Fichier <strong>CSV</strong> (séparateur <code>;</code> ou <code>,</code>, encodage reconnu : UTF-8, Windows-1252 d'Excel, ISO-8859-15) ou classeur <strong>Excel .xlsx</strong> (première feuille).
            Deux formats : <strong>générique</strong> (colonnes <code>nom</code>, <code>prenom</code>, <code>email</code>, <code>profession</code>, <code>commune_insee</code>, <code>telephone</code>, <code>rpps</code>, <code>montant</code>, <code>date_paiement</code>, <code>moyen</code>, <code>reference</code>)
            et <strong>l'export HelloAsso</strong> (colonnes reconnues par leur nom, « Champ additionnel : Profession / Commune / RPPS / Téléphone » compris, « Formule » pour la catégorie d'adhésion).
          </p>
          <p id="limite-import"><strong>Taille maximale : {LIMIT_MB} Mo</strong> et {IMPORT_MAX_ROWS.toLocaleString("fr-FR")} lignes par fichier.</p>
          <p class="muted">Rien n'est enregistré à cette étape : vous verrez d'abord l'aperçu de ce que l'import fera, ligne par ligne.</p>
          <form class="stack" method="post" action={BASE} enctype="multipart/form-data">
            <Csrf token={c.get("csrf")} />
            <label for="file">Fichier CSV ou XLSX</label>
            <input id="file" type="file" name="file" accept=".csv,.txt,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" />
            <label for="text">… ou collez le contenu</label>
            <textarea id="text" name="text"></textarea>
            <label for="format">Format</label>
            <select id="format" name="format">
              {[["auto", "Détection automatique"], ["generique", "Générique"], ["helloasso", "Export HelloAsso"]].map(([k, l]) => <option value={k}>{l}</option>)}
            </select>
            <div class="actions"><button type="submit">Voir l'aperçu</button></div>
          </form>
        </section>
        {recent.length ? (
          <section class="card">
            <h2>Derniers imports</h2>
            <ul>{recent.map((r) => <li><a href={`${BASE}/${r.id}`}>{r.fileName}</a> — {STATE[r.state]}</li>)}</ul>
          </section>
        ) : null}
      </>,
    );
  };

  app.get("/adherents/import", coord, uploadPage);

  app.post("/adherents/import", coord, async (c) => {
    const form = c.get("form");
    const file = form.file;
    let content: Uint8Array | null = null;
    let fileName = "contenu collé";
    if (file instanceof File && file.size > 0) {
      if (file.size > IMPORT_MAX_BYTES) return redirectWith(c, BASE, "bad", `Fichier trop volumineux : ${LIMIT_MB} Mo au plus. Découpez-le en plusieurs fichiers.`);
      content = new Uint8Array(await file.arrayBuffer());
      fileName = file.name || "fichier";
    } else if (typeof form.text === "string" && form.text.trim()) {
      content = Buffer.from(form.text, "utf8");
    }
    if (!content) return redirectWith(c, BASE, "bad", "Choisissez un fichier CSV ou XLSX, ou collez son contenu.");
    const format = ["generique", "helloasso"].includes(String(form.format)) ? (String(form.format) as ImportFormat) : "auto";
    const id = await createImport(deps.ctx, { cptsId: c.get("user").cptsId, actor: deps.actor(c), fileName, content, format });
    await briefly(id, 1500);
    return c.redirect(`${BASE}/${id}`, 303);
  });

  app.get("/adherents/import/:id", coord, async (c) => {
    const v = await getImport(deps.ctx, c.get("user").cptsId, c.req.param("id"));
    if (!v) return notFound(deps, c, "Cet import");
    const working = (v.state === "ANALYSE" || v.state === "EN_COURS") && !v.stalled;
    const res = await deps.page(c, `Import : ${v.fileName}`, "/admin/adherents", <ImportView v={v} csrf={c.get("csrf")} />);
    // the page refreshes itself while the file is read or imported
    if (working) res.headers.set("Refresh", "1");
    return res;
  });

  app.post("/adherents/import/:id/colonnes", coord, async (c) => {
    const id = c.req.param("id");
    const form = c.get("form");
    const mapping: Record<number, string> = {};
    for (const [k, val] of Object.entries(form)) {
      const m = /^col_(\d+)$/.exec(k);
      if (m && typeof val === "string" && val) mapping[Number(m[1])] = val;
    }
    try {
      await setMapping(deps.ctx, c.get("user").cptsId, id, mapping as never);
    } catch (e) {
      if (e instanceof UserError) return redirectWith(c, `${BASE}/${id}`, "bad", e.message);
      throw e;
    }
    await briefly(id, 1500);
    return c.redirect(`${BASE}/${id}`, 303);
  });

  app.post("/adherents/import/:id/confirmer", coord, async (c) => {
    const id = c.req.param("id");
    const { cptsId } = c.get("user");
    try {
      await confirmImport(deps.ctx, cptsId, id, deps.actor(c));
    } catch (e) {
      if (e instanceof UserError) return redirectWith(c, `${BASE}/${id}`, "bad", e.message);
      throw e;
    }
    await briefly(id, 2000);
    const v = await getImport(deps.ctx, cptsId, id);
    if (v?.state === "TERMINE" && v.result) return redirectWith(c, `${BASE}/${id}`, v.result.failed.length ? "bad" : "ok", summaryText(v.result));
    return c.redirect(`${BASE}/${id}`, 303);
  });

  app.post("/adherents/import/:id/reprendre", coord, async (c) => {
    const id = c.req.param("id");
    const { cptsId } = c.get("user");
    const v = await getImport(deps.ctx, cptsId, id);
    if (!v) return notFound(deps, c, "Cet import");
    if (v.state === "ANALYSE") await resumeAnalysis(deps.ctx, cptsId, id);
    else if (v.state === "EN_COURS") await confirmImport(deps.ctx, cptsId, id, deps.actor(c));
    return c.redirect(`${BASE}/${id}`, 303);
  });

  app.get("/adherents/import/:id/rapport.csv", coord, async (c) => {
    const report = await importReport(deps.ctx, c.get("user").cptsId, c.req.param("id"));
    if (!report) return notFound(deps, c, "Ce rapport d'import");
    return c.body(report, 200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="rapport-import-${c.req.param("id")}.csv"` });
  });
}

function ImportView({ v, csrf }: { v: MemberImportView; csrf: string }) {
  const p = v.preview;
  const size = v.fileSize >= 1024 * 1024 ? `${(v.fileSize / (1024 * 1024)).toFixed(1).replace(".", ",")} Mo` : `${Math.max(1, Math.round(v.fileSize / 1024))} ko`;
  return (
    <>
      <p class="muted">Fichier « {v.fileName} » ({size}){p ? <> · <span id="encodage">{fileKind(p)}</span></> : null} · <a href="/admin/adherents/import">Importer un autre fichier</a></p>
      {v.state === "ANALYSE" ? (
        <section class="card" id="analyse" aria-live="polite">
          <p>Lecture et vérification du fichier… La page se met à jour toute seule.</p>
          {v.stalled ? <Resume id={v.id} csrf={csrf} label="Reprendre la lecture" /> : null}
        </section>
      ) : null}
      {v.state === "APERCU" && p ? <PreviewView v={v} p={p} csrf={csrf} /> : null}
      {v.state === "EN_COURS" ? (
        <section class="card" id="progression" aria-live="polite">
          <h2>Import en cours</h2>
          <progress value={v.done} max={Math.max(v.total, 1)}></progress>
          <p><span id="progression-lignes">{v.done.toLocaleString("fr-FR")} / {v.total.toLocaleString("fr-FR")}</span> ligne(s) écrite(s). La page se met à jour toute seule ; vous pouvez la quitter, l'import continue.</p>
          {v.stalled ? <><p class="err">L'import s'est interrompu (redémarrage de coordo ?). Reprenez-le : les lignes déjà écrites ne sont pas comptées deux fois.</p><Resume id={v.id} csrf={csrf} label="Reprendre l'import" /></> : null}
        </section>
      ) : null}
      {v.state === "TERMINE" && v.result ? (
        <section class="card" id="resultat">
          <h2>Import terminé</h2>
          <p id="resultat-texte">{summaryText(v.result)}</p>
          {v.result.failed.length ? (
            <ul>{v.result.failed.slice(0, 20).map((f) => <li>ligne {f.line} ({f.email}) : {f.error}</li>)}</ul>
          ) : null}
          {v.hasReport ? <p><a id="rapport" href={`/admin/adherents/import/${v.id}/rapport.csv`}>Télécharger le rapport des lignes en erreur ou ignorées (CSV)</a></p> : null}
          <p><a href="/admin/adherents">Voir les adhérents</a></p>
        </section>
      ) : null}
      {v.state === "ECHEC" ? <section class="card"><div class="flash bad" role="alert">{v.error ?? "L'import a échoué."}</div></section> : null}
    </>
  );
}

function fileKind(p: StoredPreview): string {
  if (p.source === "xlsx") return "classeur Excel (.xlsx)";
  if (p.source === "texte") return "contenu collé";
  return `CSV, encodage ${p.encoding ? ENCODING_LABELS[p.encoding] : "inconnu"}`;
}

function Resume({ id, csrf, label }: { id: string; csrf: string; label: string }) {
  return (
    <form method="post" action={`/admin/adherents/import/${id}/reprendre`}>
      <Csrf token={csrf} />
      <button type="submit">{label}</button>
    </form>
  );
}

function PreviewView({ v, p, csrf }: { v: MemberImportView; p: StoredPreview; csrf: string }) {
  const n = p.counts;
  const unknown = p.columns.filter((c) => c.unknown || v.mapping[c.index] !== undefined);
  const fieldOptions = [["ignorer", "— ignorer cette colonne —"], ...Object.entries(IMPORT_FIELDS)];
  return (
    <section class="card" id="apercu">
      <h2>Aperçu ({p.format === "helloasso" ? "export HelloAsso" : "format générique"})</h2>
      {p.fileError ? <div class="flash bad" role="alert">{p.fileError}</div> : (
        <>
          <p id="apercu-comptes">
            <Badge kind="ok">{n.valid} ligne(s) valide(s)</Badge> <Badge kind={n.invalid ? "bad" : undefined}>{n.invalid} ligne(s) en erreur</Badge>{" "}
            <Badge>{n.creations} création(s)</Badge> <Badge>{n.updates} mise(s) à jour</Badge> <Badge>{n.unchanged} adhérent(s) inchangé(s)</Badge>{" "}
            <Badge>{n.payments} paiement(s) à enregistrer</Badge>
            {n.alreadyRecorded ? <> <Badge>{n.alreadyRecorded} paiement(s) déjà enregistré(s)</Badge></> : null}
            {n.refunds ? <> <Badge kind="warn">{n.refunds} remboursement(s)</Badge></> : null}
            {n.duplicates ? <> <Badge kind="warn">{n.duplicates} doublon(s) ignoré(s)</Badge></> : null}
            {n.ignored - n.duplicates > 0 ? <> <Badge kind="warn">{n.ignored - n.duplicates} paiement(s) non validé(s) ignoré(s)</Badge></> : null}
            {n.outsideTerritory ? <> <Badge kind="warn">{n.outsideTerritory} commune(s) hors territoire</Badge></> : null}
          </p>
          <p class="muted">Colonnes lues : {p.columns.filter((c) => c.field).map((c) => `« ${c.header} » → ${IMPORT_FIELDS[c.field!]}`).join(" ; ")}.</p>
        </>
      )}
      {unknown.length ? (
        <form method="post" action={`/admin/adherents/import/${v.id}/colonnes`} class="stack" id="correspondances">
          <Csrf token={csrf} />
          <h3>Colonnes non reconnues</h3>
          <p class="muted">Indiquez ce que contient chaque colonne (ou ignorez-la), puis relancez l'aperçu.</p>
          {unknown.map((col) => (
            <div>
              <label for={`col_${col.index}`}>« {col.header} »{col.samples.length ? <span class="muted"> (ex. {col.samples.join(", ")})</span> : null}</label>
              <select id={`col_${col.index}`} name={`col_${col.index}`}>
                {fieldOptions.map(([k, l]) => <option value={k} selected={(v.mapping[col.index] ?? col.field ?? "ignorer") === k}>{l}</option>)}
              </select>
            </div>
          ))}
          <div class="actions"><button type="submit" class="secondary">Appliquer et relancer l'aperçu</button></div>
        </form>
      ) : null}
      {p.notable.length ? (
        <>
          <h3>Lignes à regarder ({p.notableTotal})</h3>
          <RowsTable rows={p.notable} id="lignes-a-regarder" />
          {p.notableTotal > p.notable.length ? <p class="muted">… et {p.notableTotal - p.notable.length} autre(s) : voir le rapport complet.</p> : null}
        </>
      ) : null}
      {v.hasReport ? <p><a id="rapport" href={`/admin/adherents/import/${v.id}/rapport.csv`}>Télécharger le rapport des lignes en erreur, ignorées ou à vérifier (CSV)</a></p> : null}
      {!p.fileError ? (
        <details>
          <summary>Premières lignes du fichier</summary>
          <RowsTable rows={p.first} id="premieres-lignes" />
        </details>
      ) : null}
      {!p.fileError && n.valid > 0 ? (
        <form method="post" action={`/admin/adherents/import/${v.id}/confirmer`} class="actions">
          <Csrf token={csrf} />
          <button type="submit" id="confirmer-import">Importer les {n.valid} ligne(s) valide(s)</button>
          <a class="btn secondary" href="/admin/adherents/import">Annuler</a>
        </form>
      ) : (
        <Empty>Aucune ligne valide : corrigez le fichier (ou les correspondances de colonnes) et recommencez.</Empty>
      )}
    </section>
  );
}

function RowsTable({ rows, id }: { rows: PreviewRowView[]; id: string }) {
  return (
    <div class="table-wrap" role="region" tabindex={0} aria-label={id === "premieres-lignes" ? "Premières lignes du fichier" : "Lignes à regarder"}>
      <table class="cards" id={id}>
        <thead><tr><th>Ligne</th><th>E-mail</th><th>Nom</th><th>Action</th><th>Paiement</th><th>Remarques</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr class={r.invalid ? "bad" : ""}>
              <td data-label="Ligne">{r.line}</td>
              <td data-label="E-mail">{r.email}</td>
              <td data-label="Nom">{r.name}</td>
              <td data-label="Action">{r.invalid ? "en erreur" : ACTION_LABELS[r.action]}{r.changes.length ? ` (${r.changes.join(", ")})` : ""}</td>
              <td data-label="Paiement">{r.amountCents && r.paidOn ? `${formatEuros(r.amountCents)} le ${formatDateFr(r.paidOn)}` : "—"}{PAYMENT_LABELS[r.payment] ? ` (${PAYMENT_LABELS[r.payment]})` : ""}</td>
              <td data-label="Remarques">{r.messages.map((m) => <span class={r.invalid ? "err" : "muted"}>{m} </span>)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
