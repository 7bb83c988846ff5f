// Dated facts and CPAM receipts (issue 16): validated entry (French errors, nothing half written),
// audit, and the money view (received / expected / late / potentiel) shared by the admin, the
// dashboard and the /financement chat command.
import type { AppContext } from "../context.ts";
import { UserError, excerpt } from "../errors.ts";
import { writeAudit } from "../../db/repos/dues-repo.ts";
import { loadRulesInputs, type CptsRulesInputs } from "../../db/repos/cpts-rules-repo.ts";
import {
  FACT_KINDS,
  FACT_KIND_LABELS,
  aidsOfYear,
  createFact,
  latestFactOn,
  createGovernanceChange,
  createReceipt,
  deleteFact,
  deleteReceipt,
  receiptsOf,
  type FactKind,
} from "../../db/repos/facts-repo.ts";
import {
  addDays,
  contractYearOf,
  formatDateFr,
  formatEuros,
  isIsoDate,
  matchReceipts,
  paymentCalendar,
  publicFundingAlerts,
  publicFundingOfYear,
  summarize,
  upcomingPayments,
  latePayments,
  yearOf,
  type FundingAlert,
  type MoneySummary,
  type TrackedPayment,
} from "../../rules/index.ts";

/** Largest amount accepted for one aid or receipt (the T4 maximum is 580 000 € a year). */
const MAX_AMOUNT_CENTS = 2_000_000 * 100;
/** Facts are past events; a hire or letter may be entered a little ahead. */
const MAX_DAYS_AHEAD = 366;

function checkDate(ctx: AppContext, value: unknown, label: string): string {
  if (typeof value !== "string" || !isIsoDate(value.trim())) throw new UserError(`${label} : date au format AAAA-MM-JJ attendue (reçu « ${excerpt(value)} »).`, "date");
  const date = value.trim();
  if (date < "2000-01-01") throw new UserError(`${label} : date trop ancienne (${formatDateFr(date)}).`, "date");
  if (date > addDays(ctx.clock.today(), MAX_DAYS_AHEAD)) throw new UserError(`${label} : date à plus d'un an dans le futur (${formatDateFr(date)}).`, "date");
  return date;
}

function checkAmount(value: unknown, label: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) throw new UserError(`${label} : montant positif attendu, en euros (par exemple 24 000,00).`, "montant");
  if (value > MAX_AMOUNT_CENTS) throw new UserError(`${label} : montant invraisemblable (${formatEuros(value)}), vérifiez la saisie.`, "montant");
  return value;
}

export interface FactEntry {
  kind: string;
  date: unknown;
  amountCents?: number | null;
  detail?: string | null;
}

/** Records a dated fact; its deadlines follow from the rules. */
export async function recordFact(ctx: AppContext, cptsId: string, entry: FactEntry, actor: string): Promise<{ id: string; label: string }> {
  if (!(FACT_KINDS as readonly string[]).includes(entry.kind)) throw new UserError(`Type de fait inconnu : « ${excerpt(entry.kind)} ».`, "kind");
  const kind = entry.kind as FactKind;
  const label = FACT_KIND_LABELS[kind];
  const date = checkDate(ctx, entry.date, label);
  const detail = entry.detail?.trim() ? entry.detail.trim().slice(0, 200) : null;
  const isAid = kind === "AIDE_FIR" || kind === "AIDE_MISSION_PRECOCE";
  const amountCents = isAid ? checkAmount(entry.amountCents, label) : null;
  if (kind === "EMBAUCHE" && !detail) throw new UserError("Embauche : indiquez le poste (par exemple « coordonnatrice »).", "detail");
  if (kind === "PROJET_SANTE_REPONSE") {
    const filedOn = await latestFactOn(ctx.db, cptsId, "PROJET_SANTE_DEPOT");
    if (filedOn && date < filedOn) throw new UserError(`La réponse au projet de santé ne peut pas précéder son dépôt (${formatDateFr(filedOn)}) : vérifiez la date.`, "date");
  }
  const row = await createFact(ctx.db, cptsId, { kind, occurredOn: date, amountCents, detail, createdBy: actor });
  await writeAudit(ctx.db, { cptsId, actor, action: "fact.create", target: row.id, details: { kind, date, amountCents, detail } });
  return { id: row.id, label: `${label} le ${formatDateFr(date)}${amountCents ? ` (${formatEuros(amountCents)})` : ""}${detail ? ` — ${detail}` : ""}` };
}

export async function removeFact(ctx: AppContext, cptsId: string, id: string, actor: string): Promise<void> {
  const row = await deleteFact(ctx.db, cptsId, id);
  if (!row) throw new UserError("Ce fait n'existe pas (ou plus) dans votre CPTS.");
  await writeAudit(ctx.db, { cptsId, actor, action: "fact.delete", target: id, details: { kind: row.kind, date: row.occurredOn } });
}

