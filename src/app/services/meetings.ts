// Meetings and their attendance sheet (émargement): closing a meeting computes each present
// member's indemnity with the CPTS's rules (règlement intérieur), records it and charges it to the
// meeting's mission envelope, all in one transaction.
import type { AppContext } from "../context.ts";
import { excerpt, UserError } from "../errors.ts";
import { MeetingRepository } from "../../db/repos/meeting-repo.ts";
import { inTransaction } from "./outbox.ts";
import {
  chargeToEnvelope,
  computeIndemnities,
  DUES_STATUS_LABELS,
  envelopeBalance,
  formatEuros,
  indemnityEligibility,
  memberDuesBalance,
  passCeilingAt,
  yearOf,
  type IndemnityExclusion,
  type IndemnityRule,
  type IndemnityUnit,
} from "../../rules/index.ts";
import { professionGroup } from "../../rules/professions.ts";
import { DEFAULT_SETTINGS } from "../../rules/settings.ts";
import { indemnityRoleOf, owesDues } from "../../rules/membership.ts";
import { loadRulesInputs } from "../../db/repos/cpts-rules-repo.ts";
import { memberName } from "../../db/repos/member-repo.ts";

/** Closing would overrun the mission envelope: the coordinator may force it (recorded as forced). */
export class EnvelopeOverrunError extends UserError {}

export const MEETING_MISSIONS: Record<string, string> = {
  acces_soins: "Accès aux soins",
  parcours: "Parcours pluriprofessionnels",
  prevention: "Prévention",
  crise: "Crises sanitaires graves",
  qualite: "Qualité et pertinence",
  accompagnement: "Accompagnement des professionnels",
  fonctionnement: "Fonctionnement",
  fir: "FIR (démarrage)",
};

const UNIT: Record<string, IndemnityUnit> = { HEURE: "heure", DEMI_JOURNEE: "demi_journee", FORFAIT: "forfait" };

/** The DB rows (one per validFrom × unit × group × role) as rules, grouped by validity date and unit. */
export function toRules(rows: { validFrom: string; unit: string; professionGroup: string; role: string | null; rateCents: number; capPerYearCents: number | null }[]): IndemnityRule[] {
  const byKey = new Map<string, IndemnityRule>();
  for (const r of rows) {
    const key = `${r.validFrom}|${r.unit}`;
    const rule = byKey.get(key) ?? { validFrom: r.validFrom, unit: UNIT[r.unit]!, rates: [] };
    rule.rates.push({ professionGroup: r.professionGroup as "medecin" | "autre" | "*", role: r.role ?? undefined, cents: r.rateCents });
    if (r.capPerYearCents !== null) rule.capPerPersonPerYearCents = Math.max(rule.capPerPersonPerYearCents ?? 0, r.capPerYearCents);
    byKey.set(key, rule);
  }
  return [...byKey.values()];
}

export async function openMeeting(
  ctx: AppContext,
  input: { cptsId: string; title: string; mission: string; durationMin: number; heldOn: string; openedBy: string; chatChannel?: string },
) {
  if (!MEETING_MISSIONS[input.mission]) throw new UserError(`Mission inconnue « ${excerpt(input.mission)} ».`, "mission");
  const repo = new MeetingRepository(ctx.db);
  const meeting = await repo.create(input);
  await repo.audit({ cptsId: input.cptsId, actor: input.openedBy, action: "meeting.open", target: meeting.id, details: { title: input.title } });
  return meeting;
}

export async function signAttendance(ctx: AppContext, cptsId: string, meetingId: string, memberId: string, via = "chat"): Promise<{ signed: boolean; title: string; count: number }> {
  const repo = new MeetingRepository(ctx.db);
  const meeting = await repo.find(cptsId, meetingId);
  if (!meeting) throw new UserError("Cette réunion n'existe plus.");
  if (meeting.closedAt) throw new UserError(`L'émargement de « ${meeting.title} » est clos : voyez la coordination pour une correction.`);
  const signed = await repo.sign(meeting.id, memberId, via);
  return { signed, title: meeting.title, count: meeting.attendances.length + (signed ? 1 : 0) };
}

