/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// « Modèles de messages »: each CPTS rewords its mails (dues reminders by step, deadline alerts,
// crisis-plan review, crisis alert). Default text and variables shown, preview with a real member,
// a test to the coordinator's own address, versions (journal) with restore, reset to the default.
import { z } from "zod";
import type { AdminApp, AdminContext, AdminDeps } from "../app.tsx";
import { notFound } from "../app.tsx";
import { requireRole } from "../auth.ts";
import { redirectWith } from "../flash.ts";
import { FORM_ERROR_STATUS, formValues, type FieldErrors, type FormState } from "../forms.ts";
import { Badge, Csrf, Empty, Field, fieldAttrs, FieldError, FormError } from "../ui.tsx";
import { formatDateTimeFr } from "../../rules/paris-time.ts";
import { MailWordingRepository, wordingFor, wordingsOf } from "../../db/repos/mail-wording-repo.ts";
import { previewMembers, previewWording, sendWordingTest, wordingErrors } from "../../app/services/mail-wordings.ts";
import { isWordingKey, WORDING_KEYS, WORDINGS, type WordingKey } from "../../../templates/mail/wordings.ts";
import { WORDING_BODY_MAX, WORDING_SUBJECT_MAX, type MailWordingText } from "../../mail/wording.ts";
import type { RenderedMail } from "../../mail/template.ts";

const BASE = "/admin/modeles-de-messages";
const FORM = "modele";

const wordingForm = z.object({
  subject: z.string().default(""),
  body: z.string().default(""),
  memberId: z.string().max(40).optional(),
  action: z.enum(["apercu", "enregistrer", "test"]).default("apercu"),
});

const authorLabel = (actor: string) => actor.replace(/^admin:/, "");

