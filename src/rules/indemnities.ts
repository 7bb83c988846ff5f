/**
 * Indemnities of professionals (DOMAIN §7) and mission envelopes.
 *
 * Rates and caps are data of each CPTS (règlement intérieur), valid from a date; the rule in
 * force on the meeting date applies. Choices where DOMAIN is silent:
 * - "heure": rate × minutes / 60, prorated to the minute.
 * - "demi_journee": every started half-day of 4 hours counts (ceil(minutes / 240)).
 * - "forfait": the rate once per attendance, whatever the duration.
 * - Rate lookup, most specific first: same profession group and role, any group ("*") with the
 *   role, same group without role, "*" without role (a role rate beats a profession rate).
 * - The per-person cap counts the indemnities of the calendar year; the legal ceiling (PASS of
 *   the meeting's year) counts everything the CPTS paid the person that year (indemnities and
 *   rémunérations). Both reduce the amount, never below 0, and each reduction is explained.
 * - The PASS is the one of the meeting's calendar year; with none set for that year the
 *   indemnity is refused with a message asking the operator to set it (never another year's).
 * - A capped result names its cap, also when nothing is left (0 €).
 * - Shown as « 1 h 30 × 50,00 €/h = 75,00 € » (durations in hours and minutes).
 * Who may be indemnified at all (DOMAIN §7) is `indemnityEligibility`, checked before computing.
 * Rounding: half up per indemnity (money.ts).
 */
import { compareDates, formatDateFr, yearOf, type IsoDate } from "./dates.ts";
import { formatEuros, divRoundHalfUp, type Cents } from "./money.ts";
import { DEFAULT_SETTINGS, passCeilingAt, type IndemnityEligibilitySettings, type RulesSettings } from "./settings.ts";
import type { MissionId } from "./aci-tables.ts";

export type IndemnityUnit = "heure" | "demi_journee" | "forfait";
export type ProfessionGroup = "medecin" | "autre";

export interface IndemnityRate {
  professionGroup: ProfessionGroup | "*";
  role?: string;
  cents: Cents;
}

export interface IndemnityRule {
  validFrom: IsoDate;
  unit: IndemnityUnit;
  rates: IndemnityRate[];
  capPerPersonPerYearCents?: Cents;
}

export interface Attendance {
  personId: string;
  professionGroup: ProfessionGroup;
  role?: string;
  meetingDate: IsoDate;
  durationMinutes: number;
}

export interface PriorYearTotals {
  /** Indemnities already granted to the person in the calendar year (for the CPTS cap). */
  indemnitiesCents: Cents;
  /** Everything the CPTS already paid the person in the calendar year (for the PASS); defaults to indemnitiesCents. */
  allPaymentsCents?: Cents;
}

export interface IndemnityReduction {
  reason: "plafond_cpts" | "plafond_legal";
  cents: Cents;
  message: string;
}

export type IndemnityResult =
  | {
      ok: true;
      amountCents: Cents;
      baseCents: Cents;
      rateCents: Cents;
      unit: IndemnityUnit;
      quantity: number;
      reductions: IndemnityReduction[];
      explanation: string;
    }
  | { ok: false; message: string };

export function ruleAt(rules: readonly IndemnityRule[], date: IsoDate): IndemnityRule | null {
  return [...rules].sort((a, b) => compareDates(a.validFrom, b.validFrom)).filter((r) => compareDates(r.validFrom, date) <= 0).at(-1) ?? null;
}

export function rateFor(rule: IndemnityRule, group: ProfessionGroup, role?: string): IndemnityRate | null {
  const candidates: Array<(r: IndemnityRate) => boolean> = [
    // Stryker disable next-line ConditionalExpression: without a role this becomes the third candidate, tried right after the second which needs a role
    (r) => r.professionGroup === group && role !== undefined && r.role === role,
    (r) => r.professionGroup === "*" && role !== undefined && r.role === role,
    (r) => r.professionGroup === group && r.role === undefined,
    (r) => r.professionGroup === "*" && r.role === undefined,
  ];
  for (const matches of candidates) {
    const rate = rule.rates.find(matches);
    if (rate) return rate;
  }
  return null;
}

