/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Échéances: the timeline computed by the rules, mark done / undo, and the secret iCalendar feed.
import { z } from "zod";
import type { AdminApp, AdminContext, AdminDeps } from "../app.tsx";
import { requireRole, randomToken } from "../auth.ts";
import { redirectWith } from "../flash.ts";
import { FORM_ERROR_STATUS, formValues, parseWith, stateOf, type FormState } from "../forms.ts";
import { Badge, Csrf, Empty, Field, FormError, SelectField } from "../ui.tsx";
import { DEADLINE_STATE_LABELS, deadlineBadge } from "../labels.ts";
import { listDeadlines, markDeadlineDone, unmarkDeadlineDone, OWNER_ROLE_LABELS } from "../../app/services/deadlines.ts";
import { CptsAdminRepository } from "../../db/repos/admin-repo.ts";
import { dueInFr } from "../../app/labels.ts";
import { formatDateFr, yearOf, daysBetween } from "../../rules/index.ts";
import { publicUrl } from "../../config.ts";
import { UserError } from "../../app/errors.ts";
import { recordFact, recordGovernanceChange, removeFact } from "../../app/services/facts.ts";
import { FACT_KINDS, FACT_KIND_LABELS, loadDatedFacts } from "../../db/repos/facts-repo.ts";
import { formatEuros } from "../../rules/index.ts";
import { parseEurosToCents } from "../forms.ts";

const keyForm = z.object({ key: z.string({ error: "échéance manquante" }).min(1, "échéance manquante").max(120) });

