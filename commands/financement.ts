// /financement: this contract year's ACI entitlement, what was received (recorded receipts, never the
// calendar), what is expected or late, variable parts as potentiel, next payments (the cut is said).
import { z } from "zod";
import { defineCommand } from "./types.ts";
import { loadRulesInputs } from "../src/db/repos/cpts-rules-repo.ts";
import { contractYearOf, entitlementForYear, formatDateFr, formatEuros } from "../src/rules/index.ts";
import { moneyView } from "../src/app/services/facts.ts";

/** Next payments listed in the chat; the reply says how many more there are and where. */
const SHOWN = 5;

export const financement = defineCommand({
  name: "financement",
  description: "Le financement ACI de l'année de contrat : droits, reçu, attendu, en retard, prochains versements",
  requiredRole: "bureau",
  options: [],
  schema: z.object({}),
  example: "/financement",
  async run(ctx) {
    const inputs = await loadRulesInputs(ctx.app.db, ctx.cpts.id);
    if (!inputs?.funding) return { text: `La ${ctx.cpts.name} n'a pas encore d'ACI signé enregistré : rien à calculer.` };
    const { funding, settings } = inputs;
    const year = contractYearOf(ctx.today, funding.signatureDate, settings);
    if (year === null) return { text: `Le contrat signé le ${formatDateFr(funding.signatureDate)} n'est pas en cours aujourd'hui.` };
    const ent = entitlementForYear(funding, year, settings);
    const money = moneyView(inputs, ctx.today, SHOWN)!;
    const y = money.ofYear!;
    const next = money.upcoming;
    const rest = next.total - next.shown.length;
    return {
      title: `Financement ACI — année ${year} de contrat`,
      text:
        `Du ${formatDateFr(ent.debut)} au ${formatDateFr(ent.fin)}, taille ${ent.taille}. ` +
        `Droits de l'année : ${formatEuros(ent.total_cents)} (dont ${formatEuros(ent.total_cents - ent.budget_cents)} de parts variables au potentiel maximal ; budget prévisionnel ${formatEuros(ent.budget_cents)}).`,
      fields: [
        { name: "Reçu pour l'année (versements enregistrés)", value: formatEuros(y.recu_cents) },
        { name: "Attendu pour l'année (parts fixes)", value: formatEuros(y.attendu_cents) },
        { name: "En retard", value: formatEuros(y.en_retard_cents) },
        { name: "Parts variables (potentiel, selon les indicateurs)", value: formatEuros(y.potentiel_cents) },
        {
          name: "Sur tout le contrat",
          value: `reçu ${formatEuros(money.all.recu_cents)}, attendu ${formatEuros(money.all.attendu_cents)}, en retard ${formatEuros(money.all.en_retard_cents)}` +
            (money.non_rapproche_cents > 0 ? `, non rapproché du calendrier ${formatEuros(money.non_rapproche_cents)}` : ""),
        },
        ...ent.lignes.filter((l) => l.montant_cents > 0).map((l) => ({ name: l.label, value: `${formatEuros(l.montant_cents)}${l.part === "variable" ? " (potentiel)" : ""}` })),
        {
          name: "Prochains versements",
          value: next.shown.length
            ? next.shown.map((p) => `${formatDateFr(p.date)} : ${formatEuros(p.reste_cents)} — ${p.label}`).join("\n") +
              (rest > 0 ? `\n… et ${rest} autre(s) : voir la page Financement de l'administration (/admin/financement).` : "")
            : "aucun",
        },
        ...(money.late.total
          ? [{
              name: "Versements en retard",
              value:
                money.late.shown.map((p) => `${formatDateFr(p.date)} : ${formatEuros(p.reste_cents)} — ${p.label}`).join("\n") +
                (money.late.total > money.late.shown.length ? `\n… et ${money.late.total - money.late.shown.length} autre(s) : voir la page Financement de l'administration (/admin/financement).` : "") +
                "\nUn versement reçu se saisit avec /saisir type=versement_cpam.",
            }]
          : []),
        ...(money.publicFunding.alert ? [{ name: "Commissaire aux comptes", value: money.publicFunding.alert.label }] : []),
      ],
    };
  },
});
