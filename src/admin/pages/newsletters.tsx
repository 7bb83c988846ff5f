/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Newsletters: compose, audience with a live recipient count, preview, test send, schedule, send
// now, and the history with delivery counts. Sending itself is services/newsletters.ts.
import { z } from "zod";
import type { AdminApp, AdminContext, AdminDeps } from "../app.tsx";
import { notFound } from "../app.tsx";
import { requireRole } from "../auth.ts";
import { redirectWith } from "../flash.ts";
import { formList, formValues, parseWith, type FieldErrors, type FormValues } from "../forms.ts";
import { Badge, Csrf, Empty, Field, FormError, Pager, PAGE_SIZE, SelectField } from "../ui.tsx";
import { listPage as pageOfList, listParams, Notices, RangeCount } from "../list.tsx";
import { AUDIENCE_LABELS, CADENCE_LABELS, NEWSLETTER_STATE_LABELS } from "../labels.ts";
import { formatDateTimeFr, parseParisWallTime, toParisLocal } from "../../rules/paris-time.ts";
import {
  createNewsletter, newsletterStats, renderNewsletterPreview, resolveAudience, scheduleNewsletter, sendNewsletterNow, testSend,
} from "../../app/services/newsletters.ts";
import { NewsletterAdminRepository } from "../../db/repos/admin-repo.ts";
import { PROFESSIONS } from "../../rules/professions.ts";
import { formatDateFr } from "../../rules/dates.ts";
import { UserError } from "../../app/errors.ts";

const AUDIENCES = ["ADHERENTS", "PROFESSIONS", "TERRITOIRE", "FEDERATION"] as const;

const composeForm = z
  .object({
    subject: z.string({ error: "objet requis" }).trim().min(3, "l'objet doit faire au moins 3 caractères").max(200, "l'objet doit faire au plus 200 caractères"),
    body: z.string({ error: "texte requis" }).trim().min(10, "le texte doit faire au moins 10 caractères").max(100_000, "texte trop long"),
    audience: z.enum(AUDIENCES, { error: "audience invalide" }),
    professions: z.array(z.string().regex(/^[a-z_]+$/, "profession inconnue")).default([]),
  })
  .refine((v) => v.audience !== "PROFESSIONS" || v.professions.length > 0, { path: ["professions"], message: "choisissez au moins une profession" });

const scheduleForm = z.object({ at: z.string({ error: "date et heure requises" }).regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, "date et heure requises (JJ/MM/AAAA HH:MM)") });
const testForm = z.object({ email: z.email("adresse e-mail invalide") });

function countLabel(n: number): string {
  return n === 0 ? "aucun destinataire" : n === 1 ? "1 destinataire" : `${n} destinataires`;
}

