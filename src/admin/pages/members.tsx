/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Adhérents: list with filters and search, CSV export, create/edit, record a payment. The import
// has its own page (member-import.tsx).
import { z } from "zod";
import type { AdminApp, AdminContext, AdminDeps } from "../app.tsx";
import { notFound } from "../app.tsx";
import { requireRole } from "../auth.ts";
import { redirectWith } from "../flash.ts";
import { formList, formValues, isoDate, parseWith, eurosField, type FieldErrors, type FormValues } from "../forms.ts";
import { Badge, Csrf, Empty, Field, FormError, SelectField, Pager, PAGE_SIZE } from "../ui.tsx";
import { listPage, listParams, listQuery, Notices, RangeCount, SortHeader } from "../list.tsx";
import { PAYMENT_METHOD_LABELS, PAYMENT_SOURCE_LABELS } from "../labels.ts";
import {
  CATEGORY_LABELS_FR, PROFESSION_OPTIONS, ROLE_LABELS_FR, STATUS_LABELS_FR, displayName, duesRatesOf, listMembers, memberForm, membersCsv, saveMember, toRow,
} from "../../app/services/members.ts";
import { recordPayment, refundPayment } from "../../app/services/payments.ts";
import { MemberAdminRepository } from "../../db/repos/admin-repo.ts";
import { MemberListRepository, type DuesFilter, type MemberSort } from "../../db/repos/member-list-repo.ts";
import { professionsMatching } from "../../rules/professions.ts";
import { DUES_STATUS_LABELS, type DuesStatus } from "../../rules/dues.ts";
import { formatDateFr, formatEuros, yearOf } from "../../rules/index.ts";
import { UserError } from "../../app/errors.ts";
import { EmailFlag } from "./email-flags.tsx";

const DUES_KIND: Record<DuesStatus, "ok" | "warn" | "bad" | undefined> = { a_jour: "ok", partiel: "warn", en_retard: "warn", jamais_paye: "bad", exonere: undefined };

/** « partiel — reste 70,00 € »: the balance is shown wherever the status is. */
function duesText(r: { dues: DuesStatus; balanceCents: number }): string {
  return r.dues === "partiel" ? `${DUES_STATUS_LABELS.partiel} — reste ${formatEuros(r.balanceCents)}` : DUES_STATUS_LABELS[r.dues];
}

const DUES_FILTERS = ["a_jour", "partiel", "non_paye", "en_retard", "jamais_paye", "exonere"] as const;
const DUES_FILTER_LABELS: Record<DuesFilter, string> = { ...DUES_STATUS_LABELS, non_paye: "non payé (en retard ou jamais payé)" };
const ROLES = ["ADHERENT", "CA", "BUREAU", "COORDONNATEUR", "PARTENAIRE"] as const;
const MEMBER_SORTS: Record<MemberSort, string> = { nom: "Nom", profession: "Profession", cotisation: "Cotisation", date: "Adhésion" };

/** The list's filters from the query string: what is not understood is dropped with a French notice. */
function memberFilter(c: AdminContext) {
  const notices: string[] = [];
  const text = (name: string, max: number, label: string) => {
    const v = (c.req.query(name) ?? "").trim();
    if (v.length > max) notices.push(`${label} trop longue : ${max} caractères au plus, le début est utilisé.`);
    return v.slice(0, max) || undefined;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], label: string): T | undefined => {
    const v = c.req.query(name);
    if (!v) return undefined;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    notices.push(`${label} inconnu(e) : ce filtre est ignoré.`);
    return undefined;
  };
  const q = text("q", 100, "Recherche");
  const profession = c.req.query("profession") || undefined;
  const validProfession = profession && PROFESSION_OPTIONS.some(([k]) => k && k === profession) ? profession : undefined;
  if (profession && !validProfession) notices.push("Profession inconnue : ce filtre est ignoré.");
  const commune = c.req.query("commune") || undefined;
  const validCommune = commune && /^(\d{5}|2[AB]\d{3})$/.test(commune) ? commune : undefined;
  if (commune && !validCommune) notices.push("Commune inconnue : ce filtre est ignoré.");
  const f = { q, profession: validProfession, cotisation: oneOf("cotisation", DUES_FILTERS, "Cotisation"), role: oneOf("role", ROLES, "Rôle"), commune: validCommune };
  return { f, notices };
}

