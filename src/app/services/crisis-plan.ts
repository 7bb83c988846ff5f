// Crisis plan (plan de gestion de crise): current version, section owners and reviews, yearly refresh.
// The refresh date comes from the deadline rules (crisis_plan / crisis_plan_update); recording a new
// version is what marks that deadline done and feeds the funding rules (plan-update year).
import type { AppContext } from "../context.ts";
import { deadlines as computeDeadlines, daysBetween, addDays, formatDateFr, isIsoDate, type Deadline } from "../../rules/index.ts";
import { loadRulesInputs } from "../../db/repos/cpts-rules-repo.ts";
import { latestVersions, findSection, addReview, adoptDraft, createVersionFrom, memberExists, cptsNameAndSettings } from "../../db/repos/crisis-repo.ts";
import { memberDisplayName, writeAudit } from "../../db/repos/dues-repo.ts";
import { renderMail, TemplateError } from "../../mail/template.ts";
import { planCriseRevueTemplate } from "../../../templates/mail/plan-crise-revue.ts";
import { unsubscribeUrl } from "../../mail/links.ts";
import { wordingFor } from "../../db/repos/mail-wording-repo.ts";
import { enqueueMessages, inTransaction, type OutboxDraft } from "./outbox.ts";
import { excerpt, UserError } from "../errors.ts";

/** Section owners are asked to review this many days before the refresh is due, then every REPEAT days. */
export const REVIEW_LEAD_DAYS = 60;
export const REVIEW_REPEAT_DAYS = 14;

export interface CrisisReviewSettings {
  leadDays: number;
  repeatDays: number;
}

/**
 * The review-request timing of a CPTS: `Cpts.settings.crisisReview.{leadDays, repeatDays}` (JSON),
 * each falling back to its default when absent or not a positive whole number of days (≤ 366).
 */
export function crisisReviewSettings(raw: unknown): CrisisReviewSettings {
  const section = typeof raw === "object" && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>).crisisReview : undefined;
  const obj = typeof section === "object" && section !== null && !Array.isArray(section) ? (section as Record<string, unknown>) : {};
  const days = (v: unknown, fallback: number) => (typeof v === "number" && Number.isInteger(v) && v > 0 && v <= 366 ? v : fallback);
  return { leadDays: days(obj.leadDays, REVIEW_LEAD_DAYS), repeatDays: days(obj.repeatDays, REVIEW_REPEAT_DAYS) };
}

export interface CrisisSectionView {
  id: string;
  kind: string;
  title: string;
  owner: { id: string; name: string; email: string | null; prefAlerts: boolean; emailInvalid: boolean; unsubscribeToken: string } | null;
  lastReviewedOn: string | null;
}

export interface CrisisPlanOverview {
  current: { id: string; version: number; adoptedOn: string | null; draft: boolean } | null;
  lastAdopted: { version: number; adoptedOn: string } | null;
  sections: CrisisSectionView[];
  /** The next crisis-plan deadline not done (first version or yearly update). */
  nextRefresh: { key: string; label: string; dueDate: string; daysLeft: number; state: Deadline["state"] } | null;
}

export async function crisisPlanOverview(ctx: AppContext, cptsId: string, at: string): Promise<CrisisPlanOverview> {
  const inputs = await loadRulesInputs(ctx.db, cptsId, { funding: false });
  if (!inputs) throw new UserError("CPTS introuvable.");
  const versions = await latestVersions(ctx.db, cptsId);
  const current = versions[0] ?? null;
  const lastAdopted = versions.find((v) => v.adoptedOn !== null) ?? null;
  const next = computeDeadlines(inputs.deadlines, at, inputs.settings).find(
    (d) => (d.kind === "crisis_plan" || d.kind === "crisis_plan_update") && d.state !== "fait",
  );
  return {
    current: current ? { id: current.id, version: current.version, adoptedOn: current.adoptedOn, draft: current.adoptedOn === null } : null,
    lastAdopted: lastAdopted ? { version: lastAdopted.version, adoptedOn: lastAdopted.adoptedOn! } : null,
    sections: (current?.sections ?? []).map((s) => ({
      id: s.id,
      kind: s.kind,
      title: s.title,
      owner: s.owner
        ? { id: s.owner.id, name: memberDisplayName(s.owner), email: s.owner.email, prefAlerts: s.owner.prefAlerts, emailInvalid: s.owner.emailInvalid, unsubscribeToken: s.owner.unsubscribeToken }
        : null,
      lastReviewedOn: s.reviews[0]?.reviewedOn ?? null,
    })),
    nextRefresh: next ? { key: next.key, label: next.label, dueDate: next.dueDate, daysLeft: daysBetween(at, next.dueDate), state: next.state } : null,
  };
}

