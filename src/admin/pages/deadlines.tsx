/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Échéances: the timeline computed by the rules, mark done / undo, and the secret iCalendar feed.
import { z } from "zod";
import type { AdminApp, AdminDeps } from "../app.tsx";
import { requireRole, randomToken } from "../auth.ts";
import { redirectWith } from "../flash.ts";
import { parseWith } from "../forms.ts";
import { Badge, Csrf, Empty } from "../ui.tsx";
import { DEADLINE_STATE_LABELS, deadlineBadge } from "../labels.ts";
import { listDeadlines, markDeadlineDone, unmarkDeadlineDone, OWNER_ROLE_LABELS } from "../../app/services/deadlines.ts";
import { CptsAdminRepository } from "../../db/repos/admin-repo.ts";
import { formatDateFr, yearOf, daysBetween } from "../../rules/index.ts";
import { publicUrl } from "../../config.ts";
import { UserError } from "../../app/errors.ts";

const keyForm = z.object({ key: z.string({ error: "échéance manquante" }).min(1, "échéance manquante").max(120) });

export function deadlineRoutes(app: AdminApp, deps: AdminDeps): void {
  const cptsRepo = new CptsAdminRepository(deps.ctx.db);

  app.get("/echeances", async (c) => {
    const { cptsId, role } = c.get("user");
    const today = deps.ctx.clock.today();
    const showPast = c.req.query("passees") === "1";
    const all = await listDeadlines(deps.ctx, cptsId, today);
    const list = showPast ? all : all.filter((d) => d.state !== "fait" || d.dueDate >= today);
    const cpts = await deps.ctx.db.cpts.findUniqueOrThrow({ where: { id: cptsId }, select: { icalToken: true } });
    const feed = `${publicUrl(deps.ctx.config)}/ical/${cpts.icalToken}.ics`;
    const years = [...new Set(list.map((d) => yearOf(d.dueDate)))].sort();
    const csrf = c.get("csrf");
    return deps.page(
      c,
      "Échéances",
      "/admin/echeances",
      <>
        <section class="card">
          <p>
            {all.filter((d) => d.state === "en_retard").length} en retard · {all.filter((d) => d.state === "imminent").length} imminente(s) · {all.filter((d) => d.state === "a_venir").length} à venir.{" "}
            {showPast ? <a href="/admin/echeances">Masquer les échéances passées faites</a> : <a href="/admin/echeances?passees=1">Afficher aussi les échéances passées faites</a>}
          </p>
        </section>
        {years.length ? years.map((y) => (
          <section class="card">
            <h2>{y}</h2>
            <ul class="timeline">
              {list.filter((d) => yearOf(d.dueDate) === y).map((d) => (
                <li class={d.state} id={`e-${d.key.replace(/[^a-z0-9]/gi, "-")}`}>
                  <strong>{formatDateFr(d.dueDate)}</strong> — {d.label} <Badge kind={deadlineBadge(d.state)}>{DEADLINE_STATE_LABELS[d.state]}</Badge>
                  <div class="muted">
                    Responsable : {OWNER_ROLE_LABELS[d.ownerRole]}
                    {d.state !== "fait" ? ` · ${daysBetween(today, d.dueDate) >= 0 ? `dans ${daysBetween(today, d.dueDate)} jour(s)` : `dépassée de ${-daysBetween(today, d.dueDate)} jour(s)`}` : ""}
                  </div>
                  {role === "COORDONNATEUR" ? (
                    <form method="post" action={d.state === "fait" ? "/admin/echeances/annuler" : "/admin/echeances/fait"}>
                      <Csrf token={csrf} />
                      <input type="hidden" name="key" value={d.key} />
                      <button type="submit" class="secondary">{d.state === "fait" ? "Annuler « fait »" : "Marquer comme faite"}</button>
                    </form>
                  ) : null}
                </li>
              ))}
            </ul>
          </section>
        )) : <section class="card"><Empty>Aucune échéance.</Empty></section>}
        <section class="card" id="ical">
          <h2>Calendrier (iCalendar)</h2>
          <p>Abonnez votre agenda (Google Agenda, Outlook, Thunderbird, Calendrier Apple) à cette adresse secrète ; ne la partagez pas :</p>
          <p><input type="text" readonly value={feed} aria-label="Adresse du calendrier" class="ical-url" /></p>
          {role === "COORDONNATEUR" ? (
            <form method="post" action="/admin/echeances/ical/regenerer">
              <Csrf token={csrf} />
              <button type="submit" class="secondary" data-confirm="L'ancienne adresse cessera de fonctionner. Continuer ?">Générer une nouvelle adresse</button>
            </form>
          ) : null}
        </section>
      </>,
    );
  });

  app.post("/echeances/fait", requireRole("COORDONNATEUR"), async (c) => {
    const parsed = parseWith(keyForm, c.get("form"));
    if (!parsed.ok) return redirectWith(c, "/admin/echeances", "bad", parsed.errors.key ?? "Échéance manquante.");
    try {
      const d = await markDeadlineDone(deps.ctx, c.get("user").cptsId, parsed.data.key, deps.actor(c));
      return redirectWith(c, "/admin/echeances", "ok", `« ${d.label} » marquée comme faite : les alertes s'arrêtent.`);
    } catch (e) {
      if (e instanceof UserError) return redirectWith(c, "/admin/echeances", "bad", e.message);
      throw e;
    }
  });

  app.post("/echeances/annuler", requireRole("COORDONNATEUR"), async (c) => {
    const parsed = parseWith(keyForm, c.get("form"));
    if (!parsed.ok) return redirectWith(c, "/admin/echeances", "bad", parsed.errors.key ?? "Échéance manquante.");
    await unmarkDeadlineDone(deps.ctx, c.get("user").cptsId, parsed.data.key, deps.actor(c));
    return redirectWith(c, "/admin/echeances", "ok", "L'échéance n'est plus marquée comme faite.");
  });

  app.post("/echeances/ical/regenerer", requireRole("COORDONNATEUR"), async (c) => {
    await cptsRepo.rotateIcalToken(c.get("user").cptsId, randomToken(), deps.actor(c));
    return redirectWith(c, "/admin/echeances#ical", "ok", "Nouvelle adresse de calendrier générée : mettez à jour votre abonnement.");
  });
}
