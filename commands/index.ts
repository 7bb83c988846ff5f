// The explicit registry: the order is the order of /aide. Discord command definitions and the
// Slack app manifest are generated from this list.
import type { CommandDef } from "./types.ts";
import { aide } from "./aide.ts";
import { adhesion } from "./adhesion.ts";
import { cotisation } from "./cotisation.ts";
import { relanceCotisations } from "./relance-cotisations.ts";
import { newsletter } from "./newsletter.ts";
import { echeances } from "./echeances.ts";
import { financement } from "./financement.ts";
import { saisir } from "./saisir.ts";
import { emargement } from "./emargement.ts";
import { indemnites } from "./indemnites.ts";
import { planCrise } from "./plan-crise.ts";
import { mesDonnees } from "./mes-donnees.ts";
import { vote } from "./vote.ts";

export const commands: readonly CommandDef<any>[] = [
  aide,
  adhesion,
  cotisation,
  relanceCotisations,
  newsletter,
  echeances,
  financement,
  saisir,
  emargement,
  indemnites,
  planCrise,
  vote,
  mesDonnees,
];

export function findCommand(name: string, registry: readonly CommandDef<any>[] = commands): CommandDef<any> | undefined {
  return registry.find((c) => c.name === name);
}
