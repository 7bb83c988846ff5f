/**
 * Money received vs expected (DOMAIN §4: money expected is never shown as received; receipts are
 * recorded as they arrive).
 *
 * Choices where DOMAIN is silent:
 * - A receipt names the calendar lines it pays (keys `mission:nature:year`); it is spread over them
 *   in calendar order. A receipt that names none pays the oldest unpaid fixed lines first (calendar
 *   order, up to its date + `matchLeadDays`), then the variable parts of those dates. What is left
 *   over is « non rapproché » (shown, never dropped).
 * - A fixed payment (intégral, avance, solde) not fully received after its date is « en retard » (the
 *   calendar already dates post-dialogue payments on the last day the CPAM is allowed).
 * - Variable parts are « potentiel »: never due, never late; a receipt on them shows what was paid.
 */
import { compareDates, addDays, yearOf, type IsoDate } from "./dates.ts";
import type { Cents } from "./money.ts";
import type { ExpectedPayment } from "./calendar.ts";
import type { Subsidy } from "./thresholds.ts";

export interface Receipt {
  id?: string;
  date: IsoDate;
  cents: Cents;
  /** Calendar keys this receipt pays; empty or absent: oldest unpaid first. */
  lines?: readonly string[];
}

export type PaymentStatus = "recu" | "partiel" | "attendu" | "en_retard" | "potentiel";

export interface TrackedPayment extends ExpectedPayment {
  key: string;
  recu_cents: Cents;
  /** Not yet received (for a variable part: what is still possible). */
  reste_cents: Cents;
  status: PaymentStatus;
  /** Dates of the receipts that paid it. */
  recu_le: IsoDate[];
}

export interface ReceiptMatch {
  payments: TrackedPayment[];
  /** Receipts (or parts of them) matched to no calendar line. */
  non_rapproche_cents: Cents;
}

export const PAYMENT_STATUS_LABELS: Record<PaymentStatus, string> = {
  recu: "reçu",
  partiel: "reçu en partie",
  attendu: "attendu",
  en_retard: "en retard",
  potentiel: "potentiel",
};

/** Stable key of a calendar payment: `mission:nature:year`. */
export function paymentKey(p: Pick<ExpectedPayment, "mission" | "nature" | "annee">): string {
  return `${p.mission}:${p.nature}:${p.annee}`;
}

/** Days after a receipt's date within which an unnamed receipt may pay a line dated later (early CPAM payment). */
export const MATCH_LEAD_DAYS = 31;

export function matchReceipts(calendar: readonly ExpectedPayment[], receipts: readonly Receipt[], today: IsoDate): ReceiptMatch {
  const tracked = calendar.map((p) => ({ ...p, key: paymentKey(p), recu_cents: 0, reste_cents: p.montant_cents, status: "attendu" as PaymentStatus, recu_le: [] as IsoDate[] }));
  const byKey = new Map(tracked.map((p) => [p.key, p]));
  let unmatched = 0;
  const ordered = [...receipts].sort((a, b) => compareDates(a.date, b.date));
  for (const r of ordered) {
    let left = r.cents;
    const pay = (p: TrackedPayment) => {
      const part = Math.min(left, p.reste_cents);
      if (part <= 0) return;
      p.recu_cents += part;
      p.reste_cents -= part;
      if (!p.recu_le.includes(r.date)) p.recu_le.push(r.date);
      left -= part;
    };
    // Stryker disable next-line ArrayDeclaration: a key of no calendar line names nothing, as no key does
    const named = (r.lines ?? []).map((k) => byKey.get(k)).filter((p): p is TrackedPayment => p !== undefined);
    if (named.length) {
      for (const p of tracked) if (named.includes(p)) pay(p);
    } else {
      const horizon = addDays(r.date, MATCH_LEAD_DAYS);
      // lines already paid in full are passed over by pay()
      const reachable = tracked.filter((p) => compareDates(p.date, horizon) <= 0);
      for (const p of reachable) if (p.nature !== "variable") pay(p);
      // Stryker disable next-line ConditionalExpression: after the fixed lines, either each is paid in full or nothing is left
      for (const p of reachable) if (p.nature === "variable") pay(p);
    }
    unmatched += left;
  }
  for (const p of tracked) {
    if (p.nature === "variable") p.status = p.reste_cents === 0 ? "recu" : "potentiel";
    else if (p.reste_cents === 0) p.status = "recu";
    else if (compareDates(p.date, today) < 0) p.status = "en_retard";
    else p.status = p.recu_cents > 0 ? "partiel" : "attendu";
  }
  return { payments: tracked, non_rapproche_cents: unmatched };
}

export interface MoneySummary {
  /** Received on the fixed and variable lines considered. */
  recu_cents: Cents;
  /** Fixed amounts not yet received whose date has not passed. */
  attendu_cents: Cents;
  /** Fixed amounts not received after their date. */
  en_retard_cents: Cents;
  /** Variable parts still possible (depend on the indicators; not due). */
  potentiel_cents: Cents;
}

export function summarize(payments: readonly TrackedPayment[]): MoneySummary {
  const s: MoneySummary = { recu_cents: 0, attendu_cents: 0, en_retard_cents: 0, potentiel_cents: 0 };
  for (const p of payments) {
    s.recu_cents += p.recu_cents;
    if (p.nature === "variable") s.potentiel_cents += p.reste_cents;
    else if (p.status === "en_retard") s.en_retard_cents += p.reste_cents;
    else s.attendu_cents += p.reste_cents;
  }
  return s;
}

/**
 * The next fixed payments not yet received, due on or after `today` (a payment due today is listed),
 * at most `limit`; `total` says how many there are in all.
 */
export function upcomingPayments(payments: readonly TrackedPayment[], today: IsoDate, limit: number): { shown: TrackedPayment[]; total: number } {
  const coming = payments.filter((p) => p.nature !== "variable" && p.reste_cents > 0 && compareDates(p.date, today) >= 0);
  return { shown: coming.slice(0, limit), total: coming.length };
}

/** Fixed payments not fully received after their date, oldest first, at most `limit` (with the total). */
export function latePayments(payments: readonly TrackedPayment[], limit: number): { shown: TrackedPayment[]; total: number } {
  const late = payments.filter((p) => p.status === "en_retard");
  return { shown: late.slice(0, limit), total: late.length };
}

/**
 * The year's expected public funding, as the basis of the 153 000 € alert: the ACI fixed payments
 * dated in the calendar year (expected, received or not), plus the other public money of that year
 * (FIR, mission précoce, other subsidies). Variable parts are given apart (`potentiel_cents`): not due.
 */
export function publicFundingOfYear(
  year: number,
  payments: readonly Pick<ExpectedPayment, "date" | "montant_cents" | "nature">[],
  others: readonly Subsidy[],
): { subsidies: Subsidy[]; potentiel_cents: Cents } {
  const inYear = payments.filter((p) => yearOf(p.date) === year);
  const aci = inYear.filter((p) => p.nature !== "variable").reduce((s, p) => s + p.montant_cents, 0);
  const potentiel = inYear.filter((p) => p.nature === "variable").reduce((s, p) => s + p.montant_cents, 0);
  const subsidies: Subsidy[] = [];
  if (aci > 0) subsidies.push({ funder: "CPAM (ACI)", cents: aci, label: `versements ACI attendus en ${year}, parts fixes` });
  subsidies.push(...others.filter((o) => o.cents > 0));
  return { subsidies, potentiel_cents: potentiel };
}