/** Records that `memberId` reviewed a section (by kind, e.g. "ANTICIPER", or id) of the current version. */
export async function markSectionReviewed(ctx: AppContext, cptsId: string, section: string, memberId: string, comment?: string) {
  const versions = await latestVersions(ctx.db, cptsId);
  const current = versions[0];
  if (!current) throw new UserError("Aucun plan de crise n'est enregistré pour cette CPTS.");
  const found = await findSection(ctx.db, current.id, section);
  if (!found) throw new UserError(`Partie du plan de crise inconnue : « ${excerpt(section)} ».`, "section");
  if (!(await memberExists(ctx.db, cptsId, memberId))) throw new UserError("Adhérent inconnu dans cette CPTS.", "memberId");
  const review = await addReview(ctx.db, found.id, memberId, ctx.clock.today(), comment);
  await writeAudit(ctx.db, { cptsId, actor: `member:${memberId}`, action: "crisis_plan.review", target: found.kind });
  return { sectionId: found.id, kind: found.kind, reviewedOn: review.reviewedOn };
}

/** Adopts the draft (if the latest version is one) or records a new adopted version copying the sections. */
export async function recordNewVersion(ctx: AppContext, cptsId: string, adoptedOn: string, actor: string, notes?: string) {
  if (!isIsoDate(adoptedOn)) throw new UserError("Date d'adoption invalide : attendu AAAA-MM-JJ.", "adoptedOn");
  if (adoptedOn > ctx.clock.today()) throw new UserError("La date d'adoption ne peut pas être dans le futur.", "adoptedOn");
  const result = await inTransaction(ctx.db, async (tx) => {
    const versions = await latestVersions(tx, cptsId);
    const latest = versions[0];
    if (latest && latest.adoptedOn === null) {
      const v = await adoptDraft(tx, latest.id, adoptedOn, notes);
      return { version: v.version, adoptedOn, adoptedDraft: true };
    }
    if (latest?.adoptedOn && adoptedOn < latest.adoptedOn) throw new UserError(`La version ${latest.version} a été adoptée le ${formatDateFr(latest.adoptedOn)} : la nouvelle ne peut pas être antérieure.`, "adoptedOn");
    const v = await createVersionFrom(tx, cptsId, (latest?.version ?? 0) + 1, adoptedOn, latest?.id ?? null, notes);
    return { version: v.version, adoptedOn, adoptedDraft: false };
  });
  await writeAudit(ctx.db, { cptsId, actor, action: "crisis_plan.version", details: result });
  return result;
}

export interface ReviewRequestsResult {
  requested: number;
  skipped: number;
  errors: string[];
}

/**
 * From `leadDays` (per CPTS, default REVIEW_LEAD_DAYS) before the refresh is due until the new version is
 * recorded, asks each section owner who has not reviewed since the window opened; at most once per
 * `repeatDays` (default REVIEW_REPEAT_DAYS) period (the idempotency key names the period, so a missed
 * day is caught up and a re-run sends nothing).
 */
export async function sendCrisisReviewRequests(ctx: AppContext, cptsId: string, at: string, opts: { dryRun?: boolean } = {}): Promise<ReviewRequestsResult> {
  const overview = await crisisPlanOverview(ctx, cptsId, at);
  const next = overview.nextRefresh;
  if (!next || !overview.current) return { requested: 0, skipped: 0, errors: [] };
  const cpts = (await cptsNameAndSettings(ctx.db, cptsId))!;
  const review = crisisReviewSettings(cpts.settings);
  if (next.daysLeft > review.leadDays) return { requested: 0, skipped: 0, errors: [] };
  const windowStart = addDays(next.dueDate, -review.leadDays);
  const period = Math.floor(daysBetween(windowStart, at) / review.repeatDays);
  const cptsName = cpts.name;
  const wording = (await wordingFor(ctx.db, cptsId, "plan-crise-revue")) ?? undefined;
  const drafts: OutboxDraft[] = [];
  let skipped = 0;
  const errors: string[] = [];
  for (const s of overview.sections) {
    if (s.lastReviewedOn && s.lastReviewedOn >= windowStart) continue;
    const o = s.owner;
    if (!o || !o.email || o.emailInvalid || !o.prefAlerts) {
      skipped++;
      continue;
    }
    try {
      const mail = renderMail(planCriseRevueTemplate, {
        cptsName,
        ownerName: o.name,
        sectionTitle: s.title,
        dueDate: formatDateFr(next.dueDate),
        daysLeft: next.daysLeft,
        lastReviewedOn: s.lastReviewedOn ? formatDateFr(s.lastReviewedOn) : undefined,
        preferencesUrl: unsubscribeUrl(ctx.config, o.unsubscribeToken, "alertes"),
        wording,
      });
      drafts.push({
        cptsId, idempotencyKey: `plan_crise:${s.id}:${next.key}:${period}`, channel: "MAIL", kind: "plan_crise",
        recipient: o.email, memberId: o.id, subject: mail.subject, bodyText: mail.text, bodyHtml: mail.html,
        refType: "crisis_section", refId: s.id,
      });
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      errors.push(`${s.kind} : ${e.message}`);
    }
  }
  if (opts.dryRun) return { requested: drafts.length, skipped, errors };
  const requested = await inTransaction(ctx.db, (tx) => enqueueMessages(tx, drafts));
  return { requested, skipped, errors };
}
