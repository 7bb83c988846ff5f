/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// CPTS: general settings (population → derived size, payment link, newsletter cadence, alert
// channel), communes, ACI contract and amendments, missions and their dates, indicators and yearly
// results, dues amounts by category, reminder policy, indemnity rules of the règlement intérieur.
import { parseMailbox } from "../../mail/identity.ts";
import { z } from "zod";
import type { AdminApp, AdminContext, AdminDeps } from "../app.tsx";
import { notFound } from "../app.tsx";
import { requireRole } from "../auth.ts";
import { redirectWith } from "../flash.ts";
import { checkbox, datesInOrder, eurosField, fieldId, FORM_ERROR_STATUS, formValues, intField, isoDate, optionalEmail, optionalIsoDate, optionalText, parseWith, requiredText, type FormState, type FormValues } from "../forms.ts";
import { Badge, Csrf, Empty, Field, fieldAttrs, FieldError, FormError, SelectField } from "../ui.tsx";
import { tariffLabel } from "../../app/labels.ts";
import { CADENCE_LABELS, MISSION_KIND_LABELS } from "../labels.ts";
import { CptsAdminRepository } from "../../db/repos/admin-repo.ts";
import { CptsRepository } from "../../db/repos/cpts-repo.ts";
import { CATEGORY_LABELS_FR } from "../../app/services/members.ts";
import { contractYearOf, formatDateFr, formatEuros, sizeFromPopulation, yearOf } from "../../rules/index.ts";
import { UserError } from "../../app/errors.ts";
import { checkAlertChannel } from "../../app/alert-channel.ts";
import { completeDiscordInvite, completeSlackInstall, discordInviteUrl, slackInstallUrl, slackOAuthConfig } from "../../chat/slack/oauth.ts";

const SIZE_RANGES: Record<number, string> = { 1: "moins de 40 000 habitants", 2: "40 000 à 80 000 habitants", 3: "80 000 à 175 000 habitants", 4: "plus de 175 000 habitants" };
const UNIT_LABELS: Record<string, string> = { HEURE: "par heure", DEMI_JOURNEE: "par demi-journée", FORFAIT: "forfait" };
const MISSION_ORDER = Object.keys(MISSION_KIND_LABELS);
const GROUP_LABELS: Record<string, string> = { medecin: "Médecins", autre: "Autres professions", "*": "Toutes professions" };

