// /indemnites: my indemnities for the year.
import { z } from "zod";
import { defineCommand } from "./types.ts";
import { indemnitiesOf, MEETING_MISSIONS } from "../src/app/services/meetings.ts";
import { formatDateFr, formatEuros, yearOf } from "../src/rules/index.ts";

/** Rows listed in the chat; the reply says how many more there are and where. */
const SHOWN = 20;

export const indemnites = defineCommand({
  name: "indemnites",
  description: "Mes indemnités de l'année (réunions, groupes de travail)",
  requiredRole: "adherent",
  personal: true,
  options: [{ name: "annee", description: "L'année (par défaut l'année en cours)", type: "integer", hint: "une année sur 4 chiffres, par exemple 2025" }],
  schema: z.object({ annee: z.number().int().min(2000).max(2100).optional() }),
  example: "/indemnites",
  async run(ctx, input) {
    const year = input.annee ?? yearOf(ctx.today);
    const { rows, totalCents } = await indemnitiesOf(ctx.app, ctx.cpts.id, ctx.caller.memberId!, year);
    if (!rows.length) return { title: `Indemnités ${year}`, text: `Aucune indemnité enregistrée pour vous en ${year}.` };
    return {
      title: `Indemnités ${year}`,
      text:
        `${rows.length} indemnité(s), total ${formatEuros(totalCents)}.` +
        (rows.length > SHOWN ? ` Les ${SHOWN} premières ci-dessous ; les ${rows.length - SHOWN} autres figurent dans l'export des indemnités de l'administration (page Réunions et indemnités) : demandez-le à la coordination.` : ""),
      fields: rows.slice(0, SHOWN).map((r) => ({
        name: r.meeting ? `${formatDateFr(r.meeting.heldOn)} — ${r.meeting.title}` : formatDateFr(r.computedOn),
        value: `${formatEuros(r.amountCents)} (${MEETING_MISSIONS[r.mission] ?? r.mission}) : ${r.explanation}`,
      })),
    };
  },
});
