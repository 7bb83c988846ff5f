// /financement: this contract year's ACI entitlement, what has been and will be paid, next payments.
import { z } from "zod";
import { defineCommand } from "./types.ts";
import { loadRulesInputs } from "../src/db/repos/cpts-rules-repo.ts";
import { compareDates, contractYearOf, entitlementForYear, formatDateFr, formatEuros, paymentCalendar } from "../src/rules/index.ts";

export const financement = defineCommand({
  name: "financement",
  description: "Le financement ACI de l'année de contrat : droits, versé, attendu, prochains versements",
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
    const calendar = paymentCalendar(funding, settings);
    const thisYear = calendar.filter((p) => p.annee === year);
    const received = thisYear.filter((p) => compareDates(p.date, ctx.today) <= 0);
    const expected = thisYear.filter((p) => compareDates(p.date, ctx.today) > 0);
    const sum = (xs: { montant_cents: number }[]) => xs.reduce((s, p) => s + p.montant_cents, 0);
    const next = calendar.filter((p) => compareDates(p.date, ctx.today) > 0).slice(0, 5);
    return {
      title: `Financement ACI — année ${year} de contrat`,
      text:
        `Du ${formatDateFr(ent.debut)} au ${formatDateFr(ent.fin)}, taille ${ent.taille}. ` +
        `Droits de l'année : ${formatEuros(ent.total_cents)} (dont ${formatEuros(ent.total_cents - ent.budget_cents)} de parts variables au potentiel maximal ; budget prévisionnel ${formatEuros(ent.budget_cents)}).`,
      fields: [
        { name: "Déjà versé pour l'année", value: formatEuros(sum(received)) },
        { name: "Encore attendu pour l'année", value: formatEuros(sum(expected)) },
        ...ent.lignes.filter((l) => l.montant_cents > 0).map((l) => ({ name: l.label, value: `${formatEuros(l.montant_cents)}${l.potentiel ? " (potentiel)" : ""}` })),
        {
          name: "Prochains versements",
          value: next.length ? next.map((p) => `${formatDateFr(p.date)} : ${formatEuros(p.montant_cents)} — ${p.label}`).join("\n") : "aucun",
        },
      ],
    };
  },
});
