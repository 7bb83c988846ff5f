// Dues reminder (relance de cotisation), one wording per step: 1 = friendly, 2 = second, last = final notice.
import { defineMailTemplate, html, paragraphs, z } from "../../src/mail/template.ts";
import { fillBody, fillSubject } from "../../src/mail/wording.ts";
import { layout, preferencesFooter } from "./layout.ts";

const schema = z.object({
  cptsName: z.string().min(1),
  memberName: z.string().min(1),
  year: z.number().int().min(2000),
  step: z.number().int().min(1),
  maxCount: z.number().int().min(1),
  amount: z.string().min(1).optional(),
  /** A partial payment: what was received and the balance asked for. */
  paid: z.string().min(1).optional(),
  balance: z.string().min(1).optional(),
  /** What the CPTS's settings say: members with unpaid dues are not indemnified. */
  unpaidExcludedFromIndemnities: z.boolean().default(true),
  paymentLink: z.url().optional(),
  paymentInstructions: z.string().optional(),
  preferencesUrl: z.url().optional(),
  /** The CPTS's own wording (« Modèles de messages »), filled with the variables below; absent: coordo's. */
  wording: z.object({ subject: z.string(), body: z.string() }).optional(),
});
type Vars = z.output<typeof schema>;

/** The variables a CPTS's wording of a reminder may use (templates/mail/wordings.ts lists them). */
export function relanceWordingVars(v: Vars): Record<string, string | undefined> {
  return { nom: v.memberName, cpts: v.cptsName, annee: String(v.year), montant: v.amount, "deja-regle": v.paid, "reste-a-regler": v.balance, relance: String(v.step) };
}


function headline(v: Vars): string {
  if (v.wording) return fillSubject(v.wording.subject, relanceWordingVars(v));
  if (v.step >= v.maxCount && v.step > 1) return `Dernier rappel : votre cotisation ${v.year}`;
  if (v.balance) return `Votre cotisation ${v.year} : reste ${v.balance} à régler`;
  if (v.step === 1) return `Votre cotisation ${v.year} à la ${v.cptsName}`;
  return `Rappel : votre cotisation ${v.year} n'est pas encore réglée`;
}

function intro(v: Vars): string {
  const partial = v.balance ? `Nous avons bien reçu ${v.paid ?? "une partie de votre cotisation"} pour ${v.year}, merci ; il reste ${v.balance} à régler pour être à jour.` : null;
  if (v.step >= v.maxCount && v.step > 1) {
    const consequence = v.unpaidExcludedFromIndemnities
      ? "sans cotisation à jour, vous ne pourrez plus voter en assemblée générale ni être indemnisé·e pour votre participation aux groupes de travail."
      : "sans cotisation à jour, vous ne pourrez plus voter en assemblée générale.";
    return `${partial ?? `Sauf erreur de notre part, votre cotisation ${v.year} n'est toujours pas réglée.`} C'est notre dernier rappel : ${consequence}`;
  }
  if (partial) return partial;
  if (v.step === 1)
    return `L'année de cotisation ${v.year} est ouverte. Votre adhésion fait vivre la CPTS : projets de santé du territoire, groupes de travail, coordination entre professionnels.`;
  return `Sauf erreur de notre part, nous n'avons pas encore reçu votre cotisation ${v.year}. Si vous venez de la régler, merci et ne tenez pas compte de ce message.`;
}

export const relanceTemplate = defineMailTemplate({
  name: "relance",
  schema,
  subject: (v) => headline(v),
  html: (v) =>
    layout({
      cptsName: v.cptsName,
      title: headline(v),
      content: v.wording
        ? html`${paragraphs(fillBody(v.wording.body, relanceWordingVars(v)))}
${amountAndPayment(v)}`
        : html`<p style="margin:0 0 12px">Bonjour ${v.memberName},</p>
<p style="margin:0 0 12px">${intro(v)}</p>
${amountAndPayment(v)}
<p style="margin:0">Merci, et à bientôt,<br>L'équipe de la ${v.cptsName}</p>`,
      footer: preferencesFooter(v.preferencesUrl, "parce que vous êtes adhérent·e de la CPTS (relances de cotisation)"),
    }),
  text: (v) =>
    [
      ...(v.wording ? [fillBody(v.wording.body, relanceWordingVars(v))] : [`Bonjour ${v.memberName},`, "", intro(v)]),
      ...amountAndPaymentText(v),
      ...(v.wording ? [] : ["", "Merci, et à bientôt,", `L'équipe de la ${v.cptsName}`]),
      ...(v.preferencesUrl ? ["", `Ne plus recevoir les relances de cotisation : ${v.preferencesUrl}`] : []),
    ].join("\n"),
});

/** The amount (or balance), the payment button and instructions: always there, whatever the wording. */
function amountAndPayment(v: Vars) {
  return html`${v.balance ? html`<p style="margin:0 0 12px">Reste à régler : <strong>${v.balance}</strong>${v.amount ? html` sur ${v.amount}` : ""} (valable jusqu'au 31 décembre ${v.year}).</p>` : v.amount ? html`<p style="margin:0 0 12px">Montant : <strong>${v.amount}</strong> (valable jusqu'au 31 décembre ${v.year}).</p>` : ""}
${v.paymentLink ? html`<p style="margin:0 0 16px"><a href="${v.paymentLink}" style="background:#0b5c8c;color:#ffffff;padding:10px 16px;border-radius:4px;text-decoration:none">Régler ma cotisation</a></p>` : ""}
${v.paymentInstructions ? html`<p style="margin:0 0 12px">${v.paymentInstructions}</p>` : ""}`;
}

function amountAndPaymentText(v: Vars): string[] {
  return [
    ...(v.balance
      ? ["", `Reste à régler : ${v.balance}${v.amount ? ` sur ${v.amount}` : ""} (valable jusqu'au 31 décembre ${v.year}).`]
      : v.amount
        ? ["", `Montant : ${v.amount} (valable jusqu'au 31 décembre ${v.year}).`]
        : []),
    ...(v.paymentLink ? ["", `Régler ma cotisation : ${v.paymentLink}`] : []),
    ...(v.paymentInstructions ? ["", v.paymentInstructions] : []),
  ];
}