const paymentForm = z.object({
  amount: eurosField("montant", { min: 1 }),
  paidOn: isoDate("date de paiement"),
  method: z.enum(["VIREMENT", "CARTE", "CHEQUE", "ESPECES", "AUTRE"], { error: "moyen de paiement invalide" }),
  reference: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().max(100).optional()),
});

export function memberRoutes(app: AdminApp, deps: AdminDeps): void {
  const repo = new MemberAdminRepository(deps.ctx.db);
  const listRepo = new MemberListRepository(deps.ctx.db);
  /** The page's members, in the list's order, judged by the dues rule (the same as on their page). */
  const pageRows = async (cptsId: string, ids: string[], today: string) => {
    if (!ids.length) return [];
    const [members, rates] = await Promise.all([repo.byIds(cptsId, ids), duesRatesOf(deps.ctx, cptsId, yearOf(today))]);
    const byId = new Map(members.map((m) => [m.id, m]));
    return ids.flatMap((id) => {
      const m = byId.get(id);
      return m ? [{ row: toRow(m, today, rates), joinedOn: m.joinedOn }] : [];
    });
  };

  app.get("/adherents", async (c) => {
    const { cptsId } = c.get("user");
    const { f, notices } = memberFilter(c);
    const lp = listParams(c, MEMBER_SORTS);
    const today = deps.ctx.clock.today();
    const filters = listQuery({ q: f.q, profession: f.profession, cotisation: f.cotisation, role: f.role, commune: f.commune });
    const qs = listQuery({ q: f.q, profession: f.profession, cotisation: f.cotisation, role: f.role, commune: f.commune, tri: lp.sort !== "nom" || lp.desc ? lp.sort : undefined, sens: lp.sort !== "nom" || lp.desc ? (lp.desc ? "desc" : "asc") : undefined });
    const query = {
      cptsId, today, q: f.q, qProfessions: f.q ? professionsMatching(f.q) : undefined, profession: f.profession, commune: f.commune, role: f.role, dues: f.cotisation,
      sort: lp.sort, desc: lp.desc, take: PAGE_SIZE,
    };
    let { total, ids } = await listRepo.page({ ...query, skip: listPage(lp, Number.MAX_SAFE_INTEGER).skip });
    const pg = listPage(lp, total);
    if (ids.length === 0 && total > 0) ids = (await listRepo.page({ ...query, skip: pg.skip })).ids; // past the end: the last page
    const [shown, communes] = await Promise.all([pageRows(cptsId, ids, today), repo.communes(cptsId)]);
    const isCoord = c.get("user").role === "COORDONNATEUR";
    return deps.page(
      c,
      "Adhérents",
      "/admin/adherents",
      <>
        <section class="card">
          <form class="inline" method="get" action="/admin/adherents" role="search" aria-label="Rechercher des adhérents">
            <label>Recherche<input type="search" name="q" value={f.q ?? ""} placeholder="nom, e-mail, profession, commune…" /></label>
            <label>Profession
              <select name="profession">{PROFESSION_OPTIONS.map(([k, l]) => <option value={k} selected={k === (f.profession ?? "")}>{k ? l : "Toutes"}</option>)}</select>
            </label>
            <label>Cotisation {yearOf(today)}
              <select name="cotisation"><option value="">Toutes</option>{DUES_FILTERS.map((k) => <option value={k} selected={k === f.cotisation}>{DUES_FILTER_LABELS[k]}</option>)}</select>
            </label>
            <label>Rôle
              <select name="role"><option value="">Tous</option>{Object.entries(ROLE_LABELS_FR).map(([k, l]) => <option value={k} selected={k === f.role}>{l}</option>)}</select>
            </label>
            <label>Commune
              <select name="commune"><option value="">Toutes</option>{communes.map((cm) => <option value={cm.inseeCode} selected={cm.inseeCode === f.commune}>{cm.name}</option>)}</select>
            </label>
            {lp.sort !== "nom" || lp.desc ? <><input type="hidden" name="tri" value={lp.sort} /><input type="hidden" name="sens" value={lp.desc ? "desc" : "asc"} /></> : null}
            <button type="submit">Filtrer</button>
          </form>
          <div class="actions">
            <a class="btn secondary" href={`/admin/adherents/export.csv${filters ? `?${filters}` : ""}`}>Exporter en CSV</a>
            {isCoord ? <a class="btn secondary" href="/admin/adherents/import">Importer un CSV</a> : null}
            {isCoord ? <a class="btn secondary" href="/admin/adherents/nouveau">Nouvel adhérent</a> : null}
          </div>
        </section>
        <section class="card">
          <Notices notices={[...notices, ...lp.notices]} />
          <RangeCount id="members-count" skip={pg.skip} shown={shown.length} total={total} noun={total > 1 ? "adhérents" : "adhérent"} />
          <Pager base="/admin/adherents" query={qs} page={pg.page} pages={pg.pages} />
          {shown.length ? (
            <div class="table-wrap" role="region" tabindex={0} aria-label="Adhérents">
              <table class="cards" id="members">
                <thead><tr>
                  <SortHeader base="/admin/adherents" query={filters} sort="nom" label="Nom" current={lp} />
                  <SortHeader base="/admin/adherents" query={filters} sort="profession" label="Profession" current={lp} />
                  <th>E-mail</th><th>Rôles</th>
                  <SortHeader base="/admin/adherents" query={filters} sort="cotisation" label="Cotisation" current={lp} />
                  <SortHeader base="/admin/adherents" query={filters} sort="date" label="Adhésion" current={lp} />
                </tr></thead>
                <tbody>
                  {shown.map(({ row: r, joinedOn }) => (
                    <tr>
                      <td data-label="Nom"><a href={`/admin/adherents/${r.id}`}>{r.name}</a>{r.status !== "ACTIF" ? <> <Badge>{STATUS_LABELS_FR[r.status]}</Badge></> : null}</td>
                      <td data-label="Profession">{r.professionLabel}</td>
                      <td data-label="E-mail">{r.email ?? ""}</td>
                      <td data-label="Rôles">{r.roles.map((x) => ROLE_LABELS_FR[x]).join(", ")}</td>
                      <td data-label="Cotisation"><Badge kind={DUES_KIND[r.dues]}>{duesText(r)}</Badge></td>
                      <td data-label="Adhésion">{joinedOn ? formatDateFr(joinedOn) : ""}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager base="/admin/adherents" query={qs} page={pg.page} pages={pg.pages} />
            </div>
          ) : (
            <Empty>Aucun adhérent ne correspond à ces critères.</Empty>
          )}
        </section>
      </>,
    );
  });

  app.get("/adherents/export.csv", async (c) => {
    const { cptsId } = c.get("user");
    const { f } = memberFilter(c);
    const rows = await listMembers(deps.ctx, cptsId, { ...f, dues: f.cotisation }, deps.ctx.clock.today());
    await deps.repo.audit({ cptsId, actor: deps.actor(c), action: "adherents.export", details: { count: rows.length } });
    return c.body(membersCsv(rows), 200, { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="adherents-${deps.ctx.clock.today()}.csv"` });
  });

  // ── create / edit ──
  const editPage = async (c: AdminContext, id: string | null, values?: FormValues, errors?: FieldErrors, status: 200 | 422 = 200) => {
    const { cptsId } = c.get("user");
    const member = id ? await repo.byId(cptsId, id) : null;
    if (id && !member) return notFound(deps, c, "Cet adhérent");
    const communes = await repo.communes(cptsId);
    const today = deps.ctx.clock.today();
    const row = member ? toRow(member, today, await duesRatesOf(deps.ctx, cptsId, yearOf(today))) : null;
    const isCoord = c.get("user").role === "COORDONNATEUR";
    const v: FormValues = values ?? (member
      ? {
          kind: member.kind, category: member.category, status: member.status, firstName: member.firstName ?? "", lastName: member.lastName ?? "",
          organization: member.organization ?? "", profession: member.profession ?? "", communeInsee: member.communeInsee ?? "", email: member.email ?? "",
          phone: member.phone ?? "", rpps: member.rpps ?? "", duesExempt: member.duesExempt ? "on" : "", prefNewsletter: member.prefNewsletter ? "on" : "",
          prefDuesReminders: member.prefDuesReminders ? "on" : "", prefAlerts: member.prefAlerts ? "on" : "", roles: member.roles.map((r) => r.role).join(","),
        }
      : { kind: "PHYSIQUE", category: "PROFESSIONNEL", status: "ACTIF", prefNewsletter: "on", prefDuesReminders: "on", prefAlerts: "on", roles: "ADHERENT" });
    const roles = new Set((v.roles ?? "").split(","));
    const action = member ? `/admin/adherents/${member.id}` : "/admin/adherents/nouveau";
    return deps.page(
      c,
      member ? displayName(member) : "Nouvel adhérent",
      "/admin/adherents",
      <div class="grid">
        <section class="card">
          <h2>Fiche</h2>
          {row ? (
            <p id="cotisation-annee">
              Cotisation {yearOf(today)} : <Badge kind={DUES_KIND[row.dues]}>{duesText(row)}</Badge>
              {row.dueCents !== null && row.dues !== "exonere" ? <span class="muted"> (réglé {formatEuros(row.paidThisYearCents)} sur {formatEuros(row.dueCents)})</span> : null}
            </p>
          ) : null}
          {member ? <EmailFlag member={member} csrf={c.get("csrf")} canClear={isCoord} /> : null}
          <FormError errors={errors} />
          <form class="stack" method="post" action={action}>
            <Csrf token={c.get("csrf")} />
            <SelectField name="kind" label="Type" options={[["PHYSIQUE", "Personne physique"], ["MORALE", "Structure (personne morale)"]]} values={v} errors={errors} />
            <SelectField name="category" label="Catégorie de cotisation" options={Object.entries(CATEGORY_LABELS_FR)} values={v} errors={errors} />
            <SelectField name="status" label="Statut" options={Object.entries(STATUS_LABELS_FR).filter(([k]) => k !== "EFFACE")} values={v} errors={errors} />
            <Field name="lastName" label="Nom" values={v} errors={errors} />
            <Field name="firstName" label="Prénom" values={v} errors={errors} />
            <Field name="organization" label="Raison sociale (structure)" values={v} errors={errors} />
            <SelectField name="profession" label="Profession" options={PROFESSION_OPTIONS} values={v} errors={errors} />
            <SelectField name="communeInsee" label="Commune" options={[["", "—"], ...communes.map((cm): [string, string] => [cm.inseeCode, `${cm.name} (${cm.inseeCode})`])]} values={v} errors={errors} />
            <Field name="email" label="E-mail" type="email" values={v} errors={errors} />
            <Field name="phone" label="Téléphone" values={v} errors={errors} />
            <Field name="rpps" label="RPPS" values={v} errors={errors} />
            <fieldset>
              <legend>Rôles</legend>
              {Object.entries(ROLE_LABELS_FR).map(([k, l]) => <label class="check"><input type="checkbox" name="roles" value={k} checked={roles.has(k)} /> {l}</label>)}
              {errors?.roles ? <span class="err">{errors.roles}</span> : null}
            </fieldset>
            <fieldset>
              <legend>Préférences et exonération</legend>
              <label class="check"><input type="checkbox" name="duesExempt" checked={v.duesExempt === "on"} /> Exonéré de cotisation</label>
              <label class="check"><input type="checkbox" name="prefNewsletter" checked={v.prefNewsletter === "on"} /> Reçoit la newsletter</label>
              <label class="check"><input type="checkbox" name="prefDuesReminders" checked={v.prefDuesReminders === "on"} /> Reçoit les relances de cotisation</label>
              <label class="check"><input type="checkbox" name="prefAlerts" checked={v.prefAlerts === "on"} /> Reçoit les alertes</label>
            </fieldset>
            {isCoord ? <div class="actions"><button type="submit">Enregistrer</button></div> : <p class="muted">Lecture seule : la modification est réservée au coordonnateur.</p>}
          </form>
        </section>
        {member ? <PaymentsCard c={c} member={member} today={today} values={undefined} errors={undefined} /> : null}
      </div>,
      status,
    );
  };

  app.get("/adherents/nouveau", requireRole("COORDONNATEUR"), (c) => editPage(c, null));
  app.get("/adherents/:id", (c) => editPage(c, c.req.param("id")));

  const saveHandler = (isNew: boolean) => async (c: AdminContext) => {
    const form = c.get("form");
    const id = isNew ? null : c.req.param("id")!;
    const { cptsId } = c.get("user");
    if (id && !(await repo.byId(cptsId, id))) return notFound(deps, c, "Cet adhérent");
    const values = { ...formValues(form), roles: formList(form, "roles").join(",") };
    const parsed = parseWith(memberForm, { ...form, roles: formList(form, "roles") }, values);
    if (!parsed.ok) return editPage(c, id, values, parsed.errors, 422);
    try {
      const memberId = await saveMember(deps.ctx, cptsId, id, parsed.data, deps.actor(c));
      return redirectWith(c, `/admin/adherents/${memberId}`, "ok", "Fiche enregistrée.");
    } catch (e) {
      if (e instanceof UserError) return editPage(c, id, values, { [e.field ?? "_form"]: e.message }, 422);
      throw e;
    }
  };
  app.post("/adherents/nouveau", requireRole("COORDONNATEUR"), saveHandler(true));
  app.post("/adherents/:id", requireRole("COORDONNATEUR"), saveHandler(false));

  // ── payments (bureau and coordinator) ──
  app.post("/adherents/:id/paiements", requireRole("COORDONNATEUR", "BUREAU"), async (c) => {
    const { cptsId } = c.get("user");
    const member = await repo.byId(cptsId, c.req.param("id"));
    if (!member) return notFound(deps, c, "Cet adhérent");
    const form = c.get("form");
    const parsed = parseWith(paymentForm, form);
    const today = deps.ctx.clock.today();
    const render = (errors: FieldErrors) =>
      deps.page(c, displayName(member), "/admin/adherents", <PaymentsCard c={c} member={member} today={today} values={formValues(form)} errors={errors} />, 422);
    if (!parsed.ok) return render(parsed.errors);
    try {
      const r = await recordPayment(deps.ctx, {
        cptsId, memberId: member.id, amountCents: parsed.data.amount, paidOn: parsed.data.paidOn, method: parsed.data.method,
        source: "MANUEL", externalId: parsed.data.reference ? `manuel-${cptsId}-${parsed.data.reference}` : undefined, actor: deps.actor(c),
      });
      const text = r.created
        ? `Paiement de ${formatEuros(parsed.data.amount)} enregistré pour ${r.year}.${r.cancelledReminders ? ` ${r.cancelledReminders} relance(s) en attente annulée(s).` : ""}`
        : r.alreadyRecorded === "autre_source"
          ? "Un paiement de même montant et de même date est déjà enregistré pour cet adhérent (HelloAsso, import…) : rien n'a été ajouté."
          : "Ce paiement (même référence) était déjà enregistré : rien n'a été ajouté.";
      return redirectWith(c, `/admin/adherents/${member.id}#paiements`, "ok", text);
    } catch (e) {
      if (e instanceof UserError) return render({ [e.field === "amount" ? "amount" : e.field === "paidOn" ? "paidOn" : "_form"]: e.message });
      throw e;
    }
  });

  app.post("/adherents/:id/paiements/:pid/rembourser", requireRole("COORDONNATEUR", "BUREAU"), async (c) => {
    const { cptsId } = c.get("user");
    const member = await repo.byId(cptsId, c.req.param("id"));
    if (!member || !member.payments.some((p) => p.id === c.req.param("pid"))) return notFound(deps, c, "Ce paiement");
    try {
      await refundPayment(deps.ctx, { cptsId, paymentId: c.req.param("pid"), refundedOn: deps.ctx.clock.today(), actor: deps.actor(c) });
      return redirectWith(c, `/admin/adherents/${member.id}#paiements`, "ok", "Paiement marqué comme remboursé.");
    } catch (e) {
      if (e instanceof UserError) return redirectWith(c, `/admin/adherents/${member.id}#paiements`, "bad", e.message);
      throw e;
    }
  });
}

type MemberFull = NonNullable<Awaited<ReturnType<MemberAdminRepository["byId"]>>>;

function PaymentsCard({ c, member, today, values, errors }: { c: AdminContext; member: MemberFull; today: string; values?: FormValues; errors?: FieldErrors }) {
  const v = values ?? { paidOn: today, method: "VIREMENT" };
  const payments = [...member.payments].sort((a, b) => b.paidOn.localeCompare(a.paidOn));
  return (
    <section class="card" id="paiements">
      <h2>Cotisations</h2>
      {payments.length ? (
        <div class="table-wrap" role="region" tabindex={0} aria-label="Cotisations">
          <table>
            <thead><tr><th>Année</th><th>Date</th><th class="num">Montant</th><th>Source</th><th></th></tr></thead>
            <tbody>
              {payments.map((p) => (
                <tr>
                  <td>{p.year}</td>
                  <td>{formatDateFr(p.paidOn)}</td>
                  <td class="num">{formatEuros(p.amountCents)}</td>
                  <td>{PAYMENT_SOURCE_LABELS[p.source]} · {PAYMENT_METHOD_LABELS[p.method]}</td>
                  <td>
                    {p.refundedOn ? <Badge kind="warn">remboursé le {formatDateFr(p.refundedOn)}</Badge> : (
                      <form method="post" action={`/admin/adherents/${member.id}/paiements/${p.id}/rembourser`}>
                        <Csrf token={c.get("csrf")} />
                        <button type="submit" class="secondary" data-confirm="Marquer ce paiement comme remboursé ?">Rembourser</button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        <Empty>Aucun paiement enregistré.</Empty>
      )}
      <h3>Enregistrer un paiement</h3>
      <FormError errors={errors} />
      <form class="stack" method="post" action={`/admin/adherents/${member.id}/paiements`} id="form-paiement">
        <Csrf token={c.get("csrf")} />
        <Field name="amount" label="Montant (€)" values={v} errors={errors} placeholder="30,00" />
        <Field name="paidOn" label="Date de paiement" type="date" values={v} errors={errors} />
        <SelectField name="method" label="Moyen de paiement" options={Object.entries(PAYMENT_METHOD_LABELS)} values={v} errors={errors} />
        <Field name="reference" label="Référence (facultatif, évite les doublons)" values={v} errors={errors} />
        <div class="actions"><button type="submit">Enregistrer le paiement</button></div>
      </form>
    </section>
  );
}