/** A change of board or registered address, to declare to the greffe within 3 months. */
export async function recordGovernanceChange(ctx: AppContext, cptsId: string, entry: { date: unknown; what: unknown }, actor: string): Promise<{ id: string; label: string }> {
  const date = checkDate(ctx, entry.date, "Changement de gouvernance");
  const what = typeof entry.what === "string" ? entry.what.trim() : "";
  if (!what) throw new UserError("Changement de gouvernance : dites ce qui a changé (bureau, conseil d'administration, siège…).", "detail");
  const row = await createGovernanceChange(ctx.db, cptsId, { changedOn: date, description: what.slice(0, 200) });
  await writeAudit(ctx.db, { cptsId, actor, action: "governance.create", target: row.id, details: { date, what } });
  return { id: row.id, label: `Changement du ${formatDateFr(date)} (${what.slice(0, 200)})` };
}

/** Records money the CPAM paid; `lines` are calendar keys (empty: oldest unpaid first). */
export async function recordReceipt(ctx: AppContext, cptsId: string, entry: { date: unknown; amountCents: unknown; lines?: string[]; note?: string | null }, actor: string): Promise<{ id: string; label: string }> {
  const date = checkDate(ctx, entry.date, "Versement reçu");
  if (date > ctx.clock.today()) throw new UserError("Versement reçu : la date ne peut pas être dans le futur (enregistrez l'argent quand il arrive).", "date");
  const amountCents = checkAmount(entry.amountCents, "Versement reçu");
  const inputs = await loadRulesInputs(ctx.db, cptsId);
  if (!inputs?.funding) throw new UserError("Aucun ACI signé : enregistrez d'abord la date de signature dans la page CPTS.");
  const known = new Set(matchReceipts(paymentCalendar(inputs.funding, inputs.settings), [], date).payments.map((p) => p.key));
  const lines = [...new Set(entry.lines ?? [])];
  const unknown = lines.find((l) => !known.has(l));
  if (unknown) throw new UserError(`Ligne du calendrier inconnue : « ${excerpt(unknown)} ».`, "lines");
  const note = entry.note?.trim() ? entry.note.trim().slice(0, 200) : null;
  const row = await createReceipt(ctx.db, cptsId, { receivedOn: date, amountCents, lines: lines.join(","), note, createdBy: actor });
  await writeAudit(ctx.db, { cptsId, actor, action: "cpam_receipt.create", target: row.id, details: { date, amountCents, lines } });
  return { id: row.id, label: `Versement CPAM de ${formatEuros(amountCents)} reçu le ${formatDateFr(date)}` };
}

export async function removeReceipt(ctx: AppContext, cptsId: string, id: string, actor: string): Promise<void> {
  if (!(await deleteReceipt(ctx.db, cptsId, id))) throw new UserError("Ce versement n'existe pas (ou plus) dans votre CPTS.");
  await writeAudit(ctx.db, { cptsId, actor, action: "cpam_receipt.delete", target: id });
}

export interface MoneyView {
  payments: TrackedPayment[];
  non_rapproche_cents: number;
  /** Contract year of `today` (null outside the contract). */
  year: number | null;
  /** Received / expected / late / potentiel for the contract year of `today`. */
  ofYear: MoneySummary | null;
  /** Over the whole contract. */
  all: MoneySummary;
  upcoming: { shown: TrackedPayment[]; total: number };
  /** Fixed payments not received after their date. */
  late: { shown: TrackedPayment[]; total: number };
  /** The 153 000 € check on the calendar year of `today`, with its basis. */
  publicFunding: { year: number; basis: string; totalCents: number; potentielCents: number; alert: FundingAlert | null };
}

/** Received vs expected for a CPTS with a signed ACI (null without one). */
export function moneyView(inputs: CptsRulesInputs, today: string, upcomingLimit: number): MoneyView | null {
  if (!inputs.funding) return null;
  const calendar = paymentCalendar(inputs.funding, inputs.settings);
  const match = matchReceipts(calendar, receiptsOf(inputs.facts), today);
  const year = contractYearOf(today, inputs.funding.signatureDate, inputs.settings);
  const calYear = yearOf(today);
  const basis = publicFundingOfYear(calYear, calendar, aidsOfYear(inputs.facts, calYear));
  const totalCents = basis.subsidies.reduce((s, x) => s + x.cents, 0);
  const alert = publicFundingAlerts(basis.subsidies, inputs.settings).find((a) => a.kind === "commissaire_aux_comptes") ?? null;
  return {
    payments: match.payments,
    non_rapproche_cents: match.non_rapproche_cents,
    year,
    ofYear: year === null ? null : summarize(match.payments.filter((p) => p.annee === year)),
    all: summarize(match.payments),
    upcoming: upcomingPayments(match.payments, today, upcomingLimit),
    late: latePayments(match.payments, upcomingLimit),
    publicFunding: {
      year: calYear,
      basis: basis.subsidies.length ? basis.subsidies.map((s) => `${s.funder} ${formatEuros(s.cents)}`).join(" + ") : "aucun financement public attendu",
      totalCents,
      potentielCents: basis.potentiel_cents,
      alert,
    },
  };
}