export interface ClosedMeeting {
  title: string;
  mission: string;
  /** Indemnities computed (0 € when a cap left nothing: the explanation names the cap; not recorded). */
  lines: { memberId: string; name: string; amountCents: number; explanation: string }[];
  /** Present but not indemnified (DOMAIN §7 and the CPTS's settings), with why. */
  excluded: { memberId: string; name: string; reason: IndemnityExclusion; message: string }[];
  refused: { name: string; message: string }[];
  totalCents: number;
  envelope: { remainingCents: number; forced: boolean } | null;
}

/**
 * Closes the sheet and records the indemnities. An envelope overrun is refused unless `force`
 * (then every expense is flagged forced); nothing is written when refused.
 */
export async function closeMeeting(ctx: AppContext, cptsId: string, meetingId: string, actor: string, opts: { force?: boolean } = {}): Promise<ClosedMeeting> {
  // The CPTS's own settings (PASS ceilings...), read before the write transaction.
  const settings = (await loadRulesInputs(ctx.db, cptsId, { funding: false }))?.settings ?? DEFAULT_SETTINGS;
  return inTransaction(ctx.db, async (tx) => {
    const repo = new MeetingRepository(tx);
    const meeting = await repo.find(cptsId, meetingId);
    if (!meeting) throw new UserError("Cette réunion n'existe plus.");
    if (meeting.closedAt) throw new UserError(`L'émargement de « ${meeting.title} » est déjà clos.`);
    const year = yearOf(meeting.heldOn);
    const rules = toRules(await repo.indemnityRules(cptsId));
    const ruleRoles = [...new Set(rules.flatMap((r) => r.rates.flatMap((x) => (x.role === undefined ? [] : [x.role]))))];
    const nameOf = new Map(meeting.attendances.map((a) => [a.member.id, memberName(a.member)]));
    // Who may be indemnified at all: dues judged on the closing day, within the meeting's year.
    const today = ctx.clock.today();
    const duesAt = today < `${year}-01-01` ? `${year}-01-01` : today > `${year}-12-31` ? `${year}-12-31` : today;
    const rates = await repo.duesRates(cptsId, year);
    const duesPayments = (await repo.duesPayments(cptsId, meeting.attendances.map((a) => a.memberId), year)).map((p) => ({
      memberId: p.memberId, date: p.paidOn, amountCents: p.amountCents, duesYear: p.year, refundedDate: p.refundedOn ?? undefined,
    }));
    const excluded: ClosedMeeting["excluded"] = [];
    const eligible = meeting.attendances.filter((a) => {
      const m = a.member;
      const roles = m.roles.map((r) => r.role);
      const owes = owesDues(roles, m.category, m.duesExempt);
      const dues = owes ? memberDuesBalance({ id: m.id, category: m.category, dueCents: rates[m.category] }, duesPayments, duesAt) : null;
      const verdict = indemnityEligibility(
        {
          personKind: m.kind === "MORALE" ? "morale" : "physique",
          staff: roles.includes("COORDONNATEUR"),
          partner: roles.includes("PARTENAIRE") || m.category === "PARTENAIRE",
          dues: dues && {
            upToDate: dues.status === "a_jour" || dues.status === "exonere",
            label: dues.status === "partiel" ? `partiel, reste ${formatEuros(dues.balanceCents)}` : DUES_STATUS_LABELS[dues.status],
          },
        },
        settings.indemnityEligibility,
        year,
      );
      if (!verdict.eligible) excluded.push({ memberId: m.id, name: nameOf.get(m.id)!, reason: verdict.reason, message: verdict.message });
      return verdict.eligible;
    });
    if (eligible.length && passCeilingAt(meeting.heldOn, settings) === null) {
      throw new UserError(`Le plafond légal (PASS) de ${year} n'est pas renseigné : indiquez sa valeur pour ${year} dans les réglages de la CPTS (administration, page CPTS), puis clôturez à nouveau « ${meeting.title} ». Rien n'a été enregistré.`);
    }
    const members = eligible.map((a) => a.member);
    const priors = await repo.indemnityTotals(cptsId, members.map((m) => m.id), year);
    const lines = computeIndemnities(
      rules,
      eligible.map((a) => ({
        personId: a.memberId,
        professionGroup: professionGroup(a.member.profession),
        role: indemnityRoleOf(a.member.roles.map((r) => r.role), ruleRoles),
        meetingDate: meeting.heldOn,
        durationMinutes: a.minutes ?? meeting.durationMin,
      })),
      Object.fromEntries(members.map((m) => [m.id, { [year]: { indemnitiesCents: priors.get(m.id) ?? 0 } }])),
      settings,
    );
    const computed = lines.flatMap((l) => (l.result.ok ? [{ memberId: l.attendance.personId, name: nameOf.get(l.attendance.personId)!, amountCents: l.result.amountCents, explanation: l.result.explanation }] : []));
    const ok = computed.filter((l) => l.amountCents > 0);
    const refused = lines.flatMap((l) => (l.result.ok ? [] : [{ name: nameOf.get(l.attendance.personId)!, message: l.result.message }]));
    const totalCents = ok.reduce((s, l) => s + l.amountCents, 0);

    const envelopeRow = await repo.envelope(cptsId, meeting.mission, year);
    let envelope: ClosedMeeting["envelope"] = null;
    let forced = false;
    if (envelopeRow) {
      const charge = chargeToEnvelope(
        { key: meeting.mission as "parcours", label: `« ${MEETING_MISSIONS[meeting.mission] ?? meeting.mission} » ${year}`, allocatedCents: envelopeRow.allocatedCents, carriedOverCents: envelopeRow.carriedOverCents, expenses: envelopeRow.expenses },
        totalCents,
        { force: opts.force },
      );
      if (!charge.ok) throw new EnvelopeOverrunError(charge.message);
      forced = charge.forced;
      envelope = { remainingCents: charge.remainingCents, forced };
    } else if (totalCents > 0 && !opts.force) {
      throw new EnvelopeOverrunError(`Aucune enveloppe « ${MEETING_MISSIONS[meeting.mission] ?? meeting.mission} » n'existe pour ${year} : créez-la dans l'administration ou forcez la clôture.`);
    }
    if (!(await repo.markClosed(cptsId, meeting.id, ctx.clock.now()))) throw new UserError(`L'émargement de « ${meeting.title} » est déjà clos.`);
    for (const l of ok) {
      const ind = await repo.createIndemnity({ cptsId, memberId: l.memberId, meetingId: meeting.id, mission: meeting.mission, year, amountCents: l.amountCents, computedOn: ctx.clock.today(), explanation: l.explanation, forced });
      if (envelopeRow) await repo.addExpense({ envelopeId: envelopeRow.id, label: `Indemnité ${l.name} — ${meeting.title}`, amountCents: l.amountCents, spentOn: meeting.heldOn, forced, indemnityId: ind.id });
    }
    await repo.audit({ cptsId, actor, action: "meeting.close", target: meeting.id, details: { indemnities: ok.length, totalCents, forced, excluded: excluded.map((e) => ({ memberId: e.memberId, reason: e.reason })) } });
    return { title: meeting.title, mission: meeting.mission, lines: computed, excluded, refused, totalCents, envelope };
  });
}

export async function indemnitiesOf(ctx: AppContext, cptsId: string, memberId: string, year: number) {
  const rows = await new MeetingRepository(ctx.db).indemnitiesOf(cptsId, memberId, year);
  return { rows, totalCents: rows.reduce((s, r) => s + r.amountCents, 0) };
}

export async function envelopeBalances(ctx: AppContext, cptsId: string, year: number) {
  const rows = await new MeetingRepository(ctx.db).envelopes(cptsId, year);
  return rows.map((e) => ({ mission: e.mission, label: MEETING_MISSIONS[e.mission] ?? e.mission, ...envelopeBalance({ allocatedCents: e.allocatedCents, carriedOverCents: e.carriedOverCents, expenses: e.expenses }) }));
}

export function formatLine(l: { name: string; amountCents: number }): string {
  return `${l.name} : ${formatEuros(l.amountCents)}`;
}
