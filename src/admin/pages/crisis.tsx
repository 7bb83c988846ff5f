/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Plan de crise: current version, sections with owner and last review, versions, next refresh.
import { z } from "zod";
import type { AdminApp, AdminContext, AdminDeps } from "../app.tsx";
import { notFound } from "../app.tsx";
import { requireRole } from "../auth.ts";
import { redirectWith } from "../flash.ts";
import { FORM_ERROR_STATUS, formValues, isoDate, parseWith, optionalText, stateOf, type FormState } from "../forms.ts";
import { Badge, Csrf, Empty, Field, FormError } from "../ui.tsx";
import { crisisPlanOverview, markSectionReviewed, recordNewVersion } from "../../app/services/crisis-plan.ts";
import { CrisisAdminRepository } from "../../db/repos/admin-repo.ts";
import type { MemberChoice } from "../../db/repos/admin-lists-repo.ts";
import { MemberSearchField, memberLabel, memberSuggestions, resolveMember } from "../member-search.tsx";
import { formatDateFr } from "../../rules/index.ts";
import { UserError } from "../../app/errors.ts";

// The plan's four parts first (anticipate, adapt, activate, evaluate), then the five situations.
const SECTION_ORDER = ["ANTICIPER", "ADAPTER", "ACTIVER_PILOTER", "EVALUER", "SITUATION_BLESSES", "SITUATION_MALADES", "SITUATION_AGENT_INFECTIEUX", "SITUATION_NRC", "SITUATION_OFFRE_DEGRADEE"];
const versionForm = z.object({ adoptedOn: isoDate("date d'adoption"), notes: optionalText(500) });
const reviewForm = z.object({ comment: optionalText(500) });
/** The form of a section's owner (one per section: its id is in the form's name, so field ids stay unique). */
const ownerFormName = (sectionId: string) => `responsable-${sectionId}`;
const OWNERS_SUGGEST_URL = "/admin/plan-de-crise/adherents";