/** 90 → « 1 h 30 », 60 → « 1 h », 45 → « 45 min », 125 → « 2 h 05 ». */
export function formatDurationFr(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, "0")}`;
}

const UNIT_LABELS: Record<IndemnityUnit, (q: number) => string> = {
  heure: (q) => formatDurationFr(q),
  demi_journee: (q) => `${q} demi-journée${q > 1 ? "s" : ""}`,
  forfait: () => "forfait",
};

const RATE_SUFFIX: Record<IndemnityUnit, string> = { heure: "/h", demi_journee: "/demi-journée", forfait: "" };

function baseAmount(unit: IndemnityUnit, rateCents: Cents, minutes: number): { base: Cents; quantity: number } {
  switch (unit) {
    case "heure":
      return { base: divRoundHalfUp(rateCents * minutes, 60), quantity: minutes };
    case "demi_journee": {
      const halfDays = Math.ceil(minutes / 240);
      return { base: rateCents * halfDays, quantity: halfDays };
    }
    case "forfait":
      return { base: rateCents, quantity: 1 };
  }
}

export function computeIndemnity(
  rules: readonly IndemnityRule[],
  attendance: Attendance,
  prior: PriorYearTotals = { indemnitiesCents: 0 },
  settings: RulesSettings = DEFAULT_SETTINGS,
): IndemnityResult {
  const rule = ruleAt(rules, attendance.meetingDate);
  if (!rule) return { ok: false, message: `Aucune règle d'indemnisation n'est en vigueur le ${formatDateFr(attendance.meetingDate)} : ajoutez-la au règlement intérieur.` };
  const rate = rateFor(rule, attendance.professionGroup, attendance.role);
  if (!rate) return { ok: false, message: `Aucun taux n'est prévu pour le groupe « ${attendance.professionGroup} »${attendance.role ? ` (rôle « ${attendance.role} »)` : ""} : complétez les taux du règlement intérieur.` };
  if (!Number.isInteger(attendance.durationMinutes) || attendance.durationMinutes < 0) {
    return { ok: false, message: "La durée de présence doit être un nombre entier de minutes, positif ou nul." };
  }
  const pass = passCeilingAt(attendance.meetingDate, settings);
  if (pass === null) {
    const year = yearOf(attendance.meetingDate);
    return { ok: false, message: `Le plafond légal (PASS) de ${year} n'est pas renseigné : indiquez sa valeur pour ${year} dans les réglages de la CPTS avant de calculer les indemnités (celui d'une autre année n'est jamais repris).` };
  }
  const { base, quantity } = baseAmount(rule.unit, rate.cents, attendance.durationMinutes);
  const reductions: IndemnityReduction[] = [];
  let amount = base;

  // Stryker disable next-line ConditionalExpression: without a cap the room is NaN and amount > NaN is false: no reduction either way
  if (rule.capPerPersonPerYearCents !== undefined) {
    const room = Math.max(0, rule.capPerPersonPerYearCents - prior.indemnitiesCents);
    if (amount > room) {
      reductions.push({
        reason: "plafond_cpts",
        cents: amount - room,
        message: `Plafond annuel par personne de la CPTS (${formatEuros(rule.capPerPersonPerYearCents)}) atteint : ${formatEuros(amount - room)} non versés, ${formatEuros(room)} versés.`,
      });
      amount = room;
    }
  }
  {
    const room = Math.max(0, pass - (prior.allPaymentsCents ?? prior.indemnitiesCents));
    if (amount > room) {
      reductions.push({
        reason: "plafond_legal",
        cents: amount - room,
        message: `Plafond légal ${yearOf(attendance.meetingDate)} (PASS, ${formatEuros(pass)}) atteint : ${formatEuros(amount - room)} non versés, ${formatEuros(room)} versés.`,
      });
      amount = room;
    }
  }
  const explanation = [`${UNIT_LABELS[rule.unit](quantity)} × ${formatEuros(rate.cents)}${RATE_SUFFIX[rule.unit]} = ${formatEuros(base)}`, ...reductions.map((r) => r.message)].join(" ; ");
  return { ok: true, amountCents: amount, baseCents: base, rateCents: rate.cents, unit: rule.unit, quantity, reductions, explanation };
}

export interface IndemnityLine {
  attendance: Attendance;
  result: IndemnityResult;
}

/**
 * Computes a batch in date order, accumulating each person's calendar-year totals so that caps
 * apply across meetings. `priors` gives what each person already received before the batch, by year.
 */
export function computeIndemnities(
  rules: readonly IndemnityRule[],
  attendances: readonly Attendance[],
  priors: Readonly<Record<string, Readonly<Record<number, PriorYearTotals>>>> = {},
  settings: RulesSettings = DEFAULT_SETTINGS,
): IndemnityLine[] {
  const running = new Map<string, { indemnitiesCents: Cents; allPaymentsCents: Cents }>();
  return [...attendances]
    .sort((a, b) => compareDates(a.meetingDate, b.meetingDate))
    .map((attendance) => {
      const year = yearOf(attendance.meetingDate);
      const key = `${attendance.personId}|${year}`;
      if (!running.has(key)) {
        const prior = priors[attendance.personId]?.[year] ?? { indemnitiesCents: 0 };
        running.set(key, { indemnitiesCents: prior.indemnitiesCents, allPaymentsCents: prior.allPaymentsCents ?? prior.indemnitiesCents });
      }
      const totals = running.get(key)!;
      const result = computeIndemnity(rules, attendance, totals, settings);
      if (result.ok) {
        totals.indemnitiesCents += result.amountCents;
        totals.allPaymentsCents += result.amountCents;
      }
      return { attendance, result };
    });
}

