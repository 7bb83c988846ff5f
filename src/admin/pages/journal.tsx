/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Journal: the audit log of the CPTS (every change and every send made from the admin, chat, jobs).
import type { AdminApp, AdminDeps } from "../app.tsx";
import { Empty } from "../ui.tsx";
import { actorLabel, auditActionLabel } from "../../app/labels.ts";

export function journalRoutes(app: AdminApp, deps: AdminDeps): void {
  app.get("/journal", async (c) => {
    const rows = await deps.repo.auditLog(c.get("user").cptsId, 200);
    return deps.page(
      c,
      "Journal des actions",
      "/admin/journal",
      <section class="card">
        {rows.length ? (
          <div class="table-wrap">
            <table class="cards">
              <thead><tr><th>Date</th><th>Auteur</th><th>Action</th><th>Objet</th></tr></thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <td data-label="Date">{r.at.toLocaleString("fr-FR", { timeZone: "Europe/Paris" })}</td>
                    <td data-label="Auteur">{actorLabel(r.actor)}</td>
                    <td data-label="Action">{auditActionLabel(r.action)}</td>
                    <td data-label="Objet">{r.target ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <Empty>Aucune action enregistrée.</Empty>
        )}
      </section>,
    );
  });
}