export function deadlineRoutes(app: AdminApp, deps: AdminDeps): void {
  const cptsRepo = new CptsAdminRepository(deps.ctx.db);

  const page = async (c: AdminContext, st?: FormState, status: 200 | 422 = 200) => {
    const { cptsId, role } = c.get("user");
    const today = deps.ctx.clock.today();
    const showPast = c.req.query("passees") === "1";
    const all = await listDeadlines(deps.ctx, cptsId, today);
    const list = showPast ? all : all.filter((d) => d.state !== "fait" || d.dueDate >= today);
    const cpts = await deps.ctx.db.cpts.findUniqueOrThrow({ where: { id: cptsId }, select: { icalToken: true } });
    const feed = `${publicUrl(deps.ctx.config)}/ical/${cpts.icalToken}.ics`;
    const years = [...new Set(list.map((d) => yearOf(d.dueDate)))].sort();
    const csrf = c.get("csrf");
    const facts = await loadDatedFacts(deps.ctx.db, cptsId);
    const canEnter = role === "COORDONNATEUR" || role === "BUREAU";
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
                    {d.state !== "fait" ? ` · ${dueInFr(daysBetween(today, d.dueDate))}` : ""}
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
        <section class="card" id="faits">
          <h2>Faits datés</h2>
          <p class="muted">Chaque fait saisi crée ses échéances (ci-dessus, dans le calendrier iCal, le tableau de bord et les alertes) jusqu'à ce qu'elles soient marquées faites.</p>
          {facts.facts.length || facts.governance.length ? (
            <ul id="liste-faits">
              {facts.facts.map((f) => (
                <li>
                  <strong>{formatDateFr(f.occurredOn)}</strong> — {FACT_KIND_LABELS[f.kind] ?? f.kind}
                  {f.amountCents !== null ? ` : ${formatEuros(f.amountCents)}` : ""}{f.detail ? ` (${f.detail})` : ""}
                  {canEnter ? (
                    <form method="post" action="/admin/echeances/faits/supprimer" class="inline">
                      <Csrf token={csrf} />
                      <input type="hidden" name="id" value={f.id} />
                      <button type="submit" class="secondary" data-confirm="Supprimer ce fait et ses échéances ?">Supprimer</button>
                    </form>
                  ) : null}
                </li>
              ))}
              {facts.governance.map((g) => (
                <li>
                  <strong>{formatDateFr(g.changedOn)}</strong> — Changement de gouvernance : {g.description}
                  {g.declaredOn ? ` (déclaré au greffe le ${formatDateFr(g.declaredOn)})` : ""}
                </li>
              ))}
            </ul>
          ) : <Empty>Aucun fait saisi.</Empty>}
          {canEnter ? (
            <>
              <form method="post" action="/admin/echeances/faits" class="stack" id="form-fait">
                <Csrf token={csrf} />
                <h3>Saisir un fait</h3>
                <FormError form="fait" {...stateOf(st, "fait")} />
                <SelectField form="fait" name="kind" label="Fait" options={FACT_KINDS.map((k): [string, string] => [k, FACT_KIND_LABELS[k]])} {...stateOf(st, "fait")} />
                <Field form="fait" name="date" label="Date (réception de l'aide, dépôt, réponse, lettre, embauche)" type="date" required {...stateOf(st, "fait")} />
                <Field form="fait" name="montant" label="Montant (aides uniquement, €)" placeholder="24 000,00" {...stateOf(st, "fait")} />
                <Field form="fait" name="detail" label="Précision (poste pour une embauche, réponse, note)" {...stateOf(st, "fait")} />
                <button type="submit">Enregistrer le fait</button>
              </form>
              <form method="post" action="/admin/echeances/gouvernance" class="stack" id="form-gouvernance">
                <Csrf token={csrf} />
                <h3>Changement de gouvernance (à déclarer au greffe sous 3 mois)</h3>
                <FormError form="gouvernance" {...stateOf(st, "gouvernance")} />
                <Field form="gouvernance" name="date" label="Date du changement" type="date" required {...stateOf(st, "gouvernance")} />
                <Field form="gouvernance" name="detail" label="Ce qui a changé (bureau, conseil d'administration, siège…)" required {...stateOf(st, "gouvernance")} />
                <button type="submit">Enregistrer le changement</button>
              </form>
            </>
          ) : null}
        </section>
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
      status,
    );
  };

  app.get("/echeances", (c) => page(c));

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

  const back = (c: Parameters<typeof redirectWith>[0], kind: "ok" | "bad", text: string) => redirectWith(c, "/admin/echeances#faits", kind, text);

  app.post("/echeances/faits", requireRole("COORDONNATEUR", "BUREAU"), async (c) => {
    const form = c.get("form");
    const str = (k: string) => (typeof form[k] === "string" ? (form[k] as string) : "");
    try {
      const rawAmount = str("montant").trim();
      const amountCents = rawAmount ? parseEurosToCents(rawAmount) : null;
      if (rawAmount && amountCents === null) throw new UserError(`Montant invalide : « ${rawAmount.slice(0, 40)} » (par exemple 24 000,00).`, "montant");
      const r = await recordFact(deps.ctx, c.get("user").cptsId, { kind: str("kind"), date: str("date"), amountCents, detail: str("detail") }, deps.actor(c));
      return back(c, "ok", `${r.label} : enregistré, ses échéances sont dans la liste.`);
    } catch (e) {
      if (e instanceof UserError) return page(c, { form: "fait", values: formValues(form), errors: { [e.field ?? "_form"]: e.message } }, FORM_ERROR_STATUS);
      throw e;
    }
  });

  app.post("/echeances/faits/supprimer", requireRole("COORDONNATEUR", "BUREAU"), async (c) => {
    const id = c.get("form").id;
    try {
      await removeFact(deps.ctx, c.get("user").cptsId, typeof id === "string" ? id : "", deps.actor(c));
      return back(c, "ok", "Fait supprimé, avec ses échéances.");
    } catch (e) {
      if (e instanceof UserError) return back(c, "bad", e.message);
      throw e;
    }
  });

  app.post("/echeances/gouvernance", requireRole("COORDONNATEUR", "BUREAU"), async (c) => {
    const form = c.get("form");
    try {
      const r = await recordGovernanceChange(deps.ctx, c.get("user").cptsId, { date: form.date, what: form.detail }, deps.actor(c));
      return back(c, "ok", `${r.label} : enregistré, à déclarer au greffe des associations (l'échéance est dans la liste).`);
    } catch (e) {
      if (e instanceof UserError) return page(c, { form: "gouvernance", values: formValues(form), errors: { [e.field ?? "_form"]: e.message } }, FORM_ERROR_STATUS);
      throw e;
    }
  });

  app.post("/echeances/ical/regenerer", requireRole("COORDONNATEUR"), async (c) => {
    await cptsRepo.rotateIcalToken(c.get("user").cptsId, randomToken(), deps.actor(c));
    return redirectWith(c, "/admin/echeances#ical", "ok", "Nouvelle adresse de calendrier générée : mettez à jour votre abonnement.");
  });
}