const generalForm = z.object({
  name: requiredText("nom", 200),
  population: intField("population", { min: 1, max: 10_000_000 }),
  contactEmail: optionalEmail(),
  address: optionalText(300),
  paymentLink: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.url({ protocol: /^https?$/, error: "lien https://… attendu" }).max(500).optional()),
  paymentInstructions: optionalText(1000),
  newsletterCadence: z.enum(["MENSUELLE", "TRIMESTRIELLE", "SEMESTRIELLE", "AUCUNE"], { error: "périodicité invalide" }),
  alertChannelId: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v), z.string().regex(/^[A-Za-z0-9:_#.-]{1,120}$/, "identifiant de salon invalide (ex. C0123456789 ou console:alertes)").optional()),
  mailSenderName: z.preprocess((v) => (typeof v === "string" && v.trim() === "" ? undefined : v), z.string().trim().max(120, "120 caractères au plus").regex(/^[^\r\n<>"@]*$/, "ni guillemets, ni chevrons, ni @ (c'est un nom, pas une adresse)").optional()),
  mailReplyTo: optionalEmail(),
});
const communeForm = z.object({
  inseeCode: z.string({ error: "code INSEE requis" }).trim().regex(/^(\d{5}|2[AB]\d{3})$/, "code INSEE à 5 caractères attendu (ex. 59350)"),
  name: requiredText("nom de commune", 120),
  postalCode: z.preprocess((v) => (v === "" ? undefined : v), z.string().regex(/^\d{5}$/, "code postal à 5 chiffres attendu").optional()),
  population: z.preprocess((v) => (v === "" ? undefined : v), intField("population", { min: 0, max: 5_000_000 }).optional()),
});
const contractForm = z.object({ signedOn: isoDate("date de signature"), sizeAtSigning: intField("taille", { min: 1, max: 4 }) });
const amendmentForm = z.object({
  effectiveOn: isoDate("date d'effet"),
  description: requiredText("objet de l'avenant", 500),
  population: z.preprocess((v) => (v === "" ? undefined : v), intField("population", { min: 1, max: 10_000_000 }).optional()),
  size: z.preprocess((v) => (v === "" ? undefined : v), intField("taille", { min: 1, max: 4 }).optional()),
});
const missionForm = z
  .object({ contracted: checkbox(), startOn: optionalIsoDate(), deployedOn: optionalIsoDate(), startDueOn: optionalIsoDate(), deployDueOn: optionalIsoDate() })
  .superRefine(
    datesInOrder([
      { earlier: "startOn", later: "deployedOn", message: "La date de déploiement ne peut pas précéder le démarrage de la mission : corrigez l'une des deux dates." },
      { earlier: "startDueOn", later: "deployDueOn", message: "Le déploiement prévu ne peut pas précéder le démarrage prévu : corrigez l'une des deux dates." },
    ]),
  );
const resultForm = z.object({
  contractYear: intField("année de contrat", { min: 1, max: 10 }),
  value: z.preprocess((v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v.replace(",", "."))) : v), z.number({ error: "valeur numérique attendue" }).finite("valeur numérique attendue")),
});
const rateForm = z.object({
  year: intField("année", { min: 2000, max: 2100 }),
  category: z.enum(["PROFESSIONNEL", "STRUCTURE", "PARTENAIRE"], { error: "catégorie invalide" }),
  amount: eurosField("montant"),
});
const reminderForm = z.object({
  enabled: checkbox(),
  offsetsDays: z.string({ error: "délais requis" }).trim().regex(/^\d{1,3}(\s*,\s*\d{1,3}){0,9}$/, "délais en jours séparés par des virgules (ex. 15,45,90)").transform((s) => s.split(",").map((x) => Number(x.trim())).sort((a, b) => a - b).join(",")),
  maxCount: intField("nombre maximal", { min: 0, max: 10 }),
});
const indemnityForm = z.object({
  validFrom: isoDate("date d'application"),
  unit: z.enum(["HEURE", "DEMI_JOURNEE", "FORFAIT"], { error: "unité invalide" }),
  professionGroup: z.enum(["medecin", "autre", "*"], { error: "groupe invalide" }),
  rate: eurosField("taux", { min: 1 }),
  cap: z.preprocess((v) => (v === "" ? undefined : v), eurosField("plafond annuel").optional()),
});

/** The section to come back to after saving each form (missions and indicators: their own row). */
const SECTION_OF: Record<string, string> = { general: "general", commune: "communes", contract: "contrat", amendment: "contrat", rate: "cotisations", reminders: "relances", indemnity: "indemnites" };
const sectionOf = (form: string) => SECTION_OF[form] ?? form;

export function cptsRoutes(app: AdminApp, deps: AdminDeps): void {
  const repo = new CptsAdminRepository(deps.ctx.db);
  const cptsRepo = new CptsRepository(deps.ctx.db);

  const page = async (c: AdminContext, st?: FormState, status: 200 | 422 = 200) => {
    const { cptsId, role } = c.get("user");
    const today = deps.ctx.clock.today();
    const year = yearOf(today);
    const cpts = await repo.overview(cptsId, year);
    const coord = role === "COORDONNATEUR";
    const csrf = c.get("csrf");
    const e = (form: string) => (st?.form === form ? st.errors : undefined);
    const v = (form: string, dflt: FormValues) => (st?.form === form ? st.values : dflt);
    const size = sizeFromPopulation(cpts.population);
    const communesPop = cpts.communes.reduce((s, cm) => s + (cm.population ?? 0), 0);
    const contract = cpts.contracts.find((k) => !k.terminatedOn) ?? null;
    const cy = contract ? contractYearOf(today, contract.signedOn) : null;
    const Submit = ({ label }: { label: string }) => (coord ? <div class="actions"><button type="submit">{label}</button></div> : null);
    return deps.page(
      c,
      cpts.name,
      "/admin/cpts",
      <>
        {!coord ? <div class="flash ok">Lecture seule : les réglages sont modifiables par le coordonnateur.</div> : null}
        <div class="grid">
          <section class="card" id="general">
            <h2>Généralités</h2>
            <p>Population : <strong>{cpts.population.toLocaleString("fr-FR")}</strong> habitants → <Badge kind="ok">taille {size}</Badge> <span class="muted">({SIZE_RANGES[size]})</span></p>
            {communesPop && communesPop !== cpts.population ? <p class="muted">Somme des populations des communes : {communesPop.toLocaleString("fr-FR")} habitants.</p> : null}
            <FormError form="general" errors={e("general")} />
            <form class="stack" method="post" action="/admin/cpts/general">
              <Csrf token={csrf} />
              <Field form="general" name="name" label="Nom" values={v("general", { name: cpts.name })} errors={e("general")} />
              <Field form="general" name="population" label="Population du territoire" type="number" values={v("general", { population: String(cpts.population) })} errors={e("general")} hint="La taille de la CPTS (et donc le financement) en découle." />
              <Field form="general" name="contactEmail" label="E-mail de contact" type="email" values={v("general", { contactEmail: cpts.contactEmail ?? "" })} errors={e("general")} />
              <Field form="general" name="address" label="Adresse" values={v("general", { address: cpts.address ?? "" })} errors={e("general")} />
              <Field form="general" name="paymentLink" label="Lien de paiement des cotisations" type="url" values={v("general", { paymentLink: cpts.paymentLink ?? "" })} errors={e("general")} />
              <Field form="general" name="paymentInstructions" label="Instructions de paiement (virement…)" values={v("general", { paymentInstructions: cpts.paymentInstructions ?? "" })} errors={e("general")} />
              <SelectField form="general" name="newsletterCadence" label="Périodicité de la newsletter" options={Object.entries(CADENCE_LABELS)} values={v("general", { newsletterCadence: cpts.newsletterCadence })} errors={e("general")} />
              <Field form="general" name="mailSenderName" label="Nom d'expéditeur des mails" values={v("general", { mailSenderName: cpts.mailSenderName ?? "" })} errors={e("general")} hint={`Nom affiché devant l'adresse d'envoi du service (${parseMailbox(deps.ctx.config.MAIL_FROM).address}), qui ne change pas. Vide : le nom de la CPTS.`} />
              <Field form="general" name="mailReplyTo" label="Adresse de réponse (Reply-To)" type="email" values={v("general", { mailReplyTo: cpts.mailReplyTo ?? "" })} errors={e("general")} hint="Les réponses des membres aux mails arrivent ici (votre coordination). Vide : l'e-mail de contact." />
              <Field form="general" name="alertChannelId" label="Salon de chat des alertes (identifiant)" values={v("general", { alertChannelId: cpts.alertChannelId ?? "" })} errors={e("general")} hint={cpts.workspaces.length ? `Espaces reliés : ${cpts.workspaces.map((w) => `${w.platform.toLowerCase()} « ${w.name ?? w.externalId} »`).join(", ")}` : "Aucun espace de chat relié."} />
              <Submit label="Enregistrer" />
            </form>
            {coord && (slackOAuthConfig(deps.ctx) || deps.ctx.config.DISCORD_APPLICATION_ID) ? (
              <p id="chat">
                {slackOAuthConfig(deps.ctx) ? <a class="button" href="/admin/cpts/chat/slack/ajouter">Ajouter à Slack</a> : null}{" "}
                {deps.ctx.config.DISCORD_APPLICATION_ID && deps.ctx.config.COORDO_SECRET_KEY ? <a class="button" href="/admin/cpts/chat/discord/ajouter">Ajouter à Discord</a> : null}
                <br />
                <span class="muted">Installe coordo dans votre espace Slack ou serveur Discord et le relie à votre CPTS au retour.</span>
              </p>
            ) : null}
          </section>
          <section class="card" id="communes">
            <h2>Communes ({cpts.communes.length})</h2>
            {cpts.communes.length ? (
              <div class="table-wrap" role="region" tabindex={0} aria-label="Communes du territoire">
                <table>
                  <thead><tr><th>Commune</th><th>INSEE</th><th class="num">Habitants</th>{coord ? <th></th> : null}</tr></thead>
                  <tbody>
                    {cpts.communes.map((cm) => (
                      <tr>
                        <td>{cm.name}{cm.postalCode ? ` (${cm.postalCode})` : ""}</td>
                        <td>{cm.inseeCode}</td>
                        <td class="num">{cm.population?.toLocaleString("fr-FR") ?? "—"}</td>
                        {coord ? (
                          <td>
                            <form method="post" action={`/admin/cpts/communes/${cm.id}/retirer`}>
                              <Csrf token={csrf} />
                              <button type="submit" class="secondary" data-confirm={`Retirer ${cm.name} du territoire ?`}>Retirer</button>
                            </form>
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : <Empty>Aucune commune.</Empty>}
            {coord ? (
              <>
                <h3>Ajouter une commune</h3>
                <FormError form="commune" errors={e("commune")} />
                <form class="stack" method="post" action="/admin/cpts/communes">
                  <Csrf token={csrf} />
                  <Field form="commune" name="inseeCode" label="Code INSEE" values={v("commune", {})} errors={e("commune")} />
                  <Field form="commune" name="name" label="Nom" values={v("commune", {})} errors={e("commune")} />
                  <Field form="commune" name="postalCode" label="Code postal" values={v("commune", {})} errors={e("commune")} />
                  <Field form="commune" name="population" label="Habitants" type="number" values={v("commune", {})} errors={e("commune")} />
                  <Submit label="Ajouter" />
                </form>
              </>
            ) : null}
          </section>
        </div>

        <section class="card" id="contrat">
          <h2>Contrat ACI</h2>
          {contract ? (
            <>
              <p>Signé le <strong>{formatDateFr(contract.signedOn)}</strong> · taille à la signature : {contract.sizeAtSigning} · barème : {tariffLabel(contract.tariff)}{cy ? ` · année de contrat en cours : ${cy}` : ""}</p>
              <h3>Avenants</h3>
              {contract.amendments.length ? (
                <ul>{contract.amendments.map((a) => <li>{formatDateFr(a.effectiveOn)} — {a.description}{a.size ? ` (taille ${a.size})` : ""}{a.population ? ` (${a.population.toLocaleString("fr-FR")} habitants)` : ""}</li>)}</ul>
              ) : <Empty>Aucun avenant.</Empty>}
              {coord ? (
                <details open={st?.form === "amendment"}>
                  <summary>Ajouter un avenant</summary>
                  <FormError form="amendment" errors={e("amendment")} />
                  <form class="stack" method="post" action="/admin/cpts/avenants">
                    <Csrf token={csrf} />
                    <Field form="amendment" name="effectiveOn" label="Date d'effet" type="date" values={v("amendment", {})} errors={e("amendment")} />
                    <Field form="amendment" name="description" label="Objet" values={v("amendment", {})} errors={e("amendment")} />
                    <Field form="amendment" name="population" label="Nouvelle population (facultatif)" type="number" values={v("amendment", {})} errors={e("amendment")} />
                    <Field form="amendment" name="size" label="Nouvelle taille (facultatif)" type="number" values={v("amendment", {})} errors={e("amendment")} />
                    <Submit label="Ajouter l'avenant" />
                  </form>
                </details>
              ) : null}
              <h3>Missions</h3>
              {st?.form.startsWith("mission-") ? <FormError form={st.form} errors={st.errors} /> : null}
              <div class="table-wrap" role="region" tabindex={0} aria-label="Missions">
                <table class="cards">
                  <thead><tr><th>Mission</th><th>Contractualisée</th><th>Démarrée le</th><th>Déployée le</th><th>Démarrage prévu (optionnelles)</th><th>Déploiement prévu</th>{coord ? <th></th> : null}</tr></thead>
                  <tbody>
                    {[...contract.missions].sort((a, b) => MISSION_ORDER.indexOf(a.kind) - MISSION_ORDER.indexOf(b.kind)).map((m) => {
                      const fid = `mission-${m.id}`;
                      const errs = e(fid);
                      const vals = v(fid, { contracted: m.contracted ? "on" : "", startOn: m.startOn ?? "", deployedOn: m.deployedOn ?? "", startDueOn: m.startDueOn ?? "", deployDueOn: m.deployDueOn ?? "" });
                      const input = (name: string, label: string) => {
                        const f = fieldAttrs({ name, form: fid, errors: errs });
                        return (
                          <td data-label={label}>
                            <input {...f.attrs} type="date" name={name} form={fid} value={vals[name] ?? ""} aria-label={`${label} — ${MISSION_KIND_LABELS[m.kind]}`} disabled={!coord} />
                            <FieldError id={f.errId} text={f.err} />
                          </td>
                        );
                      };
                      return (
                        <tr>
                          <td data-label="Mission">{MISSION_KIND_LABELS[m.kind]}</td>
                          <td data-label="Contractualisée"><input type="checkbox" id={fieldId(fid, "contracted")} name="contracted" form={fid} checked={vals.contracted === "on"} disabled={!coord} aria-label={`Contractualisée — ${MISSION_KIND_LABELS[m.kind]}`} /></td>
                          {input("startOn", "Démarrée le")}
                          {input("deployedOn", "Déployée le")}
                          {input("startDueOn", "Démarrage prévu")}
                          {input("deployDueOn", "Déploiement prévu")}
                          {coord ? <td data-label=""><form id={fid} method="post" action={`/admin/cpts/missions/${m.id}`}><Csrf token={csrf} /><button type="submit" class="secondary">Enregistrer</button></form></td> : null}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
              <h3>Indicateurs</h3>
              {contract.indicators.length ? (
                <div class="table-wrap" role="region" tabindex={0} aria-label="Indicateurs">
                  <table class="cards">
                    <thead><tr><th>Code</th><th>Indicateur</th><th>Type</th><th>Missions</th><th class="num">Cible</th><th>Résultats</th>{coord ? <th>Saisir un résultat</th> : null}</tr></thead>
                    <tbody>
                      {contract.indicators.map((i) => {
                        const fid = `indicator-${i.id}`;
                        const errs = e(fid);
                        const vals = v(fid, { contractYear: String(cy ?? 1) });
                        return (
                          <tr>
                            <td data-label="Code">{i.code}</td>
                            <td data-label="Indicateur">{i.label}</td>
                            <td data-label="Type">{i.scope === "NATIONAL" ? "national" : "local"} · {i.kind === "RESULTAT" ? "résultat" : "suivi"} · {i.producer}</td>
                            <td data-label="Missions">{i.missions.map((x) => MISSION_KIND_LABELS[x.mission.kind]).join(", ")}</td>
                            <td data-label="Cible" class="num">{i.target ?? "—"}</td>
                            <td data-label="Résultats">{i.results.length ? i.results.map((r) => `année ${r.contractYear} : ${r.value.toLocaleString("fr-FR")}`).join(" ; ") : "—"}</td>
                            {coord ? (
                              <td data-label="Saisir">
                                <form class="inline" id={fid} method="post" action={`/admin/cpts/indicateurs/${i.id}/resultats`}>
                                  <Csrf token={csrf} />
                                  <label>Année<input {...fieldAttrs({ name: "contractYear", form: fid, errors: errs }).attrs} type="number" name="contractYear" value={vals.contractYear ?? ""} min="1" max="10" /></label>
                                  <label>Valeur<input {...fieldAttrs({ name: "value", form: fid, errors: errs }).attrs} type="text" name="value" value={vals.value ?? ""} inputmode="decimal" /></label>
                                  <button type="submit" class="secondary">OK</button>
                                  <FieldError id={fieldAttrs({ name: "contractYear", form: fid, errors: errs }).errId} text={errs?.contractYear} />
                                  <FieldError id={fieldAttrs({ name: "value", form: fid, errors: errs }).errId} text={errs?.value} />
                                  {errs?._form ? <span class="err">{errs._form}</span> : null}
                                </form>
                              </td>
                            ) : null}
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              ) : <Empty>Aucun indicateur.</Empty>}
            </>
          ) : coord ? (
            <>
              <p>Aucun ACI signé. Saisissez-le pour calculer le financement et les échéances.</p>
              <FormError form="contract" errors={e("contract")} />
              <form class="stack" method="post" action="/admin/cpts/contrat">
                <Csrf token={csrf} />
                <Field form="contract" name="signedOn" label="Date de signature" type="date" values={v("contract", {})} errors={e("contract")} />
                <Field form="contract" name="sizeAtSigning" label="Taille à la signature" type="number" values={v("contract", { sizeAtSigning: String(size) })} errors={e("contract")} />
                <Submit label="Enregistrer le contrat" />
              </form>
            </>
          ) : <Empty>Aucun ACI signé.</Empty>}
        </section>

        <div class="grid">
          <section class="card" id="cotisations">
            <h2>Montants des cotisations</h2>
            <div class="table-wrap" role="region" tabindex={0} aria-label="Montants des cotisations">
              <table>
                <thead><tr><th>Catégorie</th>{[year, year + 1].map((y) => <th class="num">{y}</th>)}</tr></thead>
                <tbody>
                  {Object.entries(CATEGORY_LABELS_FR).map(([k, l]) => (
                    <tr><td>{l}</td>{[year, year + 1].map((y) => { const r = cpts.duesRates.find((x) => x.year === y && x.category === k); return <td class="num">{r ? formatEuros(r.amountCents) : "—"}</td>; })}</tr>
                  ))}
                </tbody>
              </table>
            </div>
            {coord ? (
              <>
                <FormError form="rate" errors={e("rate")} />
                <form class="inline" method="post" action="/admin/cpts/cotisations">
                  <Csrf token={csrf} />
                  <label>Année<input {...fieldAttrs({ name: "year", form: "rate", errors: e("rate") }).attrs} type="number" name="year" value={v("rate", { year: String(year) }).year ?? ""} /><FieldError id="rate-year-err" text={e("rate")?.year} /></label>
                  <label>Catégorie<select {...fieldAttrs({ name: "category", form: "rate", errors: e("rate") }).attrs} name="category">{Object.entries(CATEGORY_LABELS_FR).map(([k, l]) => <option value={k} selected={v("rate", {}).category === k}>{l}</option>)}</select><FieldError id="rate-category-err" text={e("rate")?.category} /></label>
                  <label>Montant (€)<input {...fieldAttrs({ name: "amount", form: "rate", errors: e("rate") }).attrs} type="text" name="amount" inputmode="decimal" value={v("rate", {}).amount ?? ""} /><FieldError id="rate-amount-err" text={e("rate")?.amount} /></label>
                  <button type="submit">Enregistrer</button>
                </form>
              </>
            ) : null}
          </section>
          <section class="card" id="relances">
            <h2>Relances de cotisation</h2>
            <FormError form="reminders" errors={e("reminders")} />
            <form class="stack" method="post" action="/admin/cpts/relances">
              <Csrf token={csrf} />
              <label class="check"><input type="checkbox" id="reminders-enabled" name="enabled" checked={v("reminders", { enabled: cpts.reminderPolicy?.enabled ?? true ? "on" : "" }).enabled === "on"} disabled={!coord} /> Relances automatiques activées</label>
              <Field form="reminders" name="offsetsDays" label="Jours après le 1er janvier (séparés par des virgules)" values={v("reminders", { offsetsDays: cpts.reminderPolicy?.offsetsDays ?? "15,45,90" })} errors={e("reminders")} />
              <Field form="reminders" name="maxCount" label="Nombre maximal de relances par an" type="number" values={v("reminders", { maxCount: String(cpts.reminderPolicy?.maxCount ?? 3) })} errors={e("reminders")} />
              <Submit label="Enregistrer" />
            </form>
          </section>
        </div>

        <section class="card" id="indemnites">
          <h2>Indemnités (règlement intérieur)</h2>
          {cpts.indemnityRules.length ? (
            <div class="table-wrap" role="region" tabindex={0} aria-label="Indemnités">
              <table class="cards">
                <thead><tr><th>À partir du</th><th>Professions</th><th class="num">Taux</th><th class="num">Plafond annuel</th>{coord ? <th></th> : null}</tr></thead>
                <tbody>
                  {cpts.indemnityRules.map((r) => (
                    <tr>
                      <td data-label="À partir du">{formatDateFr(r.validFrom)}</td>
                      <td data-label="Professions">{GROUP_LABELS[r.professionGroup] ?? r.professionGroup}{r.role ? ` (${r.role})` : ""}</td>
                      <td data-label="Taux" class="num">{formatEuros(r.rateCents)} {UNIT_LABELS[r.unit]}</td>
                      <td data-label="Plafond" class="num">{r.capPerYearCents !== null ? formatEuros(r.capPerYearCents) : "—"}</td>
                      {coord ? <td data-label=""><form method="post" action={`/admin/cpts/indemnites/${r.id}/retirer`}><Csrf token={csrf} /><button type="submit" class="secondary" data-confirm="Retirer cette règle ?">Retirer</button></form></td> : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : <Empty>Aucune règle : les indemnités ne peuvent pas être calculées.</Empty>}
          {coord ? (
            <details open={st?.form === "indemnity"}>
              <summary>Ajouter une règle</summary>
              <FormError form="indemnity" errors={e("indemnity")} />
              <form class="stack" method="post" action="/admin/cpts/indemnites">
                <Csrf token={csrf} />
                <Field form="indemnity" name="validFrom" label="À partir du" type="date" values={v("indemnity", { validFrom: today })} errors={e("indemnity")} />
                <SelectField form="indemnity" name="unit" label="Unité" options={Object.entries(UNIT_LABELS)} values={v("indemnity", {})} errors={e("indemnity")} />
                <SelectField form="indemnity" name="professionGroup" label="Professions" options={Object.entries(GROUP_LABELS)} values={v("indemnity", {})} errors={e("indemnity")} />
                <Field form="indemnity" name="rate" label="Taux (€)" values={v("indemnity", {})} errors={e("indemnity")} />
                <Field form="indemnity" name="cap" label="Plafond annuel par personne (€, facultatif)" values={v("indemnity", {})} errors={e("indemnity")} />
                <Submit label="Ajouter la règle" />
              </form>
            </details>
          ) : null}
        </section>
      </>,
      status,
    );
  };

  app.get("/cpts", (c) => page(c));

  // « Ajouter à Slack » / « Ajouter à Discord »: out to the platform with a state bound to this admin session, back here to link
  app.get("/cpts/chat/slack/ajouter", requireRole("COORDONNATEUR"), async (c) => {
    const o = slackOAuthConfig(deps.ctx);
    if (!o) return redirectWith(c, "/admin/cpts#general", "bad", "L'installation Slack n'est pas configurée (SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, COORDO_SECRET_KEY).");
    return c.redirect(await slackInstallUrl(deps.ctx, o, c.get("user").cptsId, c.get("sessionId")), 302);
  });
  app.get("/chat/slack/retour", requireRole("COORDONNATEUR"), async (c) => {
    const o = slackOAuthConfig(deps.ctx);
    if (!o) return redirectWith(c, "/admin/cpts#general", "bad", "L'installation Slack n'est pas configurée.");
    const { cptsId } = c.get("user");
    try {
      const r = await completeSlackInstall(deps.ctx, o, { code: c.req.query("code"), state: c.req.query("state"), error: c.req.query("error") }, { id: c.get("sessionId"), cptsId });
      await deps.repo.audit({ cptsId, actor: deps.actor(c), action: "chat.slack_installe", target: r.teamId, details: { name: r.teamName } });
      return redirectWith(c, "/admin/cpts#general", "ok", `coordo est installé dans l'espace Slack « ${r.teamName} », relié à votre CPTS.`);
    } catch (e) {
      if (e instanceof UserError) return redirectWith(c, "/admin/cpts#general", "bad", e.message);
      throw e;
    }
  });
  app.get("/cpts/chat/discord/ajouter", requireRole("COORDONNATEUR"), (c) => {
    const url = discordInviteUrl(deps.ctx, c.get("user").cptsId, c.get("sessionId"));
    return url ? c.redirect(url, 302) : redirectWith(c, "/admin/cpts#general", "bad", "L'ajout à Discord n'est pas configuré (DISCORD_APPLICATION_ID, COORDO_SECRET_KEY).");
  });
  app.get("/chat/discord/retour", requireRole("COORDONNATEUR"), async (c) => {
    const { cptsId } = c.get("user");
    try {
      const r = await completeDiscordInvite(deps.ctx, { guild_id: c.req.query("guild_id"), state: c.req.query("state"), error: c.req.query("error") }, { id: c.get("sessionId"), cptsId });
      await deps.repo.audit({ cptsId, actor: deps.actor(c), action: "chat.discord_ajoute", target: r.guild });
      return redirectWith(c, "/admin/cpts#general", "ok", `Serveur Discord ${r.guild} relié à votre CPTS : ${r.commands}`);
    } catch (e) {
      if (e instanceof UserError) return redirectWith(c, "/admin/cpts#general", "bad", e.message);
      throw e;
    }
  });

  /** Shared shape of every settings POST: parse → (on error) re-render with errors beside the fields → write → redirect. */
  const post = <S extends z.ZodType>(path: string, form: string | ((c: AdminContext) => string), schema: S, write: (c: AdminContext, data: z.output<S>) => Promise<string | Response>) => {
    app.post(path, requireRole("COORDONNATEUR"), async (c) => {
      const raw = c.get("form");
      const name = typeof form === "string" ? form : form(c);
      const parsed = parseWith(schema, raw);
      if (!parsed.ok) return page(c, { form: name, values: parsed.values, errors: parsed.errors }, FORM_ERROR_STATUS);
      try {
        const r = await write(c, parsed.data);
        return typeof r === "string" ? redirectWith(c, `/admin/cpts#${sectionOf(name)}`, "ok", r) : r;
      } catch (e) {
        if (e instanceof UserError) return page(c, { form: name, values: formValues(raw), errors: { [e.field ?? "_form"]: e.message } }, FORM_ERROR_STATUS);
        throw e;
      }
    });
  };

  post("/cpts/general", "general", generalForm, async (c, d) => {
    if (d.alertChannelId) await checkAlertChannel(deps.ctx.db, c.get("user").cptsId, d.alertChannelId);
    await repo.update(c.get("user").cptsId, {
      name: d.name, population: d.population, contactEmail: d.contactEmail ?? null, address: d.address ?? null, paymentLink: d.paymentLink ?? null,
      paymentInstructions: d.paymentInstructions ?? null, newsletterCadence: d.newsletterCadence, alertChannelId: d.alertChannelId ?? null,
      mailSenderName: d.mailSenderName ?? null, mailReplyTo: d.mailReplyTo ?? null,
    }, deps.actor(c), "cpts.modifiee");
    return `Réglages enregistrés (taille ${sizeFromPopulation(d.population)}).`;
  });

  post("/cpts/communes", "commune", communeForm, async (c, d) => {
    const { cptsId } = c.get("user");
    const created = await cptsRepo.addCommune(cptsId, d);
    await deps.repo.audit({ cptsId, actor: deps.actor(c), action: "cpts.commune_ajoutee", target: created.inseeCode, details: { name: created.name } });
    return `Commune ${created.name} ajoutée au territoire.`;
  });

  app.post("/cpts/communes/:id/retirer", requireRole("COORDONNATEUR"), async (c) => {
    const ok = await repo.removeCommune(c.get("user").cptsId, c.req.param("id"), deps.actor(c));
    if (!ok) return notFound(deps, c, "Cette commune");
    return redirectWith(c, "/admin/cpts#communes", "ok", "Commune retirée du territoire.");
  });

  post("/cpts/contrat", "contract", contractForm, async (c, d) => {
    const { cptsId } = c.get("user");
    if ((await repo.overview(cptsId, yearOf(deps.ctx.clock.today()))).contracts.some((k) => !k.terminatedOn)) throw new UserError("Un contrat ACI en cours existe déjà.");
    await repo.createContract(cptsId, d, deps.actor(c));
    return "Contrat ACI enregistré : renseignez les dates de démarrage des missions.";
  });

  post("/cpts/avenants", "amendment", amendmentForm, async (c, d) => {
    const { cptsId } = c.get("user");
    const contract = (await repo.overview(cptsId, yearOf(deps.ctx.clock.today()))).contracts.find((k) => !k.terminatedOn);
    if (!contract) throw new UserError("Aucun contrat ACI en cours.");
    if (d.effectiveOn < contract.signedOn) throw new UserError(`La date d'effet ne peut pas précéder la signature du contrat (${formatDateFr(contract.signedOn)}).`, "effectiveOn");
    await repo.addAmendment(cptsId, contract.id, { effectiveOn: d.effectiveOn, description: d.description, population: d.population ?? null, size: d.size ?? null }, deps.actor(c));
    return "Avenant enregistré.";
  });

  post("/cpts/missions/:id", (c) => `mission-${c.req.param("id")}`, missionForm, async (c, d) => {
    const ok = await repo.updateMission(c.get("user").cptsId, c.req.param("id")!, { contracted: d.contracted, startOn: d.startOn ?? null, deployedOn: d.deployedOn ?? null, startDueOn: d.startDueOn ?? null, deployDueOn: d.deployDueOn ?? null }, deps.actor(c));
    return ok ? "Mission mise à jour." : notFound(deps, c, "Cette mission");
  });

  post("/cpts/indicateurs/:id/resultats", (c) => `indicator-${c.req.param("id")}`, resultForm, async (c, d) => {
    const ok = await repo.setIndicatorResult(c.get("user").cptsId, c.req.param("id")!, d.contractYear, d.value, deps.ctx.clock.today(), deps.actor(c));
    return ok ? `Résultat de l'année ${d.contractYear} enregistré.` : notFound(deps, c, "Cet indicateur");
  });

  post("/cpts/cotisations", "rate", rateForm, async (c, d) => {
    await repo.setDuesRate(c.get("user").cptsId, d.year, d.category, d.amount, deps.actor(c));
    return `Cotisation ${CATEGORY_LABELS_FR[d.category]!.toLowerCase()} ${d.year} : ${formatEuros(d.amount)}.`;
  });

  post("/cpts/relances", "reminders", reminderForm, async (c, d) => {
    await repo.setReminderPolicy(c.get("user").cptsId, d, deps.actor(c));
    return "Politique de relance enregistrée.";
  });

  post("/cpts/indemnites", "indemnity", indemnityForm, async (c, d) => {
    await repo.addIndemnityRule(c.get("user").cptsId, { validFrom: d.validFrom, unit: d.unit, professionGroup: d.professionGroup, rateCents: d.rate, capPerYearCents: d.cap ?? null }, deps.actor(c));
    return "Règle d'indemnisation ajoutée.";
  });

  app.post("/cpts/indemnites/:id/retirer", requireRole("COORDONNATEUR"), async (c) => {
    const ok = await repo.removeIndemnityRule(c.get("user").cptsId, c.req.param("id"), deps.actor(c));
    if (!ok) return notFound(deps, c, "Cette règle");
    return redirectWith(c, "/admin/cpts#indemnites", "ok", "Règle retirée.");
  });
}
