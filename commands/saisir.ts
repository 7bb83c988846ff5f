// /saisir: the bureau enters a dated fact from the chat (aid received, projet de santé filed or
// answered, governance change, termination letter, hire, CPAM payment received). Its deadlines follow
// from the rules and appear in /echeances, the iCal feed and the alerts; a CPAM payment is matched to
// the calendar (/financement).
import { z } from "zod";
import { defineCommand } from "./types.ts";
import { recordFact, recordGovernanceChange, recordReceipt } from "../src/app/services/facts.ts";
import { parseEurosToCents } from "../src/admin/forms.ts";
import { UserError } from "../src/app/errors.ts";

const TYPES = {
  aide_precoce: { fact: "AIDE_MISSION_PRECOCE", label: "aide « mission précoce » reçue (montant)" },
  aide_fir: { fact: "AIDE_FIR", label: "aide FIR de démarrage reçue (montant)" },
  projet_depose: { fact: "PROJET_SANTE_DEPOT", label: "projet de santé déposé" },
  projet_reponse: { fact: "PROJET_SANTE_REPONSE", label: "réponse au projet de santé" },
  gouvernance: { fact: null, label: "changement de gouvernance (précision : ce qui a changé)" },
  resiliation_envoyee: { fact: "RESILIATION_ENVOYEE", label: "lettre de résiliation de l'ACI envoyée" },
  resiliation_recue: { fact: "RESILIATION_RECUE", label: "lettre de résiliation de l'ACI reçue" },
  embauche: { fact: "EMBAUCHE", label: "embauche (précision : le poste)" },
  versement_cpam: { fact: null, label: "versement de la CPAM reçu (montant)" },
} as const;
type FactType = keyof typeof TYPES;

export const saisir = defineCommand({
  name: "saisir",
  description: "Saisir un fait daté : aide reçue, projet de santé, gouvernance, résiliation, embauche, versement CPAM",
  requiredRole: "bureau",
  options: [
    { name: "type", description: "Le fait", type: "string", choices: Object.entries(TYPES).map(([value, t]) => ({ label: t.label, value })), hint: Object.keys(TYPES).join(", ") },
    { name: "date", description: "La date (AAAA-MM-JJ)", type: "string", hint: "par exemple 2026-11-20" },
    { name: "montant", description: "Le montant en euros (aides, versement CPAM)", type: "string", hint: "par exemple 24000 ou 24 000,00" },
    { name: "precision", description: "Le poste (embauche), ce qui a changé (gouvernance), une note", type: "string", hint: "par exemple coordonnatrice" },
  ],
  schema: z.object({
    type: z.enum(Object.keys(TYPES) as [FactType, ...FactType[]], { error: `type attendu parmi ${Object.keys(TYPES).join(", ")}` }),
    date: z.string().trim().min(1, "date requise (AAAA-MM-JJ)").max(20),
    montant: z.string().trim().max(30).optional(),
    precision: z.string().trim().max(200).optional(),
  }),
  example: '/saisir type=embauche date=2026-11-20 precision="coordonnatrice"',
  async run(ctx, input) {
    const amount = input.montant ? parseEurosToCents(input.montant) : null;
    if (input.montant && amount === null) throw new UserError(`Montant invalide : « ${input.montant} » (par exemple 24 000,00).`, "montant");
    if (input.type === "versement_cpam") {
      const r = await recordReceipt(ctx.app, ctx.cpts.id, { date: input.date, amountCents: amount }, ctx.actor);
      return { text: `${r.label} : enregistré et rapproché du calendrier. Voir /financement.` };
    }
    if (input.type === "gouvernance") {
      const r = await recordGovernanceChange(ctx.app, ctx.cpts.id, { date: input.date, what: input.precision }, ctx.actor);
      return { text: `${r.label} : enregistré. La déclaration au greffe est dans /echeances.` };
    }
    const r = await recordFact(ctx.app, ctx.cpts.id, { kind: TYPES[input.type].fact!, date: input.date, amountCents: amount, detail: input.precision ?? null }, ctx.actor);
    return { text: `${r.label} : enregistré. Ses échéances sont dans /echeances (et le calendrier iCal) jusqu'à ce qu'elles soient marquées faites.` };
  },
});