/** What decides whether someone present at a meeting may be indemnified (DOMAIN §7). */
export interface IndemnityParticipant {
  personKind: "physique" | "morale";
  /** The CPTS's salaried staff (coordination): paid by salary. */
  staff: boolean;
  /** A partner (category or role « partenaire »). */
  partner: boolean;
  /** Dues of the meeting's year: null when the person owes none (not a member, exempt). */
  dues: { upToDate: boolean; label: string } | null;
}

export type IndemnityExclusion = "personne_morale" | "salarie" | "partenaire" | "cotisation";

export type EligibilityResult = { eligible: true } | { eligible: false; reason: IndemnityExclusion; message: string };

/**
 * DOMAIN §7: only health professionals who are natural persons are indemnified; never the CPTS's
 * salaried staff nor a legal person (whoever attends for an EHPAD or an MSP is its own staff);
 * partners and members with unpaid dues as the CPTS's règlement intérieur says (settings).
 */
export function indemnityEligibility(p: IndemnityParticipant, settings: IndemnityEligibilitySettings, year: number): EligibilityResult {
  if (p.personKind === "morale") {
    return { eligible: false, reason: "personne_morale", message: "Personne morale (structure) : seules les personnes physiques sont indemnisées ; la personne qui la représente est rémunérée par sa structure." };
  }
  if (p.staff) {
    return { eligible: false, reason: "salarie", message: "Salarié·e de la CPTS (coordination) : son temps est payé par son salaire, pas par des indemnités." };
  }
  if (p.partner && !settings.partnersEligible) {
    return { eligible: false, reason: "partenaire", message: "Partenaire : le règlement intérieur de la CPTS n'indemnise pas les partenaires (réglage « Indemniser les partenaires » de l'administration)." };
  }
  if (p.dues && !p.dues.upToDate && settings.unpaidDuesExcluded) {
    return {
      eligible: false,
      reason: "cotisation",
      message: `Cotisation ${year} non à jour (${p.dues.label}) : le règlement intérieur réserve les indemnités aux adhérents à jour de cotisation (réglage de l'administration).`,
    };
  }
  return { eligible: true };
}

/** Envelopes are per mission (not fungible), or the FIR start-up money. */
export type EnvelopeKey = MissionId | "fonctionnement" | "fir";

export interface EnvelopeExpense {
  amountCents: Cents;
  label?: string;
  date?: IsoDate;
  forced?: boolean;
}

export interface Envelope {
  key?: EnvelopeKey;
  label?: string;
  allocatedCents: Cents;
  carriedOverCents?: Cents;
  expenses: readonly EnvelopeExpense[];
}

export interface EnvelopeBalance {
  availableCents: Cents;
  spentCents: Cents;
  remainingCents: Cents;
}

export function envelopeBalance(envelope: Envelope): EnvelopeBalance {
  const availableCents = envelope.allocatedCents + (envelope.carriedOverCents ?? 0);
  const spentCents = envelope.expenses.reduce((sum, e) => sum + e.amountCents, 0);
  return { availableCents, spentCents, remainingCents: availableCents - spentCents };
}

/** Unspent money that may be carried over to next year's envelope (never negative). */
export function carryOver(envelope: Envelope): Cents {
  return Math.max(0, envelopeBalance(envelope).remainingCents);
}

export type ChargeResult =
  | { ok: true; forced: boolean; remainingCents: Cents; overrunCents: Cents }
  | { ok: false; remainingCents: Cents; overrunCents: Cents; message: string };

/** Charging beyond what is left is refused unless forced; a forced charge is flagged so it can be recorded. */
export function chargeToEnvelope(envelope: Envelope, amountCents: Cents, options: { force?: boolean } = {}): ChargeResult {
  const { remainingCents } = envelopeBalance(envelope);
  const after = remainingCents - amountCents;
  const overrunCents = Math.max(0, -after);
  if (overrunCents === 0) return { ok: true, forced: false, remainingCents: after, overrunCents: 0 };
  if (options.force) return { ok: true, forced: true, remainingCents: after, overrunCents };
  const name = envelope.label ?? (envelope.key ? `« ${envelope.key} »` : "");
  return {
    ok: false,
    remainingCents,
    overrunCents,
    message: `L'enveloppe ${name} n'a plus que ${formatEuros(Math.max(0, remainingCents))} : la dépense de ${formatEuros(amountCents)} la dépasserait de ${formatEuros(overrunCents)}. Imputez-la sur une autre mission ou forcez l'imputation (elle sera enregistrée comme forcée).`.replace("L'enveloppe  n'a", "L'enveloppe n'a"),
  };
}
