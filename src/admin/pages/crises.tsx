/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Crises: the activations of the crisis plan (/plan-crise activer in the chat, or the form here),
// the named roll-call — available, unavailable (time and channel of the answer), not answered —
// filtered by profession and commune, refreshing itself while the activation is open, with a CSV
// export and a print view; the coordination marks an activation as an exercise or a real crisis
// (only a real one opens the crisis variable part of the funding); the return of experience.
import { html } from "hono/html";
import type { AdminApp, AdminContext, AdminDeps } from "../app.tsx";
import { notFound } from "../app.tsx";
import { requireRole } from "../auth.ts";
import { redirectWith } from "../flash.ts";
import { Badge, Csrf, Empty, fieldAttrs, FieldError, FormError, Pager, PAGE_SIZE } from "../ui.tsx";
import { listPage as pageOfList, listParams, Notices, RangeCount } from "../list.tsx";
import { activationsPage, countActivations } from "../../db/repos/admin-lists-repo.ts";
import { FORM_ERROR_STATUS, formValues, type FormState } from "../forms.ts";
import {
  activateCrisis, answerRollCall, ANSWER_CHANNEL_LABELS, CRISIS_SITUATIONS, crisisTitle, rollCallCounts, rollCallList, setActivationExercise, SITUATION_KEYWORDS,
  ROLL_CALL_STATUS_LABELS, type RollCallCounts, type RollCallList, type RollCallPerson,
} from "../../app/services/crisis-activation.ts";
import { CrisisActivationRepository, type CrisisSituationKey } from "../../db/repos/crisis-activation-repo.ts";
import { CrisisAdminRepository } from "../../db/repos/admin-repo.ts";
import { displayName, toCsv } from "../../app/services/members.ts";
import { formatDateFr } from "../../rules/index.ts";
import { formatDateTimeFr } from "../../rules/paris-time.ts";
import { UserError } from "../../app/errors.ts";

/** Seconds between two refreshes of an open activation's page. */
export const ROLL_CALL_REFRESH_SECONDS = 30;

function CountsTable({ id, head, rows }: { id: string; head: string; rows: { name: string; available: number; unavailable: number }[] }) {
  return rows.length ? (
    <div class="table-wrap" role="region" tabindex={0} aria-label={`Disponibles et indisponibles par ${head.toLowerCase()}`}>
      <table class="cards" id={id}>
        <thead><tr><th>{head}</th><th class="num">Disponibles</th><th class="num">Indisponibles</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td data-label={head}>{r.name}</td>
              <td data-label="Disponibles" class="num">{r.available}</td>
              <td data-label="Indisponibles" class="num">{r.unavailable}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  ) : (
    <Empty>Personne n'a encore répondu à l'appel.</Empty>
  );
}

/** Two buttons recording an answer given by phone or SMS to the coordination (channel « admin »). */
function RecordAnswer({ action, csrf, memberId, status }: { action: string; csrf: string; memberId: string; status: RollCallPerson["status"] }) {
  return (
    <form method="post" action={action} class="inline">
      <Csrf token={csrf} />
      <input type="hidden" name="membre" value={memberId} />
      {status !== "disponible" ? <button type="submit" name="dispo" value="oui" class="secondary">Disponible</button> : null}
      {status !== "indisponible" ? <button type="submit" name="dispo" value="non" class="secondary">Indisponible</button> : null}
    </form>
  );
}