export function newsletterRoutes(app: AdminApp, deps: AdminDeps): void {
  const repo = new NewsletterAdminRepository(deps.ctx.db);

  const ComposeFields = ({ values, errors }: { values: FormValues; errors?: FieldErrors }) => (
    <>
      <Field name="subject" label="Objet" values={values} errors={errors} />
      <label for="f-body">Texte (paragraphes séparés par une ligne vide)</label>
      <textarea id="f-body" name="body" class={errors?.body ? "invalid" : ""} aria-invalid={errors?.body ? "true" : undefined} aria-describedby={errors?.body ? "f-body-err" : undefined} autofocus={errors?.body && Object.keys(errors).find((k) => k !== "_form") === "body" ? true : undefined}>{values.body ?? ""}</textarea>
      {errors?.body ? <span class="err" id="f-body-err">{errors.body}</span> : null}
      <SelectField name="audience" label="Audience" options={AUDIENCES.map((a): [string, string] => [a, AUDIENCE_LABELS[a]!])} values={values} errors={errors} />
      <details open={values.audience === "PROFESSIONS"}>
        <summary>Professions (audience « certaines professions »)</summary>
        {PROFESSIONS.map((p) => <label class="check"><input type="checkbox" name="professions" value={p.key} checked={(values.professions ?? "").split(",").includes(p.key)} /> {p.label}</label>)}
      </details>
      {errors?.professions ? <span class="err">{errors.professions}</span> : null}
      <p>Destinataires : <strong id="audience-count" aria-live="polite">…</strong></p>
    </>
  );

  const listPage = async (c: AdminContext, values?: FormValues, errors?: FieldErrors, status: 200 | 422 = 200) => {
    const cptsId = c.get("user").cptsId;
    const lp = listParams(c, { recent: "Date" }, true);
    const total = await deps.ctx.db.newsletter.count({ where: { cptsId } });
    const pg = pageOfList(lp, total);
    const stats = await newsletterStats(deps.ctx, cptsId, { skip: pg.skip, take: PAGE_SIZE });
    const isCoord = c.get("user").role === "COORDONNATEUR";
    return deps.page(
      c,
      "Newsletters",
      "/admin/newsletters",
      <>
        <section class="card">
          <p>
            Périodicité : <strong>{CADENCE_LABELS[stats.cadence]}</strong> · dernier envoi : {stats.lastSentOn ? formatDateFr(stats.lastSentOn) : "aucun"}
            {stats.nextDueOn ? <> · prochaine attendue : {formatDateFr(stats.nextDueOn)} {stats.overdue ? <Badge kind="bad">en retard</Badge> : null}</> : null}
          </p>
          <h2>Historique</h2>
          <Notices notices={lp.notices} />
          {total ? <RangeCount id="newsletters-count" skip={pg.skip} shown={stats.newsletters.length} total={total} noun={total > 1 ? "lettres" : "lettre"} /> : null}
          <Pager base="/admin/newsletters" query="" page={pg.page} pages={pg.pages} />
          {stats.newsletters.length ? (
            <div class="table-wrap" role="region" tabindex={0} aria-label="Historique des newsletters">
              <table class="cards" id="newsletters">
                <thead><tr><th>Objet</th><th>État</th><th>Audience</th><th>Date</th><th class="num">Destinataires</th><th class="num">Envoyés</th><th class="num">Capturés</th><th class="num">En attente</th><th class="num">Échecs</th></tr></thead>
                <tbody>
                  {stats.newsletters.map((n) => (
                    <tr>
                      <td data-label="Objet"><a href={`/admin/newsletters/${n.id}`}>{n.subject}</a></td>
                      <td data-label="État"><Badge kind={n.state === "ENVOYEE" ? "ok" : n.state === "PROGRAMMEE" ? "warn" : undefined}>{NEWSLETTER_STATE_LABELS[n.state]}</Badge></td>
                      <td data-label="Audience">{AUDIENCE_LABELS[n.audience]}</td>
                      <td data-label="Date">{n.sentAt ? formatDateTimeFr(n.sentAt) : n.scheduledAt ? `prévue ${formatDateTimeFr(n.scheduledAt)}` : "—"}</td>
                      <td data-label="Destinataires" class="num">{n.recipients}</td>
                      <td data-label="Envoyés" class="num">{n.sent}</td>
                      <td data-label="Capturés" class="num">{n.captured}</td>
                      <td data-label="En attente" class="num">{n.pending}</td>
                      <td data-label="Échecs" class="num">{n.failed}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager base="/admin/newsletters" query="" page={pg.page} pages={pg.pages} />
            </div>
          ) : (
            <Empty>Aucune lettre pour l'instant.</Empty>
          )}
        </section>
        {isCoord ? (
          <section class="card" id="composer">
            <h2>Rédiger une lettre</h2>
            <FormError errors={errors} />
            <form class="stack" method="post" action="/admin/newsletters" data-audience-form="/admin/newsletters/audience">
              <Csrf token={c.get("csrf")} />
              <ComposeFields values={values ?? { audience: "ADHERENTS" }} errors={errors} />
              <div class="actions"><button type="submit">Enregistrer le brouillon</button></div>
            </form>
          </section>
        ) : null}
      </>,
      status,
    );
  };

  app.get("/newsletters", (c) => listPage(c));

  app.get("/newsletters/audience", async (c) => {
    const audience = AUDIENCES.find((a) => a === c.req.query("audience")) ?? "ADHERENTS";
    const professions = (c.req.queries("professions") ?? []).filter((p) => /^[a-z_]+$/.test(p));
    if (audience === "PROFESSIONS" && professions.length === 0) return c.json({ count: 0, label: "choisissez au moins une profession" });
    const r = await resolveAudience(deps.ctx, c.get("user").cptsId, { audience, professions });
    return c.json({ count: r.count, label: `${countLabel(r.count)}${r.excluded.unsubscribed + r.excluded.invalidEmail ? ` (${r.excluded.unsubscribed} désabonné(s), ${r.excluded.invalidEmail} adresse(s) invalide(s) exclus)` : ""}` });
  });

  const readCompose = (form: Record<string, unknown>) => {
    const professionsList = formList(form, "professions");
    const values: FormValues = { ...formValues(form), professions: professionsList.join(",") };
    return { values, parsed: parseWith(composeForm, { ...form, professions: professionsList }, values) };
  };

  app.post("/newsletters", requireRole("COORDONNATEUR"), async (c) => {
    const { values, parsed } = readCompose(c.get("form"));
    if (!parsed.ok) return listPage(c, values, parsed.errors, 422);
    try {
      const n = await createNewsletter(deps.ctx, { cptsId: c.get("user").cptsId, ...parsed.data, createdBy: deps.actor(c) });
      await deps.repo.audit({ cptsId: c.get("user").cptsId, actor: deps.actor(c), action: "newsletter.creee", target: n.id });
      return redirectWith(c, `/admin/newsletters/${n.id}`, "ok", "Brouillon enregistré. Vérifiez l'aperçu, envoyez-vous un test, puis programmez l'envoi.");
    } catch (e) {
      if (e instanceof UserError) return listPage(c, values, { [e.field ?? "_form"]: e.message }, 422);
      throw e;
    }
  });

  const detailPage = async (c: AdminContext, id: string, errors?: FieldErrors, values?: FormValues, status: 200 | 422 = 200) => {
    const n = await repo.byId(c.get("user").cptsId, id);
    if (!n) return notFound(deps, c, "Cette lettre");
    const preview = await renderNewsletterPreview(deps.ctx, n.cptsId, n.id);
    const isCoord = c.get("user").role === "COORDONNATEUR";
    const draft = n.state === "BROUILLON";
    const csrf = c.get("csrf");
    const v: FormValues = values ?? { subject: n.subject, body: n.body, audience: n.audience, professions: n.professions };
    return deps.page(
      c,
      n.subject,
      "/admin/newsletters",
      <div class="grid">
        <section class="card">
          <p>
            <Badge kind={n.state === "ENVOYEE" ? "ok" : n.state === "PROGRAMMEE" ? "warn" : undefined}>{NEWSLETTER_STATE_LABELS[n.state]}</Badge>{" "}
            {n.scheduledAt && n.state === "PROGRAMMEE" ? `envoi prévu le ${formatDateTimeFr(n.scheduledAt)}` : n.sentAt ? `envoyée le ${formatDateTimeFr(n.sentAt)}` : ""}
          </p>
          <p>Audience : {preview.audience} — <strong>{countLabel(preview.recipients)}</strong></p>
          <h2>Aperçu</h2>
          <iframe class="preview" title="Aperçu de la lettre" sandbox="" src={`/admin/newsletters/${n.id}/apercu.html`} width="100%" height="420"></iframe>
          <details>
            <summary>Version texte</summary>
            <pre class="preview">{preview.text}</pre>
          </details>
        </section>
        {isCoord ? (
          <section class="card">
            <FormError errors={errors} />
            {draft || n.state === "PROGRAMMEE" ? (
              <>
                <h2>Programmer l'envoi</h2>
                <form class="stack" method="post" action={`/admin/newsletters/${n.id}/programmer`} id="form-programmer">
                  <Csrf token={csrf} />
                  <Field name="at" label="Date et heure d'envoi (heure de Paris)" type="datetime-local" values={values} errors={errors} value={n.scheduledAt ? toParisLocal(n.scheduledAt) : ""} />
                  <div class="actions"><button type="submit">Programmer</button></div>
                </form>
                {n.state === "PROGRAMMEE" ? (
                  <form method="post" action={`/admin/newsletters/${n.id}/deprogrammer`} class="actions">
                    <Csrf token={csrf} />
                    <button type="submit" class="secondary">Annuler la programmation</button>
                  </form>
                ) : null}
                <h2>Envoyer maintenant</h2>
                <form method="post" action={`/admin/newsletters/${n.id}/envoyer`}>
                  <Csrf token={csrf} />
                  <button type="submit" data-confirm={`Envoyer maintenant à ${countLabel(preview.recipients)} ?`}>Envoyer à {countLabel(preview.recipients)}</button>
                </form>
              </>
            ) : null}
            <h2>Envoi de test</h2>
            <form class="stack" method="post" action={`/admin/newsletters/${n.id}/test`}>
              <Csrf token={csrf} />
              <Field name="email" label="Adresse de test" type="email" values={values} errors={errors} value={c.get("user").email} />
              <div class="actions"><button type="submit" class="secondary">Envoyer un test</button></div>
            </form>
            {draft ? (
              <>
                <h2>Modifier le brouillon</h2>
                <form class="stack" method="post" action={`/admin/newsletters/${n.id}/modifier`} data-audience-form="/admin/newsletters/audience">
                  <Csrf token={csrf} />
                  <ComposeFields values={v} errors={errors} />
                  <div class="actions"><button type="submit">Enregistrer</button></div>
                </form>
              </>
            ) : null}
          </section>
        ) : null}
      </div>,
      status,
    );
  };

  app.get("/newsletters/:id", (c) => detailPage(c, c.req.param("id")));

  app.get("/newsletters/:id/apercu.html", async (c) => {
    const n = await repo.byId(c.get("user").cptsId, c.req.param("id"));
    if (!n) return c.text("Lettre introuvable.", 404);
    const preview = await renderNewsletterPreview(deps.ctx, n.cptsId, n.id);
    c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; frame-ancestors 'self'");
    c.header("X-Frame-Options", "SAMEORIGIN");
    return c.html(preview.html ?? `<pre>${preview.text.replace(/[&<>]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[ch]!)}</pre>`);
  });

  const guarded = (fn: (c: AdminContext, id: string) => Promise<Response>) => async (c: AdminContext) => {
    const id = c.req.param("id")!;
    if (!(await repo.byId(c.get("user").cptsId, id))) return notFound(deps, c, "Cette lettre");
    try {
      return await fn(c, id);
    } catch (e) {
      if (e instanceof UserError) return detailPage(c, id, { [e.field ?? "_form"]: e.message }, formValues(c.get("form")), 422);
      throw e;
    }
  };

  app.post("/newsletters/:id/modifier", requireRole("COORDONNATEUR"), guarded(async (c, id) => {
    const { values, parsed } = readCompose(c.get("form"));
    if (!parsed.ok) return detailPage(c, id, parsed.errors, values, 422);
    const ok = await repo.updateDraft(c.get("user").cptsId, id, { ...parsed.data, professions: parsed.data.professions.join(",") }, deps.actor(c));
    return redirectWith(c, `/admin/newsletters/${id}`, ok ? "ok" : "bad", ok ? "Brouillon mis à jour." : "Seul un brouillon peut être modifié.");
  }));

  app.post("/newsletters/:id/programmer", requireRole("COORDONNATEUR"), guarded(async (c, id) => {
    const parsed = parseWith(scheduleForm, c.get("form"));
    if (!parsed.ok) return detailPage(c, id, parsed.errors, formValues(c.get("form")), 422);
    const wall = parseParisWallTime(parsed.data.at);
    if (!wall.ok) return detailPage(c, id, { at: wall.message }, formValues(c.get("form")), 422);
    const at = wall.instant;
    try {
      await scheduleNewsletter(deps.ctx, c.get("user").cptsId, id, at);
    } catch (e) {
      if (e instanceof UserError) return detailPage(c, id, { at: e.message }, formValues(c.get("form")), 422);
      throw e;
    }
    await deps.repo.audit({ cptsId: c.get("user").cptsId, actor: deps.actor(c), action: "newsletter.programmee", target: id, details: { at: at.toISOString() } });
    return redirectWith(c, `/admin/newsletters/${id}`, "ok", `Envoi programmé le ${formatDateTimeFr(at)}.`);
  }));

  app.post("/newsletters/:id/deprogrammer", requireRole("COORDONNATEUR"), guarded(async (c, id) => {
    await scheduleNewsletter(deps.ctx, c.get("user").cptsId, id, null);
    await deps.repo.audit({ cptsId: c.get("user").cptsId, actor: deps.actor(c), action: "newsletter.deprogrammee", target: id });
    return redirectWith(c, `/admin/newsletters/${id}`, "ok", "Programmation annulée : la lettre est de nouveau un brouillon.");
  }));

  app.post("/newsletters/:id/envoyer", requireRole("COORDONNATEUR"), guarded(async (c, id) => {
    const r = await sendNewsletterNow(deps.ctx, c.get("user").cptsId, id, deps.actor(c));
    return redirectWith(c, `/admin/newsletters/${id}`, "ok", `Envoi lancé : ${r.enqueued} message(s) placés dans la file d'envoi.`);
  }));

  app.post("/newsletters/:id/test", requireRole("COORDONNATEUR"), guarded(async (c, id) => {
    const parsed = parseWith(testForm, c.get("form"));
    if (!parsed.ok) return detailPage(c, id, parsed.errors, formValues(c.get("form")), 422);
    await testSend(deps.ctx, c.get("user").cptsId, id, parsed.data.email);
    await deps.repo.audit({ cptsId: c.get("user").cptsId, actor: deps.actor(c), action: "newsletter.test", target: id, details: { to: parsed.data.email } });
    return redirectWith(c, `/admin/newsletters/${id}`, "ok", `Test envoyé à ${parsed.data.email} (visible dans Envois).`);
  }));
}