export function mailWordingRoutes(app: AdminApp, deps: AdminDeps): void {
  const repo = new MailWordingRepository(deps.ctx.db);

  app.get("/modeles-de-messages", async (c) => {
    const { cptsId } = c.get("user");
    const [current, versions] = await Promise.all([wordingsOf(deps.ctx.db, cptsId), deps.ctx.db.mailWording.groupBy({ by: ["key"], where: { cptsId }, _max: { version: true } })]);
    const last = new Map(versions.map((v) => [v.key, v._max.version ?? 0]));
    return deps.page(
      c,
      "Modèles de messages",
      BASE,
      <section class="card">
        <p>Chaque mail automatique de la CPTS peut être reformulé : objet et texte, avec des variables (nom de l'adhérent, montant…). Les boutons (paiement, disponibilité), le montant et le lien de désinscription sont toujours ajoutés.</p>
        <div class="table-wrap" role="region" tabindex={0} aria-label="Modèles de messages">
          <table class="cards">
            <thead><tr><th>Message</th><th>Quand</th><th>Texte utilisé</th><th></th></tr></thead>
            <tbody>
              {WORDING_KEYS.map((k) => (
                <tr>
                  <td data-label="Message">{WORDINGS[k].label}</td>
                  <td data-label="Quand">{WORDINGS[k].about}</td>
                  <td data-label="Texte utilisé">{current.has(k) ? <Badge kind="ok">personnalisé (version {last.get(k)})</Badge> : "texte par défaut de coordo"}</td>
                  <td data-label=""><a href={`${BASE}/${k}`} aria-label={`Modifier : ${WORDINGS[k].label}`}>Modifier</a></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>,
    );
  });

  const editor = async (c: AdminContext, key: WordingKey, opts: { st?: FormState; preview?: { mail: RenderedMail; memberName: string | null }; notice?: string; status?: 200 | 422 } = {}) => {
    const { cptsId, role } = c.get("user");
    const coord = role === "COORDONNATEUR";
    const spec = WORDINGS[key];
    const [current, history, members] = await Promise.all([wordingFor(deps.ctx.db, cptsId, key), repo.history(cptsId, key), previewMembers(deps.ctx, cptsId)]);
    const values = opts.st?.values ?? { subject: current?.subject ?? spec.subject, body: current?.body ?? spec.body, memberId: members[0]?.id ?? "" };
    const errors: FieldErrors | undefined = opts.st?.errors;
    const body = fieldAttrs({ name: "body", form: FORM, errors });
    const csrf = c.get("csrf");
    return deps.page(
      c,
      `Modèle : ${spec.label}`,
      BASE,
      <>
        <p><a href={BASE}>← Tous les modèles de messages</a></p>
        {opts.notice ? <div class="flash ok" role="status">{opts.notice}</div> : null}
        <section class="card" id="texte">
          <h2>Texte du message</h2>
          <p>{spec.about} {current ? <Badge kind="ok">texte personnalisé</Badge> : <Badge>texte par défaut de coordo</Badge>}</p>
          <FormError form={FORM} errors={errors} />
          <form class="stack" id={FORM} method="post" action={`${BASE}/${key}`}>
            <Csrf token={csrf} />
            <Field form={FORM} name="subject" label="Objet" values={values} errors={errors} hint={`${WORDING_SUBJECT_MAX} caractères au plus, sur une ligne.`} />
            <div>
              <label for={body.id}>Texte</label>
              <textarea {...body.attrs} name="body" rows={12}>{values.body ?? ""}</textarea>
              <span class="muted">Texte simple : une ligne vide sépare deux paragraphes. {WORDING_BODY_MAX} caractères au plus.</span>
              <FieldError id={body.errId} text={body.err} />
            </div>
            <div>
              <label for={`${FORM}-memberId`}>Adhérent pour l'aperçu et le test</label>
              <select id={`${FORM}-memberId`} name="memberId">
                {members.map((m) => <option value={m.id} selected={m.id === values.memberId}>{m.name}</option>)}
              </select>
            </div>
            <div class="actions">
              <button type="submit" name="action" value="apercu" class="secondary">Aperçu</button>
              {coord ? <button type="submit" name="action" value="enregistrer">Enregistrer</button> : null}
              {coord ? <button type="submit" name="action" value="test" class="secondary">M'envoyer un test ({c.get("user").email})</button> : null}
            </div>
          </form>
          {coord && current ? (
            <form method="post" action={`${BASE}/${key}/reinitialiser`}>
              <Csrf token={csrf} />
              <button type="submit" class="secondary" data-confirm="Revenir au texte par défaut de coordo ? Votre texte reste dans l'historique.">Revenir au texte par défaut</button>
            </form>
          ) : null}
        </section>
        {opts.preview ? (
          <section class="card" id="apercu">
            <h2>Aperçu{opts.preview.memberName ? ` pour ${opts.preview.memberName}` : ""}</h2>
            <p>Objet : <strong>{opts.preview.mail.subject}</strong></p>
            <pre class="apercu">{opts.preview.mail.text}</pre>
          </section>
        ) : null}
        <section class="card" id="variables">
          <h2>Variables</h2>
          <p>Écrivez une variable entre doubles accolades : elle est remplacée à l'envoi.</p>
          <dl>
            {Object.entries(spec.variables).map(([name, about]) => (
              <>
                <dt><code>{`{{${name}}}`}</code></dt>
                <dd>{about}</dd>
              </>
            ))}
          </dl>
        </section>
        <section class="card" id="defaut">
          <h2>Texte par défaut de coordo</h2>
          <p>Objet : <strong>{spec.subject}</strong></p>
          <pre class="apercu">{spec.body}</pre>
        </section>
        <section class="card" id="versions">
          <h2>Versions</h2>
          {history.length ? (
            <div class="table-wrap" role="region" tabindex={0} aria-label="Versions du modèle">
              <table class="cards">
                <thead><tr><th>Version</th><th>Enregistrée le</th><th>Par</th><th>Texte</th>{coord ? <th></th> : null}</tr></thead>
                <tbody>
                  {history.map((h, i) => (
                    <tr>
                      <td data-label="Version">{h.version}{i === 0 ? " (en vigueur)" : ""}</td>
                      <td data-label="Enregistrée le">{formatDateTimeFr(h.createdAt)}</td>
                      <td data-label="Par">{authorLabel(h.author)}</td>
                      <td data-label="Texte">
                        {h.subject === null ? "retour au texte par défaut" : (
                          <details>
                            <summary>{h.subject}</summary>
                            <pre class="apercu">{h.body}</pre>
                          </details>
                        )}
                      </td>
                      {coord ? (
                        <td data-label="">
                          {i > 0 && h.subject !== null ? (
                            <form method="post" action={`${BASE}/${key}/restaurer/${h.version}`}>
                              <Csrf token={csrf} />
                              <button type="submit" class="secondary">Rétablir la version {h.version}</button>
                            </form>
                          ) : null}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : <Empty>Aucune version enregistrée : le texte par défaut de coordo est utilisé.</Empty>}
        </section>
      </>,
      opts.status ?? 200,
    );
  };

  const keyOf = (c: AdminContext): WordingKey | null => {
    const k = c.req.param("key") ?? "";
    return isWordingKey(k) ? k : null;
  };

  app.get("/modeles-de-messages/:key", async (c) => {
    const key = keyOf(c);
    return key ? editor(c, key) : notFound(deps, c, "Ce modèle de message");
  });

  app.post("/modeles-de-messages/:key", async (c) => {
    const key = keyOf(c);
    if (!key) return notFound(deps, c, "Ce modèle de message");
    const raw = c.get("form");
    const parsed = wordingForm.safeParse(formValues(raw));
    if (!parsed.success) return editor(c, key, { st: { form: FORM, values: formValues(raw), errors: { _form: "Formulaire incomplet : rechargez la page." } }, status: FORM_ERROR_STATUS });
    const d = parsed.data;
    const values = formValues(raw);
    const text: MailWordingText = { subject: d.subject.trim(), body: d.body.replace(/\r\n/g, "\n").trim() };
    const errors = wordingErrors(key, text);
    if (Object.keys(errors).length) return editor(c, key, { st: { form: FORM, values, errors: errors as FieldErrors }, status: FORM_ERROR_STATUS });
    const { cptsId, role, email } = c.get("user");
    if (d.action !== "apercu" && role !== "COORDONNATEUR") return editor(c, key, { st: { form: FORM, values, errors: { _form: "Seul le coordonnateur peut enregistrer ou tester un modèle." } }, status: FORM_ERROR_STATUS });
    if (d.action === "enregistrer") {
      const version = await repo.save(cptsId, key, WORDINGS[key].label, text, deps.actor(c), "modele.enregistre");
      return redirectWith(c, `${BASE}/${key}#texte`, "ok", `Modèle enregistré (version ${version}) : les prochains envois l'utiliseront.`);
    }
    if (d.action === "test") {
      const r = await sendWordingTest(deps.ctx, cptsId, key, text, d.memberId, email, deps.actor(c));
      const notice = r.queued
        ? `Test placé dans la file d'envoi pour ${email} (visible dans Envois).`
        : `Ce test a déjà été envoyé à ${email} : rien n'est renvoyé. Modifiez le texte ou l'adhérent pour un nouvel essai.`;
      const p = await previewWording(deps.ctx, cptsId, key, text, d.memberId);
      return editor(c, key, { st: { form: FORM, values, errors: {} }, preview: { mail: p.mail, memberName: p.member?.name ?? null }, notice });
    }
    const p = await previewWording(deps.ctx, cptsId, key, text, d.memberId);
    return editor(c, key, { st: { form: FORM, values, errors: {} }, preview: { mail: p.mail, memberName: p.member?.name ?? null } });
  });

  app.post("/modeles-de-messages/:key/reinitialiser", requireRole("COORDONNATEUR"), async (c) => {
    const key = keyOf(c);
    if (!key) return notFound(deps, c, "Ce modèle de message");
    const { cptsId } = c.get("user");
    if (!(await wordingFor(deps.ctx.db, cptsId, key))) return redirectWith(c, `${BASE}/${key}#texte`, "ok", "Ce message utilise déjà le texte par défaut de coordo.");
    const version = await repo.save(cptsId, key, WORDINGS[key].label, null, deps.actor(c), "modele.reinitialise");
    return redirectWith(c, `${BASE}/${key}#texte`, "ok", `Retour au texte par défaut de coordo (version ${version} ; l'ancien texte reste dans l'historique).`);
  });

  app.post("/modeles-de-messages/:key/restaurer/:version", requireRole("COORDONNATEUR"), async (c) => {
    const key = keyOf(c);
    const n = Number.parseInt(c.req.param("version"), 10);
    if (!key || !Number.isFinite(n)) return notFound(deps, c, "Cette version");
    const { cptsId } = c.get("user");
    const old = await repo.version(cptsId, key, n);
    if (!old || old.subject === null || old.body === null) return notFound(deps, c, "Cette version");
    const version = await repo.save(cptsId, key, WORDINGS[key].label, { subject: old.subject, body: old.body }, deps.actor(c), "modele.restaure", n);
    return redirectWith(c, `${BASE}/${key}#texte`, "ok", `Version ${n} rétablie (enregistrée comme version ${version}).`);
  });
}