function PeopleTable({ id, people, answered, record }: { id: string; people: RollCallPerson[]; answered: boolean; record?: { action: string; csrf: string } }) {
  if (!people.length) return <Empty>Personne.</Empty>;
  return (
    <div class="table-wrap" role="region" tabindex={0} aria-label={answered ? "Personnes qui ont répondu" : "Personnes sans réponse"}>
      <table class="cards" id={id}>
        <thead>
          <tr><th>Nom</th><th>Profession</th><th>Commune</th><th>Téléphone</th>{answered ? <><th>Réponse à</th><th>Par</th></> : <th>E-mail</th>}{record ? <th>Noter sa réponse</th> : null}</tr>
        </thead>
        <tbody>
          {people.map((p) => (
            <tr>
              <td data-label="Nom">{p.name}</td>
              <td data-label="Profession">{p.professionLabel}</td>
              <td data-label="Commune">{p.commune}</td>
              <td data-label="Téléphone">{p.phone ? <a href={`tel:${p.phone}`}>{p.phone}</a> : "—"}</td>
              {answered ? (
                <>
                  <td data-label="Réponse à">{p.answeredAt ? formatDateTimeFr(p.answeredAt) : "—"}</td>
                  <td data-label="Par">{ANSWER_CHANNEL_LABELS[p.via ?? ""] ?? p.via ?? "—"}</td>
                </>
              ) : (
                <td data-label="E-mail">{p.email ? <a href={`mailto:${p.email}`}>{p.email}</a> : "—"}</td>
              )}
              {record ? <td data-label="Noter sa réponse"><RecordAnswer action={record.action} csrf={record.csrf} memberId={p.memberId} status={p.status} /></td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const filterQuery = (l: RollCallList) => new URLSearchParams(Object.entries(l.filter).filter((e): e is [string, string] => Boolean(e[1]))).toString();

export function crisisActivationRoutes(app: AdminApp, deps: AdminDeps): void {
  const repo = new CrisisAdminRepository(deps.ctx.db);
  const byWhom = async (cptsId: string, labels: (string | null)[]) => {
    const names = await repo.chatActorNames(cptsId, labels.filter((l): l is string => Boolean(l)));
    return (label: string | null) => {
      if (!label) return "—";
      const m = names.get(label);
      if (m) return `${displayName(m)} (chat)`;
      return label.startsWith("admin:") ? `${label.slice("admin:".length)} (admin)` : label;
    };
  };

  /** The roll-call of an activation of the user's CPTS with the query's filters; a French message for an unknown filter. */
  const listFor = async (cptsId: string, id: string, q: { profession?: string; commune?: string }) => {
    const a = await new CrisisActivationRepository(deps.ctx.db).byId(cptsId, id);
    if (!a) return { a: null, list: null, error: null };
    try {
      return { a, list: await rollCallList(deps.ctx, cptsId, { activationId: a.id, profession: q.profession || undefined, commune: q.commune || undefined }), error: null };
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      return { a, list: await rollCallList(deps.ctx, cptsId, { activationId: a.id }), error: e.message };
    }
  };

  /** The list, with the activation form answered again (what was typed, the error beside its field) after a refusal. */
  const listPage = async (c: AdminContext, st?: FormState, status: 200 | 422 = 200) => {
    const { cptsId, role } = c.get("user");
    const typed = st?.values;
    const err = (name: string) => fieldAttrs({ name, form: "activer", errors: st?.errors });
    const lp = listParams(c, { debut: "Début" }, true);
    const [total, open] = await Promise.all([countActivations(deps.ctx.db, cptsId), deps.ctx.db.crisisActivation.findFirst({ where: { cptsId, closedOn: null }, select: { id: true } })]);
    const pg = pageOfList(lp, total);
    const activations = await activationsPage(deps.ctx.db, cptsId, pg.skip, PAGE_SIZE);
    const who = await byWhom(cptsId, activations.map((a) => a.activatedBy));
    return deps.page(
      c,
      "Crises",
      "/admin/crises",
      <>
        <section class="card">
          <Notices notices={lp.notices} />
          {total ? <RangeCount id="crises-count" skip={pg.skip} shown={activations.length} total={total} noun={total > 1 ? "activations" : "activation"} /> : null}
          <Pager base="/admin/crises" query="" page={pg.page} pages={pg.pages} />
          {activations.length ? (
            <div class="table-wrap" role="region" tabindex={0} aria-label="Activations du plan de crise">
              <table class="cards" id="crises">
                <thead><tr><th>Situation</th><th>Début</th><th>Fin</th><th>Déclenchée par</th><th class="num">Disponibles</th><th class="num">Indisponibles</th></tr></thead>
                <tbody>
                  {activations.map((a) => (
                    <tr>
                      <td data-label="Situation"><a href={`/admin/crises/${a.id}`}>{crisisTitle(a.exercise, CRISIS_SITUATIONS[a.situation as CrisisSituationKey])}</a></td>
                      <td data-label="Début">{formatDateFr(a.activatedOn)}</td>
                      <td data-label="Fin">{a.closedOn ? formatDateFr(a.closedOn) : <Badge kind="warn">en cours</Badge>}</td>
                      <td data-label="Déclenchée par">{who(a.activatedBy)}</td>
                      <td data-label="Disponibles" class="num">{a.available}</td>
                      <td data-label="Indisponibles" class="num">{a.unavailable}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager base="/admin/crises" query="" page={pg.page} pages={pg.pages} />
            </div>
          ) : (
            <Empty>Aucune activation du plan de crise pour l'instant : déclenchez-le avec /plan-crise activer dans le chat.</Empty>
          )}
        </section>
        {role === "COORDONNATEUR" && !open ? (
          <section class="card" id="activer">
            <h2>Activer le plan de crise</h2>
            <FormError form="activer" errors={st?.errors} />
            <form method="post" action="/admin/crises/activer" id="form-activer">
              <Csrf token={c.get("csrf")} />
              <label for="activer-situation">Situation</label>
              <select {...err("situation").attrs} name="situation">
                {(Object.keys(CRISIS_SITUATIONS) as CrisisSituationKey[]).map((k) => <option value={SITUATION_KEYWORDS[k]} selected={typed?.situation === SITUATION_KEYWORDS[k]}>{CRISIS_SITUATIONS[k]}</option>)}
              </select>
              <FieldError id={err("situation").errId} text={err("situation").err} />
              <label for="activer-description">Description (facultative)</label>
              <textarea {...err("description").attrs} name="description" maxlength={2000}>{typed?.description ?? ""}</textarea>
              <FieldError id={err("description").errId} text={err("description").err} />
              <label for="activer-rappel">Rappel à ceux qui n'ont pas répondu après (minutes, vide : aucun)</label>
              <input {...err("rappel").attrs} name="rappel" type="number" min="5" max="2880" value={typed ? (typed.rappel ?? "") : "30"} />
              <FieldError id={err("rappel").errId} text={err("rappel").err} />
              <label><input type="checkbox" name="exercice" value="oui" checked={typed ? typed.exercice === "oui" : true} /> C'est un exercice (« EXERCICE » dans chaque message, sans effet sur le financement)</label>
              <button type="submit">Activer et alerter tous les professionnels</button>
            </form>
          </section>
        ) : null}
      </>,
      status,
    );
  };

  app.get("/crises", (c) => listPage(c));

  app.post("/crises/activer", requireRole("COORDONNATEUR"), async (c) => {
    const { memberId, cptsId } = c.get("user");
    const form = c.get("form") as Record<string, unknown>;
    const str = (k: string) => (typeof form[k] === "string" ? (form[k] as string).trim() : "");
    if (!memberId) return redirectWith(c, "/admin/crises", "bad", "Votre compte n'est lié à aucune fiche d'adhérent de la coordination : activez le plan depuis le chat (/plan-crise activer).");
    const rappel = str("rappel");
    const refuse = (field: string, message: string) => listPage(c, { form: "activer", values: formValues(form), errors: { [field]: message } }, FORM_ERROR_STATUS);
    if (rappel && !/^\d{1,4}$/.test(rappel)) return refuse("rappel", "Le délai du rappel se donne en minutes, de 5 à 2880 (par exemple 30).");
    try {
      const r = await activateCrisis(
        deps.ctx,
        cptsId,
        { situation: str("situation"), description: str("description") || undefined, exercise: str("exercice") === "oui", reminderAfterMinutes: rappel ? Number(rappel) : null },
        { memberId, label: deps.actor(c) },
      );
      return redirectWith(c, `/admin/crises/${r.activationId}`, "ok", `${r.exercise ? "EXERCICE — " : ""}Plan de crise activé : alerte envoyée dans ${r.chatMessages} canal(aux) et à ${r.mails} professionnel(s).`);
    } catch (e) {
      if (e instanceof UserError) return refuse(e.field ?? "_form", e.message);
      throw e;
    }
  });

  app.post("/crises/:id/type", requireRole("COORDONNATEUR"), async (c) => {
    const { cptsId } = c.get("user");
    const form = c.get("form") as Record<string, unknown>;
    const exercise = form.exercice === "oui";
    try {
      await setActivationExercise(deps.ctx, cptsId, c.req.param("id"), exercise, deps.actor(c));
    } catch (e) {
      if (e instanceof UserError) return notFound(deps, c, "Cette activation du plan de crise");
      throw e;
    }
    return redirectWith(
      c,
      `/admin/crises/${c.req.param("id")}`,
      "ok",
      exercise ? "Activation marquée comme exercice : elle ne compte plus pour la part variable « crises sanitaires graves »." : "Activation marquée comme crise réelle : elle ouvre la part variable « crises sanitaires graves » du financement.",
    );
  });

  // An answer given to the coordination by phone or SMS, recorded on the person's behalf (channel « admin »).
  app.post("/crises/:id/reponse", requireRole("COORDONNATEUR", "BUREAU"), async (c) => {
    const { cptsId } = c.get("user");
    const form = c.get("form") as Record<string, unknown>;
    const id = c.req.param("id");
    const back = `/admin/crises/${id}${c.req.url.includes("?") ? `?${c.req.url.split("?")[1]}` : ""}`;
    const available = form.dispo === "oui" ? true : form.dispo === "non" ? false : null;
    if (available === null || typeof form.membre !== "string") return redirectWith(c, back, "bad", "Réponse invalide : choisissez « Disponible » ou « Indisponible ».");
    const a = await new CrisisActivationRepository(deps.ctx.db).byId(cptsId, id);
    if (!a) return notFound(deps, c, "Cette activation du plan de crise");
    try {
      await answerRollCall(deps.ctx, cptsId, form.membre, available, a.id, "admin");
    } catch (e) {
      if (e instanceof UserError) return redirectWith(c, back, "bad", e.message);
      throw e;
    }
    await deps.repo.audit({ cptsId, actor: deps.actor(c), action: "crise.reponse_notee", target: a.id, details: { memberId: form.membre, available } });
    return redirectWith(c, back, "ok", `Réponse notée : ${available ? "disponible" : "indisponible"}.`);
  });

  app.get("/crises/:id", async (c) => {
    const { cptsId, role } = c.get("user");
    const { a, list, error } = await listFor(cptsId, c.req.param("id"), { profession: c.req.query("profession"), commune: c.req.query("commune") });
    if (!a || !list) return notFound(deps, c, "Cette activation du plan de crise");
    const counts: RollCallCounts = list;
    const who = await byWhom(cptsId, [a.activatedBy]);
    const qs = filterQuery(list);
    const byStatus = (s: RollCallPerson["status"]) => list.people.filter((p) => p.status === s);
    const professions = [...new Map((await rollCallList(deps.ctx, cptsId, { activationId: a.id })).people.filter((p) => p.profession).map((p) => [p.profession!, p.professionLabel])).entries()].sort((x, y) => x[1].localeCompare(y[1], "fr"));
    const communes = await new CrisisActivationRepository(deps.ctx.db).communes(cptsId);
    const record = a.closedOn ? undefined : { action: `/admin/crises/${a.id}/reponse${qs ? `?${qs}` : ""}`, csrf: c.get("csrf") };
    return deps.page(
      c,
      crisisTitle(a.exercise, `Crise : ${counts.label}`),
      "/admin/crises",
      <>
        {a.closedOn ? null : html`<meta http-equiv="refresh" content="${ROLL_CALL_REFRESH_SECONDS}">`}
        <section class="card">
          <p>
            {a.closedOn ? <Badge>close le {formatDateFr(a.closedOn)}</Badge> : <Badge kind="warn">en cours</Badge>} · activée le {formatDateFr(a.activatedOn)} par {who(a.activatedBy)}
            {a.exercise ? <> · <Badge kind="warn">EXERCICE</Badge> sans effet sur le financement</> : a.grave ? " · crise sanitaire grave" : ""}
          </p>
          {a.description ? <p>{a.description}</p> : null}
          <p id="appel">
            Appel : <strong>{counts.available}</strong> disponible{counts.available > 1 ? "s" : ""} · <strong>{counts.unavailable}</strong> indisponible{counts.unavailable > 1 ? "s" : ""} · <strong>{list.noAnswer}</strong> sans réponse, sur {list.expected} professionnels alertés
            {a.reminderAfterMinutes ? ` · rappel ${a.reminderSentAt ? `envoyé le ${formatDateTimeFr(a.reminderSentAt)}` : `prévu ${a.reminderAfterMinutes} minutes après l'activation`}` : ""}
          </p>
          {a.closedOn ? null : <p class="hint">Cette page se met à jour toute seule toutes les {ROLL_CALL_REFRESH_SECONDS} secondes.</p>}
          <p>
            <a class="btn secondary" href={`/admin/crises/${a.id}/appel.csv${qs ? `?${qs}` : ""}`}>Exporter l'appel en CSV</a>{" "}
            <a class="btn secondary" href={`/admin/crises/${a.id}/impression${qs ? `?${qs}` : ""}`}>Version imprimable</a>
          </p>
          {role === "COORDONNATEUR" ? (
            <form method="post" action={`/admin/crises/${a.id}/type`}>
              <Csrf token={c.get("csrf")} />
              <input type="hidden" name="exercice" value={a.exercise ? "non" : "oui"} />
              <button type="submit" class="secondary">{a.exercise ? "Corriger : c'était une crise réelle" : "Corriger : c'était un exercice"}</button>
            </form>
          ) : null}
        </section>
        <section class="card" id="filtres">
          <form method="get" action={`/admin/crises/${a.id}`}>
            <label for="profession">Profession</label>
            <select id="profession" name="profession">
              <option value="">toutes</option>
              {professions.map(([k, l]) => <option value={k} selected={list.filter.profession === k}>{l}</option>)}
            </select>
            <label for="commune">Commune</label>
            <select id="commune" name="commune">
              <option value="">toutes</option>
              {communes.map((x) => <option value={x.inseeCode} selected={list.filter.commune === x.inseeCode}>{x.name}</option>)}
            </select>
            <button type="submit">Filtrer</button>
          </form>
          {error ? <p class="flash bad">{error}</p> : null}
        </section>
        <section class="card">
          <h2>Disponibles ({byStatus("disponible").length})</h2>
          <PeopleTable id="disponibles" people={byStatus("disponible")} answered record={record} />
        </section>
        <section class="card">
          <h2>Indisponibles ({byStatus("indisponible").length})</h2>
          <PeopleTable id="indisponibles" people={byStatus("indisponible")} answered record={record} />
        </section>
        <section class="card">
          <h2>Sans réponse ({byStatus("sans_reponse").length})</h2>
          <PeopleTable id="sans-reponse" people={byStatus("sans_reponse")} answered={false} record={record} />
        </section>
        <section class="card">
          <h2>Par profession</h2>
          <CountsTable id="par-profession" head="Profession" rows={counts.byProfession.map((r) => ({ name: r.label, available: r.available, unavailable: r.unavailable }))} />
        </section>
        <section class="card">
          <h2>Par commune</h2>
          <CountsTable id="par-commune" head="Commune" rows={counts.byCommune.map((r) => ({ name: r.name, available: r.available, unavailable: r.unavailable }))} />
        </section>
        <section class="card" id="retex">
          <h2>Retour d'expérience</h2>
          {a.feedback ? <>{a.feedback.split(/\n+/).map((line) => <p>{line}</p>)}</> : <Empty>Il sera demandé à la clôture de l'activation (/plan-crise cloturer dans le chat).</Empty>}
        </section>
        <p><a href="/admin/crises">← Toutes les activations</a></p>
      </>,
    );
  });

  app.get("/crises/:id/appel.csv", async (c) => {
    const { cptsId } = c.get("user");
    const { a, list } = await listFor(cptsId, c.req.param("id"), { profession: c.req.query("profession"), commune: c.req.query("commune") });
    if (!a || !list) return notFound(deps, c, "Cette activation du plan de crise");
    const csv = toCsv(
      ["Réponse", "Nom", "Profession", "Commune", "Téléphone", "E-mail", "Heure de la réponse", "Par"],
      list.people.map((p) => [ROLL_CALL_STATUS_LABELS[p.status], p.name, p.professionLabel, p.commune, p.phone ?? "", p.email ?? "", p.answeredAt ? formatDateTimeFr(p.answeredAt) : "", p.via ? (ANSWER_CHANNEL_LABELS[p.via] ?? p.via) : ""]),
    );
    return c.body(csv, 200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="appel-crise-${a.activatedOn}${a.exercise ? "-exercice" : ""}.csv"` });
  });

  app.get("/crises/:id/impression", async (c) => {
    const { cptsId, cptsName } = c.get("user");
    const { a, list } = await listFor(cptsId, c.req.param("id"), { profession: c.req.query("profession"), commune: c.req.query("commune") });
    if (!a || !list) return notFound(deps, c, "Cette activation du plan de crise");
    const title = crisisTitle(a.exercise, `Appel du plan de crise — ${list.label}`);
    const section = (status: RollCallPerson["status"], heading: string) => {
      const people = list.people.filter((p) => p.status === status);
      return html`<h2>${heading} (${people.length})</h2>${people.length ? html`<table><thead><tr><th>Nom</th><th>Profession</th><th>Commune</th><th>Téléphone</th><th>Réponse à</th><th>Par</th></tr></thead><tbody>${people.map(
        (p) => html`<tr><td>${p.name}</td><td>${p.professionLabel}</td><td>${p.commune}</td><td>${p.phone ?? "—"}</td><td>${p.answeredAt ? formatDateTimeFr(p.answeredAt) : ""}</td><td>${p.via ? (ANSWER_CHANNEL_LABELS[p.via] ?? p.via) : ""}</td></tr>`,
      )}</tbody></table>` : html`<p>Personne.</p>`}`;
    };
    return c.html(
      html`<!doctype html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><link rel="stylesheet" href="/admin/assets/admin.css"></head>
<body class="print"><main><h1>${cptsName} — ${title}</h1>
<p>Activée le ${formatDateFr(a.activatedOn)}${a.closedOn ? `, close le ${formatDateFr(a.closedOn)}` : ""}. Imprimé le ${formatDateTimeFr(deps.ctx.clock.now())}. ${list.available} disponible(s), ${list.unavailable} indisponible(s), ${list.noAnswer} sans réponse.${a.exercise ? " EXERCICE : sans effet sur le financement." : ""}</p>
${section("disponible", "Disponibles")}${section("indisponible", "Indisponibles")}${section("sans_reponse", "Sans réponse")}
</main></body></html>`,
    );
  });
}
