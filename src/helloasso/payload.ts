// HelloAsso API v5 notifications (webhooks of an association account), validated with zod.
// HelloAsso posts JSON `{ eventType, data, metadata? }`; we act on two event types:
// - "Payment": data is one payment (id, amount in cents, date, state, payer, items, order);
// - "Order": data is one order (id, date, payer, items, payments[] each with id/amount/date/state).
// Other event types ("Form", "Organization") are acknowledged and ignored. Both shapes are read
// leniently (unknown fields kept), strictly on the fields we use.
import { z } from "zod";
import { parisToday } from "../rules/dates.ts";

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
  /** The membership share of the payment, in cents. */
  amountCents: number;
  paidOn: string;
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
    return [{ paymentId: d.id, orderId: d.order?.id, state: d.state, amountCents: Math.min(amountCents, d.amount), paidOn: parisToday(new Date(d.date)), payer: d.payer }];
  }
  const d = n.data;
  const membershipIds = new Set(d.items.filter((i) => i.type === MEMBERSHIP).map((i) => i.id));
  if (!membershipIds.size) return [];
  const onlyMemberships = membershipIds.size === d.items.length;
  return d.payments.flatMap((p) => {
    const share = p.items ? p.items.filter((i) => membershipIds.has(i.id)).reduce((s, i) => s + (i.shareAmount ?? 0), 0) : onlyMemberships ? p.amount : 0;
    if (share <= 0) return [];
    return [{ paymentId: p.id, orderId: d.id, state: p.state, amountCents: Math.min(share, p.amount), paidOn: parisToday(new Date(p.date)), payer: d.payer }];
  });
}
