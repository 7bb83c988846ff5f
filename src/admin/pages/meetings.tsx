/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Réunions et indemnités: meetings of the year, attendance sheet, closing (indemnities computed by
// the rules through services/meetings.ts), envelope balances per mission, CSV for the accountant.
import { z } from "zod";
import type { AdminApp, AdminContext, AdminDeps } from "../app.tsx";
import { notFound } from "../app.tsx";
import { requireRole } from "../auth.ts";
import { redirectWith } from "../flash.ts";
import { checkbox, eurosField, formValues, intField, isoDate, parseWith, requiredText, type FieldErrors, type FormValues } from "../forms.ts";
import { Badge, Csrf, Empty, Field, FormError, Pager, PAGE_SIZE, SelectField } from "../ui.tsx";
import { listPage as pageOfList, listParams, Notices, RangeCount } from "../list.tsx";
import { countMeetings, meetingsPage, yearIndemnityCents } from "../../db/repos/admin-lists-repo.ts";
import { MemberSearchField, memberSuggestions, resolveMember } from "../member-search.tsx";
import type { MemberChoice } from "../../db/repos/admin-lists-repo.ts";
import { closeMeeting, envelopeBalances, EnvelopeOverrunError, MEETING_MISSIONS, openMeeting, signAttendance } from "../../app/services/meetings.ts";
import { MeetingAdminRepository } from "../../db/repos/admin-repo.ts";
import { displayName, toCsv } from "../../app/services/members.ts";
import { formatDateFr, formatEuros, yearOf } from "../../rules/index.ts";
import { professionLabel } from "../../rules/professions.ts";
import { UserError } from "../../app/errors.ts";
import { CptsSettingsRepository } from "../../db/repos/cpts-settings-repo.ts";
import { passCeilingAt } from "../../rules/settings.ts";

const meetingForm = z.object({
  title: requiredText("intitulé", 200),
  mission: z.enum(Object.keys(MEETING_MISSIONS) as [string, ...string[]], { error: "mission inconnue" }),
  heldOn: isoDate("date de la réunion"),
  durationMin: intField("durée (minutes)", { min: 5, max: 24 * 60 }),
});
const closeForm = z.object({ force: checkbox() });
const eligibilityForm = z.object({ partnersEligible: checkbox(), unpaidDuesExcluded: checkbox() });
const passForm = z.object({ year: intField("année", { min: 2000, max: 2100 }), amount: eurosField("montant du PASS", { min: 100_000 }) });

export function meetingRoutes(app: AdminApp, deps: AdminDeps): void {
  const repo = new MeetingAdminRepository(deps.ctx.db);
  /** The year asked (`annee`), or this year with a French notice when it is not understood. */
  const yearOfQuery = (c: AdminContext, notices: string[] = []) => {
    const raw = c.req.query("annee");
    const y = Number(raw);
    if (raw !== undefined && raw !== "" && !(/^\d{4}$/.test(raw) && y > 2000 && y < 2100)) notices.push("Année invalide : l'année en cours est affichée.");
    return raw && /^\d{4}$/.test(raw) && y > 2000 && y < 2100 ? y : yearOf(deps.ctx.clock.today());
  };

  const settingsRepo = new CptsSettingsRepository(deps.ctx.db);
  const listPage = async (c: AdminContext, values?: FormValues, errors?: FieldErrors, status: 200 | 422 = 200, settingsErrors?: FieldErrors) => {
    const { cptsId, role } = c.get("user");
    const lp = listParams(c, { date: "Date" }, true);
    const year = yearOfQuery(c, lp.notices);
    const count = await countMeetings(deps.ctx.db, cptsId, year);
    const pg = pageOfList(lp, count);
    const [meetings, balances, total, settings] = await Promise.all([meetingsPage(deps.ctx.db, cptsId, year, pg.skip, PAGE_SIZE), envelopeBalances(deps.ctx, cptsId, year), yearIndemnityCents(deps.ctx.db, cptsId, year), settingsRepo.resolved(cptsId)]);
    const elig = settings.indemnityEligibility;
    const pass = passCeilingAt(`${year}-12-31`, settings);
    return deps.page(
      c,
      "Réunions et indemnités",
      "/admin/reunions",
      <>
        <section class="card">
          <p>
            Année {year} · <a href={`/admin/reunions?annee=${year - 1}`}>{year - 1}</a> · <a href={`/admin/reunions?annee=${year + 1}`}>{year + 1}</a> · indemnités calculées : <strong>{formatEuros(total)}</strong>{" "}
            <a class="btn secondary" href={`/admin/reunions/indemnites-${year}.csv`}>Export CSV pour le comptable</a>
          </p>
        </section>
        <>
          <section class="card">
            <h2>Réunions</h2>
            <Notices notices={lp.notices} />
            {count ? <RangeCount id="meetings-count" skip={pg.skip} shown={meetings.length} total={count} noun={count > 1 ? `réunions en ${year}` : `réunion en ${year}`} /> : null}
            <Pager base="/admin/reunions" query={`annee=${year}`} page={pg.page} pages={pg.pages} />
            {meetings.length ? (
              <div class="table-wrap" role="region" tabindex={0} aria-label="Réunions">
                <table class="cards" id="reunions">
                  <thead><tr><th>Date</th><th>Réunion</th><th>Mission</th><th class="num">Présents</th><th>Émargement</th></tr></thead>
                  <tbody>
                    {meetings.map((m) => (
                      <tr>
                        <td data-label="Date">{formatDateFr(m.heldOn)}</td>
                        <td data-label="Réunion"><a href={`/admin/reunions/${m.id}`}>{m.title}</a></td>
                        <td data-label="Mission">{MEETING_MISSIONS[m.mission] ?? m.mission}</td>
                        <td data-label="Présents" class="num">{m._count.attendances}</td>
                        <td data-label="Émargement">{m.closedAt ? <Badge kind="ok">clos · {formatEuros(m.indemnityCents)}</Badge> : <Badge kind="warn">ouvert</Badge>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <Pager base="/admin/reunions" query={`annee=${year}`} page={pg.page} pages={pg.pages} />
              </div>
            ) : (
              <Empty>Aucune réunion en {year}.</Empty>
            )}
          </section>
          <section class="card">
            <h2>Enveloppes par mission ({year})</h2>
            {balances.length ? (
              <div class="table-wrap" role="region" tabindex={0} aria-label="Enveloppes par mission">
                <table class="cards" id="enveloppes">
                  <thead><tr><th>Mission</th><th class="num">Disponible</th><th class="num">Dépensé</th><th class="num">Reste</th></tr></thead>
                  <tbody>
                    {balances.map((b) => (
                      <tr>
                        <td data-label="Mission">{b.label}</td>
                        <td data-label="Disponible" class="num">{formatEuros(b.availableCents)}</td>
                        <td data-label="Dépensé" class="num">{formatEuros(b.spentCents)}</td>
                        <td data-label="Reste" class="num">{b.remainingCents < 0 ? <Badge kind="bad">{formatEuros(b.remainingCents)}</Badge> : formatEuros(b.remainingCents)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : (
              <Empty>Aucune enveloppe pour {year}.</Empty>
            )}
          </section>
        </>
        <section class="card" id="indemnisation">
          <h2>Qui est indemnisé (règlement intérieur)</h2>
          <p class="muted">
            Jamais les salariés de la CPTS (coordination) ni les personnes morales (structures) : seuls les professionnels de santé, personnes physiques.
            Les deux réglages ci-dessous suivent le règlement intérieur ; le dernier rappel de cotisation dit ce qu'ils disent.
          </p>
          <FormError errors={settingsErrors} />
          <form class="stack" method="post" action="/admin/reunions/reglages">
            <Csrf token={c.get("csrf")} />
            <label class="check"><input type="checkbox" name="partnersEligible" checked={elig.partnersEligible} disabled={role !== "COORDONNATEUR"} /> Indemniser les partenaires</label>
            <label class="check"><input type="checkbox" name="unpaidDuesExcluded" checked={elig.unpaidDuesExcluded} disabled={role !== "COORDONNATEUR"} /> Ne pas indemniser les adhérents dont la cotisation de l'année n'est pas à jour</label>
            {role === "COORDONNATEUR" ? <div class="actions"><button type="submit">Enregistrer</button></div> : null}
          </form>
          <h3>Plafond légal (PASS)</h3>
          <p>
            PASS {year} : {pass !== null ? <strong>{formatEuros(pass)}</strong> : <Badge kind="bad">non renseigné : les indemnités de {year} ne peuvent pas être calculées</Badge>}
            <br /><span class="muted">Valeurs : {settings.passCeilings.map((p) => `${p.from.slice(0, 4)} : ${formatEuros(p.cents)}`).join(" · ")}</span>
          </p>
          {role === "COORDONNATEUR" ? (
            <form class="inline" method="post" action="/admin/reunions/pass">
              <Csrf token={c.get("csrf")} />
              <label>Année<input type="number" name="year" value={String(year)} /></label>
              <label>PASS (€)<input type="text" name="amount" inputmode="decimal" /></label>
              <button type="submit">Enregistrer le PASS</button>
            </form>
          ) : null}
        </section>
        {role === "COORDONNATEUR" ? (
          <section class="card">
            <h2>Ouvrir une réunion</h2>
            <FormError errors={errors} />
            <form class="stack" method="post" action="/admin/reunions">
              <Csrf token={c.get("csrf")} />
              <Field name="title" label="Intitulé" values={values} errors={errors} />
              <SelectField name="mission" label="Mission (enveloppe)" options={Object.entries(MEETING_MISSIONS)} values={values} errors={errors} />
              <Field name="heldOn" label="Date" type="date" values={values} errors={errors} value={deps.ctx.clock.today()} />
              <Field name="durationMin" label="Durée (minutes)" type="number" values={values} errors={errors} value="120" />
              <div class="actions"><button type="submit">Ouvrir l'émargement</button></div>
            </form>
          </section>
        ) : null}
      </>,
      status,
    );
  };

  app.get("/reunions", (c) => listPage(c));

  app.post("/reunions/reglages", requireRole("COORDONNATEUR"), async (c) => {
    const parsed = parseWith(eligibilityForm, c.get("form"));
    if (!parsed.ok) return listPage(c, undefined, undefined, 422, parsed.errors);
    const { cptsId } = c.get("user");
    const d = parsed.data;
    await settingsRepo.patch(cptsId, (cur) => ({ ...cur, indemnityEligibility: { ...cur.indemnityEligibility, ...d } }), deps.actor(c), "cpts.indemnisation", d);
    return redirectWith(c, "/admin/reunions#indemnisation", "ok", `Réglages enregistrés : partenaires ${d.partnersEligible ? "indemnisés" : "non indemnisés"}, adhérents non à jour ${d.unpaidDuesExcluded ? "non indemnisés" : "indemnisés"}.`);
  });

  app.post("/reunions/pass", requireRole("COORDONNATEUR"), async (c) => {
    const parsed = parseWith(passForm, c.get("form"));
    if (!parsed.ok) return listPage(c, undefined, undefined, 422, parsed.errors);
    const { cptsId } = c.get("user");
    const { year, amount } = parsed.data;
    const current = await settingsRepo.resolved(cptsId);
    // the stored list replaces the defaults as a whole (settings.ts): start from the list in force
    const list = [...current.passCeilings.filter((p) => p.from.slice(0, 4) !== String(year)), { from: `${year}-01-01`, cents: amount }].sort((a, b) => a.from.localeCompare(b.from));
    await settingsRepo.patch(cptsId, (cur) => ({ ...cur, passCeilings: list }), deps.actor(c), "cpts.pass", { year, cents: amount });
    return redirectWith(c, "/admin/reunions#indemnisation", "ok", `PASS ${year} enregistré : ${formatEuros(amount)}.`);
  });

  app.post("/reunions", requireRole("COORDONNATEUR"), async (c) => {
    const form = c.get("form");
    const parsed = parseWith(meetingForm, form);
    if (!parsed.ok) return listPage(c, formValues(form), parsed.errors, 422);
    try {
      const m = await openMeeting(deps.ctx, { cptsId: c.get("user").cptsId, ...parsed.data, openedBy: deps.actor(c) });
      return redirectWith(c, `/admin/reunions/${m.id}`, "ok", "Réunion ouverte : ajoutez les présents puis clôturez l'émargement.");
    } catch (e) {
      if (e instanceof UserError) return listPage(c, formValues(form), { [e.field ?? "_form"]: e.message }, 422);
      throw e;
    }
  });

  app.get("/reunions/:file{indemnites-[0-9]{4}\\.csv}", async (c) => {
    const year = Number(c.req.param("file").slice(11, 15));
    const { cptsId } = c.get("user");
    const rows = await repo.indemnities(cptsId, year);
    await deps.repo.audit({ cptsId, actor: deps.actor(c), action: "indemnites.export", details: { year, count: rows.length } });
    const csv = toCsv(
      ["date_reunion", "reunion", "mission", "nom", "email", "profession", "rpps", "montant_euros", "calcul", "force"],
      rows.map((i) => [i.meeting?.heldOn ?? i.computedOn, i.meeting?.title ?? "", MEETING_MISSIONS[i.mission] ?? i.mission, displayName(i.member), i.member.email, professionLabel(i.member.profession), i.member.rpps, (i.amountCents / 100).toFixed(2).replace(".", ","), i.explanation, i.forced ? "oui" : "non"]),
    );
    return c.body(csv, 200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="indemnites-${year}.csv"` });
  });

  const detailPage = async (c: AdminContext, id: string, errors?: FieldErrors, status: 200 | 409 | 422 = 200, typed?: FormValues, candidates: MemberChoice[] = []) => {
    const { cptsId, role } = c.get("user");
    const m = await repo.meeting(cptsId, id);
    if (!m) return notFound(deps, c, "Cette réunion");
    const indemnityOf = new Map(m.indemnities.map((i) => [i.memberId, i]));
    const csrf = c.get("csrf");
    return deps.page(
      c,
      m.title,
      "/admin/reunions",
      <>
        <section class="card">
          <p>{formatDateFr(m.heldOn)} · {m.durationMin} min · mission : {MEETING_MISSIONS[m.mission] ?? m.mission} · {m.closedAt ? <Badge kind="ok">émargement clos</Badge> : <Badge kind="warn">émargement ouvert</Badge>}</p>
          <FormError errors={errors} />
          <h2>Présents ({m.attendances.length})</h2>
          {m.attendances.length ? (
            <div class="table-wrap" role="region" tabindex={0} aria-label="Présents">
              <table class="cards">
                <thead><tr><th>Nom</th><th>Profession</th><th>Signé via</th><th class="num">Indemnité</th></tr></thead>
                <tbody>
                  {m.attendances.map((a) => {
                    const ind = indemnityOf.get(a.memberId);
                    return (
                      <tr>
                        <td data-label="Nom">{displayName(a.member)}</td>
                        <td data-label="Profession">{professionLabel(a.member.profession)}</td>
                        <td data-label="Signé via">{a.via}</td>
                        <td data-label="Indemnité" class="num">{ind ? <span title={ind.explanation}>{formatEuros(ind.amountCents)}</span> : m.closedAt ? "—" : "à calculer"}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          ) : (
            <Empty>Personne n'a encore émargé.</Empty>
          )}
          {m.closedAt && m.indemnities.length ? <p>Total : <strong>{formatEuros(m.indemnities.reduce((s, i) => s + i.amountCents, 0))}</strong></p> : null}
        </section>
        {!m.closedAt && role === "COORDONNATEUR" ? (
          <section class="card">
            <h2>Ajouter un présent</h2>
            <form method="post" action={`/admin/reunions/${m.id}/presents`} id="present">
              <Csrf token={csrf} />
              <MemberSearchField form="present" name="adherent" label="Adhérent" value={typed?.adherent ?? ""} hint="Nom ou e-mail d'un adhérent actif." suggestUrl="/admin/reunions/adherents" error={errors?.adherent} candidates={candidates} autofocus />
              <div class="actions"><button type="submit">Ajouter</button></div>
            </form>
            <h2>Clôturer l'émargement</h2>
            <p class="muted">Les indemnités sont calculées selon le règlement intérieur et imputées à l'enveloppe de la mission.</p>
            <form method="post" action={`/admin/reunions/${m.id}/cloturer`} class="stack">
              <Csrf token={csrf} />
              <label class="check"><input type="checkbox" name="force" /> Forcer si l'enveloppe est dépassée (la dépense sera signalée)</label>
              <div class="actions"><button type="submit" data-confirm="Clôturer l'émargement et calculer les indemnités ?">Clôturer et calculer</button></div>
            </form>
          </section>
        ) : null}
      </>,
      status,
    );
  };

  app.get("/reunions/adherents", requireRole("COORDONNATEUR"), async (c) => c.json(await memberSuggestions(deps.ctx.db, c.get("user").cptsId, c.req.query("q") ?? "")));
  app.get("/reunions/:id", (c) => detailPage(c, c.req.param("id")));

  app.post("/reunions/:id/presents", requireRole("COORDONNATEUR"), async (c) => {
    const { cptsId } = c.get("user");
    const id = c.req.param("id");
    if (!(await repo.meeting(cptsId, id))) return notFound(deps, c, "Cette réunion");
    const form = c.get("form") as Record<string, unknown>;
    // `memberId` (an id) is still accepted from the chat's links and older pages
    const pick = await resolveMember(deps.ctx.db, cptsId, { text: form.adherent, choice: form.adherentChoix ?? form.memberId }, false);
    if (!pick.ok) return detailPage(c, id, { adherent: pick.error }, 422, formValues(form), pick.candidates);
    const member = pick.member!;
    try {
      const r = await signAttendance(deps.ctx, cptsId, id, member.id, "admin");
      await deps.repo.audit({ cptsId, actor: deps.actor(c), action: "reunion.emargement", target: id, details: { memberId: member.id } });
      return redirectWith(c, `/admin/reunions/${id}`, "ok", r.signed ? `${displayName(member)} ajouté(e) (${r.count} présent(s)).` : `${displayName(member)} avait déjà émargé.`);
    } catch (e) {
      if (e instanceof UserError) return detailPage(c, id, { _form: e.message }, 422);
      throw e;
    }
  });

  app.post("/reunions/:id/cloturer", requireRole("COORDONNATEUR"), async (c) => {
    const { cptsId } = c.get("user");
    const id = c.req.param("id");
    if (!(await repo.meeting(cptsId, id))) return notFound(deps, c, "Cette réunion");
    const parsed = parseWith(closeForm, c.get("form"));
    if (!parsed.ok) return detailPage(c, id, parsed.errors, 422);
    try {
      const r = await closeMeeting(deps.ctx, cptsId, id, deps.actor(c), { force: parsed.data.force });
      const refused = r.refused.length ? ` Refusées : ${r.refused.map((x) => `${x.name} (${x.message})`).join(" ; ")}.` : "";
      const excluded = r.excluded.length ? ` Non indemnisés : ${r.excluded.map((x) => `${x.name} (${x.message})`).join(" ; ")}` : "";
      const capped = r.lines.filter((l) => l.amountCents === 0);
      const nothing = capped.length ? ` Rien à verser : ${capped.map((l) => `${l.name} (${l.explanation})`).join(" ; ")}` : "";
      return redirectWith(c, `/admin/reunions/${id}`, "ok", `Émargement clos : ${r.lines.length - capped.length} indemnité(s), ${formatEuros(r.totalCents)}.${r.envelope ? ` Reste sur l'enveloppe : ${formatEuros(r.envelope.remainingCents)}.` : ""}${refused}${excluded}${nothing}`);
    } catch (e) {
      if (e instanceof EnvelopeOverrunError) return detailPage(c, id, { _form: `${e.message} Cochez « Forcer » pour clôturer quand même.` }, 409);
      if (e instanceof UserError) return detailPage(c, id, { _form: e.message }, 422);
      throw e;
    }
  });
}
