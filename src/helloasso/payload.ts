// HelloAsso API v5 notifications (webhooks of an association account), validated with zod.
// HelloAsso posts JSON `{ eventType, data, metadata? }`; we act on two event types:
// - "Payment": data is one payment (id, amount in cents, date, state, payer, items, order);
// - "Order": data is one order (id, date, payer, items, payments[] each with id/amount/date/state).
// Other event types ("Form", "Organization") are acknowledged and ignored. Both shapes are read
// leniently (unknown fields kept), strictly on the fields we use.
import { z } from "zod";
import { isIsoDate, parisToday } from "../rules/dates.ts";

const id = z.union([z.number().int().nonnegative(), z.string().regex(/^[A-Za-z0-9_-]{1,64}$/)]).transform(String);
const cents = z.number().int().nonnegative();
const instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "date ISO 8601 attendue");

const payer = z.looseObject({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  firstName: z.string().trim().optional(),
  lastName: z.string().trim().optional(),
});

const item = z.looseObject({
  id,
  type: z.string().default(""),
  amount: cents.optional(),
  shareAmount: cents.optional(),
  name: z.string().optional(),
  state: z.string().optional(),
});

const paymentData = z.looseObject({
  id,
  amount: cents,
  date: instant,
  state: z.string(),
  payer,
  items: z.array(item).default([]),
  order: z.looseObject({ id: id.optional(), formType: z.string().optional(), formSlug: z.string().optional() }).optional(),
});

const orderPayment = z.looseObject({
  id,
  amount: cents,
  date: instant,
  state: z.string(),
  items: z.array(z.looseObject({ id, shareAmount: cents.optional() })).optional(),
});

/**
 * The Paris calendar day of a HelloAsso date. A date written with a day that does not exist
 * (« 2026-02-30T… », which Date.parse rolls over to 2 March) is kept as written so that the
 * payment is checked by a person instead of being counted on a made-up day.
 */
function paidOnOf(date: string): string {
  const written = date.slice(0, 10);
  return isIsoDate(written) ? parisToday(new Date(date)) : written;
}

const orderData = z.looseObject({
  id,
  date: instant,
  payer,
  items: z.array(item).min(1),
  payments: z.array(orderPayment).default([]),
  formType: z.string().optional(),
  formSlug: z.string().optional(),
});

export const notificationSchema = z.discriminatedUnion("eventType", [
  z.looseObject({ eventType: z.literal("Payment"), data: paymentData }),
  z.looseObject({ eventType: z.literal("Order"), data: orderData }),
]);

export const envelopeSchema = z.looseObject({ eventType: z.string().min(1), data: z.unknown() });

export type HelloAssoNotification = z.output<typeof notificationSchema>;

export interface PaymentFact {
  paymentId: string;
  orderId?: string;
  /** "Authorized" records the dues, "Refunded" reverses them; anything else is ignored. */
  state: string;
  /** The membership share of the payment, in cents (0 is possible: checked by a person). */
  amountCents: number;
  /** Paris calendar day; as written when HelloAsso sent a day that does not exist. */
  paidOn: string;
  /** Names of the membership items (HelloAsso tiers: the « Formule »), when given. */
  formulas: string[];
  payer: { email: string; firstName?: string; lastName?: string };
}

const MEMBERSHIP = "Membership";

/** The membership payments a notification reports (none for a donation or a ticket). */
export function paymentFacts(n: HelloAssoNotification): PaymentFact[] {
  if (n.eventType === "Payment") {
    const d = n.data;
    const memberships = d.items.filter((i) => i.type === MEMBERSHIP);
    const isMembershipForm = d.order?.formType === MEMBERSHIP;
    if (!memberships.length && !isMembershipForm) return [];
    const amountCents = memberships.length ? memberships.reduce((s, i) => s + (i.shareAmount ?? i.amount ?? 0), 0) : d.amount;
    const formulas = memberships.flatMap((i) => (i.name ? [i.name] : []));
    return [{ paymentId: d.id, orderId: d.order?.id, state: d.state, amountCents: Math.min(amountCents, d.amount), paidOn: paidOnOf(d.date), payer: d.payer, formulas }];
  }
  const d = n.data;
  const membershipIds = new Set(d.items.filter((i) => i.type === MEMBERSHIP).map((i) => i.id));
  if (!membershipIds.size) return [];
  const onlyMemberships = membershipIds.size === d.items.length;
  const formulas = d.items.filter((i) => i.type === MEMBERSHIP && i.name).map((i) => i.name!);
  return d.payments.flatMap((p) => {
    const mine = p.items?.filter((i) => membershipIds.has(i.id));
    // a payment that carries no membership item (the donation's own payment) is not about dues;
    // one that does, even for 0 €, is reported and checked
    if (p.items ? !mine!.length : !onlyMemberships) return [];
    const share = mine ? mine.reduce((s, i) => s + (i.shareAmount ?? 0), 0) : p.amount;
    return [{ paymentId: p.id, orderId: d.id, state: p.state, amountCents: Math.min(share, p.amount), paidOn: paidOnOf(p.date), payer: d.payer, formulas }];
  });
}