export function crisisRoutes(app: AdminApp, deps: AdminDeps): void {
  const repo = new CrisisAdminRepository(deps.ctx.db);

  const page = async (c: AdminContext, st?: FormState, status: 200 | 422 = 200, candidates: MemberChoice[] = []) => {
    const { cptsId, role } = c.get("user");
    const today = deps.ctx.clock.today();
    const [o, versions] = await Promise.all([crisisPlanOverview(deps.ctx, cptsId, today), repo.versions(cptsId)]);
    const csrf = c.get("csrf");
    const coord = role === "COORDONNATEUR";
    return deps.page(
      c,
      "Plan de crise",
      "/admin/plan-de-crise",
      <>
        <section class="card">
          <p>
            {o.current ? <>Version en cours : <strong>v{o.current.version}</strong> {o.current.draft ? <Badge kind="warn">brouillon</Badge> : <Badge kind="ok">adoptée le {formatDateFr(o.current.adoptedOn!)}</Badge>}</> : "Aucun plan enregistré."}
            {o.nextRefresh ? <> · prochaine échéance : {o.nextRefresh.label}, {formatDateFr(o.nextRefresh.dueDate)} ({o.nextRefresh.daysLeft >= 0 ? `dans ${o.nextRefresh.daysLeft} j` : `en retard de ${-o.nextRefresh.daysLeft} j`})</> : null}
          </p>
        </section>
        <section class="card" id="parties">
          <h2>Parties du plan</h2>
          {o.sections.length ? (
            <div class="table-wrap" role="region" tabindex={0} aria-label="Parties du plan">
              <table class="cards">
                <thead><tr><th>Partie</th><th>Responsable</th><th>Dernière relecture</th>{coord ? <th>Actions</th> : null}</tr></thead>
                <tbody>
                  {[...o.sections].sort((a, b) => SECTION_ORDER.indexOf(a.kind) - SECTION_ORDER.indexOf(b.kind)).map((s) => (
                    <tr>
                      <td data-label="Partie">{s.title}</td>
                      <td data-label="Responsable">
                        {coord ? (
                          <form method="post" action={`/admin/plan-de-crise/sections/${s.id}/responsable`} id={ownerFormName(s.id)}>
                            <Csrf token={csrf} />
                            <p>{s.owner ? <>Actuellement : <strong>{s.owner.name}</strong></> : "Aucun responsable."}</p>
                            <MemberSearchField
                              form={ownerFormName(s.id)}
                              name="responsable"
                              label={`Nouveau responsable de « ${s.title} »`}
                              value={st?.form === ownerFormName(s.id) ? (st.values.responsable ?? "") : s.owner ? memberLabel({ organization: s.owner.name, email: s.owner.email }) : ""}
                              hint="Nom ou e-mail d'un adhérent actif ; vide : aucun responsable."
                              suggestUrl={OWNERS_SUGGEST_URL}
                              error={st?.form === ownerFormName(s.id) ? st.errors.responsable : undefined}
                              candidates={st?.form === ownerFormName(s.id) ? candidates : []}
                              autofocus
                            />
                            <button type="submit" class="secondary">Changer</button>
                          </form>
                        ) : (s.owner?.name ?? "—")}
                      </td>
                      <td data-label="Dernière relecture">{s.lastReviewedOn ? formatDateFr(s.lastReviewedOn) : <Badge kind="warn">jamais</Badge>}</td>
                      {coord ? (
                        <td data-label="Actions">
                          <form method="post" action={`/admin/plan-de-crise/sections/${s.id}/relue`} class="inline">
                            <Csrf token={csrf} />
                            <input type="text" name="comment" placeholder="commentaire (facultatif)" aria-label="Commentaire de relecture" />
                            <button type="submit" class="secondary">Marquer relue</button>
                          </form>
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <Empty>Aucune partie.</Empty>
          )}
        </section>
        <section class="card" id="versions">
          <h2>Versions</h2>
          <ul>
            {versions.map((v) => <li>v{v.version} — {v.adoptedOn ? `adoptée le ${formatDateFr(v.adoptedOn)}` : "brouillon"}{v.notes ? ` — ${v.notes}` : ""}</li>)}
          </ul>
          {coord ? (
            <>
              <FormError form="version" {...stateOf(st, "version")} />
              <form class="inline" id="version" method="post" action="/admin/plan-de-crise/versions">
                <Csrf token={csrf} />
                <Field form="version" name="adoptedOn" label="Date d'adoption" type="date" value={today} {...stateOf(st, "version")} />
                <Field form="version" name="notes" label="Notes" {...stateOf(st, "version")} hint={o.current?.draft ? "Vides : les notes du brouillon sont gardées." : undefined} />
                <div class="actions"><button type="submit">{o.current?.draft ? "Adopter le brouillon" : "Enregistrer une nouvelle version"}</button></div>
              </form>
            </>
          ) : null}
        </section>
      </>,
      status,
    );
  };

  app.get("/plan-de-crise", (c) => page(c));

  app.post("/plan-de-crise/versions", requireRole("COORDONNATEUR"), async (c) => {
    const parsed = parseWith(versionForm, c.get("form"));
    if (!parsed.ok) return page(c, { form: "version", values: parsed.values, errors: parsed.errors }, FORM_ERROR_STATUS);
    try {
      const r = await recordNewVersion(deps.ctx, c.get("user").cptsId, parsed.data.adoptedOn, deps.actor(c), parsed.data.notes);
      return redirectWith(c, "/admin/plan-de-crise#versions", "ok", `Version ${r.version} adoptée le ${formatDateFr(r.adoptedOn)}.`);
    } catch (e) {
      if (e instanceof UserError) return page(c, { form: "version", values: formValues(c.get("form")), errors: { [e.field ?? "_form"]: e.message } }, FORM_ERROR_STATUS);
      throw e;
    }
  });

  app.post("/plan-de-crise/sections/:id/relue", requireRole("COORDONNATEUR"), async (c) => {
    const { cptsId, memberId } = c.get("user");
    const parsed = parseWith(reviewForm, c.get("form"));
    if (!parsed.ok) return redirectWith(c, "/admin/plan-de-crise", "bad", Object.values(parsed.errors).join(" ; "));
    const o = await crisisPlanOverview(deps.ctx, cptsId, deps.ctx.clock.today());
    const section = o.sections.find((s) => s.id === c.req.param("id"));
    if (!section) return notFound(deps, c, "Cette partie du plan");
    const reviewer = memberId ?? section.owner?.id;
    if (!reviewer) return redirectWith(c, "/admin/plan-de-crise", "bad", "Votre compte n'est lié à aucun adhérent et la partie n'a pas de responsable : désignez d'abord un responsable.");
    await markSectionReviewed(deps.ctx, cptsId, section.id, reviewer, parsed.data.comment);
    await deps.repo.audit({ cptsId, actor: deps.actor(c), action: "plan_crise.relecture", target: section.kind });
    return redirectWith(c, "/admin/plan-de-crise#parties", "ok", `« ${section.title} » marquée comme relue.`);
  });

  // At most 20 suggestions for the owner field (JSON, fetched as the coordinator types).
  app.get("/plan-de-crise/adherents", requireRole("COORDONNATEUR"), async (c) => c.json(await memberSuggestions(deps.ctx.db, c.get("user").cptsId, c.req.query("q") ?? "")));

  app.post("/plan-de-crise/sections/:id/responsable", requireRole("COORDONNATEUR"), async (c) => {
    const { cptsId } = c.get("user");
    const sectionId = c.req.param("id");
    const o = await crisisPlanOverview(deps.ctx, cptsId, deps.ctx.clock.today());
    const section = o.sections.find((s) => s.id === sectionId);
    if (!section) return notFound(deps, c, "Cette partie du plan");
    const form = c.get("form") as Record<string, unknown>;
    const pick = await resolveMember(deps.ctx.db, cptsId, { text: form.responsable, choice: form.responsableChoix }, true);
    if (!pick.ok) return page(c, { form: ownerFormName(sectionId), values: formValues(form), errors: { responsable: pick.error } }, FORM_ERROR_STATUS, pick.candidates);
    if ((pick.member?.id ?? null) === (section.owner?.id ?? null)) return redirectWith(c, `/admin/plan-de-crise#${ownerFormName(sectionId)}`, "ok", `« ${section.title} » : responsable inchangé.`);
    const ok = await repo.setSectionOwner(cptsId, sectionId, pick.member?.id ?? null, deps.actor(c));
    if (!ok) return notFound(deps, c, "Cette partie du plan");
    return redirectWith(c, `/admin/plan-de-crise#${ownerFormName(sectionId)}`, "ok", pick.member ? `« ${section.title} » : responsable ${memberLabel(pick.member)}.` : `« ${section.title} » : plus de responsable.`);
  });
}
