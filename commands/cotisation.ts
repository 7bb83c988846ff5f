// /cotisation: my dues status for the year and how to pay.
import { z } from "zod";
import { defineCommand } from "./types.ts";
import { MemberRepository } from "../src/db/repos/member-repo.ts";
import { owesDues } from "../src/rules/membership.ts";
import { DUES_STATUS_LABELS, formatDateFr, formatEuros, memberDuesBalance, yearOf } from "../src/rules/index.ts";

export const cotisation = defineCommand({
  name: "cotisation",
  description: "Où en est ma cotisation de l'année, et comment la régler",
  requiredRole: "adherent",
  personal: true,
  options: [{ name: "annee", description: "L'année (par défaut l'année en cours)", type: "integer", hint: "une année sur 4 chiffres, par exemple 2025" }],
  schema: z.object({ annee: z.number().int().min(2000).max(2100).optional() }),
  example: "/cotisation",
  async run(ctx, input) {
    const members = new MemberRepository(ctx.app.db);
    const year = input.annee ?? yearOf(ctx.today);
    const member = (await members.findWithRate(ctx.cpts.id, ctx.caller.memberId!, year))!;
    // Exemption is answered below with the status; here only "is this person a member at all".
    if (!owesDues(member.roles.map((r) => r.role), member.category, false)) {
      return { title: `Cotisation ${year}`, text: "Votre fiche n'a pas de qualité d'adhérent (coordination, partenaire) : aucune cotisation n'est attendue de vous." };
    }
    const at = year < yearOf(ctx.today) ? `${year}-12-31` : ctx.today;
    const payments = (await members.payments(ctx.cpts.id, member.id)).map((p) => ({ memberId: p.memberId, date: p.paidOn, amountCents: p.amountCents, duesYear: p.year, refundedDate: p.refundedOn ?? undefined }));
    const balance = memberDuesBalance({ id: member.id, category: member.category, exempt: member.duesExempt, dueCents: member.rateCents ?? undefined }, payments, at);
    const status = balance.status;
    const rate = member.rateCents === null ? null : { amountCents: member.rateCents };
    const paid = payments.filter((p) => p.duesYear === year && !p.refundedDate);
    const fields = [
      { name: "Statut", value: DUES_STATUS_LABELS[status] },
      ...(rate ? [{ name: "Montant", value: formatEuros(rate.amountCents) }] : []),
      ...(paid.length ? [{ name: "Réglée", value: paid.map((p) => `${formatEuros(p.amountCents ?? 0)} le ${formatDateFr(p.date)}`).join("\n") }] : []),
      ...(status === "partiel" ? [{ name: "Reste à régler", value: formatEuros(balance.balanceCents) }] : []),
    ];
    if (status === "a_jour") return { title: `Cotisation ${year}`, text: `Votre cotisation ${year} est à jour. Merci de votre soutien à la ${ctx.cpts.name} !`, fields };
    if (status === "exonere") return { title: `Cotisation ${year}`, text: `Vous êtes exonéré de cotisation pour ${year}.`, fields };
    const howText = (how: string) => how || `Contactez la coordination${ctx.cpts.contactEmail ? ` (${ctx.cpts.contactEmail})` : ""} pour la régler.`;
    const how = [ctx.cpts.paymentLink ? `En ligne : ${ctx.cpts.paymentLink}` : null, ctx.cpts.paymentInstructions].filter(Boolean).join("\n");
    if (status === "partiel") {
      return {
        title: `Cotisation ${year}`,
        text: `Votre cotisation ${year} est réglée en partie : ${formatEuros(balance.paidCents)} reçus sur ${formatEuros(balance.dueCents ?? 0)}. Reste à régler : ${formatEuros(balance.balanceCents)}.\n${howText(how)}`,
        fields,
      };
    }
    return {
      title: `Cotisation ${year}`,
      text: `Votre cotisation ${year} n'est pas encore réglée${rate ? ` (${formatEuros(rate.amountCents)})` : ""}. Elle couvre l'année civile, jusqu'au 31 décembre ${year}.\n${howText(how)}`,
      fields,
    };
  },
});
