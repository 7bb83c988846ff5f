// `coordo financement`: the 5-year ACI entitlement and payment calendar, from arguments or the CPTS in the database.
import { parseArgs } from "node:util";
import {
  LINE_LABELS,
  MISSION_IDS,
  SOCLE_MISSION_IDS,
  cashFlow,
  entitlement,
  formatDateFr,
  formatEuros,
  isIsoDate,
  isMissionId,
  paymentCalendar,
  type FundingInput,
  type MissionContract,
  type MissionId,
  type AciSize,
} from "../rules/index.ts";
import { DEFAULT_SETTINGS, type RulesSettings } from "../rules/settings.ts";

export interface RulesCliIo<T> {
  out: (s: string) => void;
  err: (s: string) => void;
  loadCpts?: (slug: string) => Promise<T | null>;
  /** The CPTS's own settings (overrides of the uncertain rules), for a CPTS read from the database. */
  loadSettings?: (slug: string) => Promise<RulesSettings | null>;
}

export const FINANCEMENT_USAGE =
  "Usage : coordo financement (--taille N | --population N) --signature AAAA-MM-JJ [--membres N] [--missions acces_soins,parcours,...] [--demarrage mission=AAAA-MM-JJ ...] [--json]\n" +
  "        coordo financement [--cpts slug] [--json]";

export const EXIT_USAGE = 2;
export const EXIT_NOT_FOUND = 1;

export class UsageError extends Error {}

/** Parses argv with node's parser; unknown or malformed options become a French UsageError. */
export function parseCliArgs<O extends Record<string, { type: "string" | "boolean"; multiple?: boolean }>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    const option = /(--?[\w-]+)/.exec(detail)?.[1];
    throw new UsageError(option ? `Option inconnue ou mal formée : ${option}.` : `Arguments invalides (${detail}).`);
  }
}

export function requireDate(name: string, value: string): string {
  if (!isIsoDate(value)) throw new UsageError(`--${name} attend une date au format AAAA-MM-JJ (reçu : « ${value} »).`);
  // the 5-year calendar and its deadlines must stay within computable dates
  if (value < "2000-01-01" || value > "2099-12-31") throw new UsageError(`--${name} attend une date entre 2000-01-01 et 2099-12-31 (reçu : « ${value} »).`);
  return value;
}

function requireInteger(name: string, value: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(max < Number.MAX_SAFE_INTEGER ? `--${name} attend un entier entre ${min} et ${max} (reçu : « ${value} »).` : `--${name} attend un entier positif (reçu : « ${value} »).`);
  }
  return n;
}

function parseMissions(value: string): MissionId[] {
  const ids = value.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = ids.find((id) => !isMissionId(id));
  if (unknown !== undefined || ids.length === 0) {
    throw new UsageError(`--missions attend une liste séparée par des virgules parmi ${MISSION_IDS.join(", ")} (reçu : « ${unknown ?? value} »).`);
  }
  return ids as MissionId[];
}

function parseStarts(values: string[], missions: readonly MissionId[]): Map<MissionId, string> {
  const starts = new Map<MissionId, string>();
  for (const value of values) {
    const [id, date] = value.split("=");
    if (!isMissionId(id) || date === undefined || !isIsoDate(date)) {
      throw new UsageError(`--demarrage attend la forme mission=AAAA-MM-JJ, par exemple acces_soins=2025-03-01 (reçu : « ${value} »).`);
    }
    if (!missions.includes(id)) throw new UsageError(`--demarrage : la mission « ${id} » ne fait pas partie de --missions (${missions.join(", ")}).`);
    starts.set(id, date);
  }
  return starts;
}

const OPTIONS = {
  taille: { type: "string" },
  population: { type: "string" },
  signature: { type: "string" },
  membres: { type: "string" },
  missions: { type: "string" },
  demarrage: { type: "string", multiple: true },
  json: { type: "boolean" },
  cpts: { type: "string" },
} as const;

async function buildInput(argv: string[], io: RulesCliIo<FundingInput>): Promise<{ input: FundingInput; json: boolean; settings: RulesSettings } | number> {
  const args = parseCliArgs(argv, OPTIONS);
  const json = args.json === true;
  if (args.taille !== undefined && args.population !== undefined) throw new UsageError("Indiquez --taille ou --population, pas les deux.");
  const size = args.taille !== undefined ? (requireInteger("taille", args.taille, 1, 4) as AciSize) : undefined;
  const population = args.population !== undefined ? requireInteger("population", args.population, 0) : undefined;
  const memberCount = args.membres !== undefined ? requireInteger("membres", args.membres, 0) : undefined;
  const missionIds = args.missions !== undefined ? parseMissions(args.missions) : undefined;
  parseStarts(args.demarrage ?? [], missionIds ?? MISSION_IDS);

  if (args.signature === undefined) {
    if (size !== undefined || population !== undefined) throw new UsageError("--signature AAAA-MM-JJ est obligatoire avec --taille ou --population.");
    const slug = args.cpts ?? "demo";
    if (!io.loadCpts) {
      io.err("Aucune base de données n'est disponible : indiquez --taille (ou --population) et --signature AAAA-MM-JJ.");
      return EXIT_NOT_FOUND;
    }
    const loaded = await io.loadCpts(slug);
    if (!loaded) {
      io.err(`CPTS « ${slug} » introuvable ou sans ACI signé : vérifiez --cpts, ou indiquez --taille et --signature.`);
      return EXIT_NOT_FOUND;
    }
    const starts = parseStarts(args.demarrage ?? [], missionIds ?? (loaded.missions ?? []).map((m) => m.id));
    const missions: MissionContract[] | undefined = missionIds
      ? missionIds.map((id) => ({ ...(loaded.missions?.find((m) => m.id === id) ?? { id }), contracted: true }))
      : loaded.missions;
    return {
      json,
      settings: (await io.loadSettings?.(slug)) ?? DEFAULT_SETTINGS,
      input: {
        ...loaded,
        ...(memberCount !== undefined ? { memberCount } : {}),
        missions: missions?.map((m) => (starts.has(m.id) ? { ...m, startDate: starts.get(m.id) } : m)),
      },
    };
  }

  const signatureDate = requireDate("signature", args.signature);
  if (size === undefined && population === undefined) throw new UsageError("Indiquez la taille de la CPTS : --taille N (1 à 4) ou --population N.");
  const ids = missionIds ?? [...SOCLE_MISSION_IDS];
  const starts = parseStarts(args.demarrage ?? [], ids);
  return {
    json,
    settings: DEFAULT_SETTINGS,
    input: {
      signatureDate,
      ...(size !== undefined ? { size } : { population }),
      memberCount,
      missions: ids.map((id) => ({ id, contracted: true, ...(starts.has(id) ? { startDate: starts.get(id) } : {}) })),
    },
  };
}

export async function runFinancement(argv: string[], io: RulesCliIo<FundingInput>, today: string): Promise<number> {
  let built: Awaited<ReturnType<typeof buildInput>>;
  if (!isIsoDate(today)) throw new RangeError(`today must be YYYY-MM-DD, got ${today}`);
  try {
    built = await buildInput(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n${FINANCEMENT_USAGE}`);
      return EXIT_USAGE;
    }
    throw error;
  }
  if (typeof built === "number") return built;
  const { input, json, settings } = built;
  const result = entitlement(input, settings);
  const payments = paymentCalendar(input, settings);
  const cash = cashFlow(input, settings);

  if (json) {
    io.out(
      JSON.stringify(
        {
          taille: result.taille,
          signature: input.signatureDate,
          avenant: result.table,
          total_cents: result.total_cents,
          budget_cents: result.budget_cents,
          annees: result.annees.map((y) => ({
            annee: y.annee,
            debut: y.debut,
            fin: y.fin,
            taille: y.taille,
            total_cents: y.total_cents,
            budget_cents: y.budget_cents,
            lignes: y.lignes.map((l) => ({ mission: l.mission, part: l.part, montant_cents: l.montant_cents, potentiel: l.potentiel, majoration_cents: l.majoration_cents, libelle: l.label })),
          })),
          versements: payments.map((p) => ({ date: p.date, montant_cents: p.montant_cents, nature: p.nature, mission: p.mission, annee: p.annee })),
          tresorerie: cash,
        },
        null,
        2,
      ),
    );
    return 0;
  }

  const lines: string[] = [];
  lines.push(`Financement ACI d'une CPTS de taille ${result.taille} (${result.table.replace("_", " ")}), signé le ${formatDateFr(input.signatureDate)}`);
  lines.push("Les parts variables sont comptées à leur potentiel maximal ; le budget prévisionnel les exclut.");
  const width = Math.max(...result.annees.flatMap((y) => y.lignes.map((l) => l.label.length)), 40);
  const row = (label: string, cents: number): string => `  ${label.padEnd(width)}  ${formatEuros(cents).padStart(14)}`;
  for (const y of result.annees) {
    lines.push("", `Année ${y.annee} : du ${formatDateFr(y.debut)} au ${formatDateFr(y.fin)} (taille ${y.taille})`);
    for (const l of y.lignes) lines.push(row(l.label, l.montant_cents));
    lines.push(row("Total (parts variables au potentiel)", y.total_cents));
    lines.push(row("Budget prévisionnel (sans parts variables)", y.budget_cents));
  }
  lines.push("", row("Total sur 5 ans", result.total_cents), row("Budget prévisionnel sur 5 ans", result.budget_cents));
  lines.push("", "Calendrier des versements attendus (prévision : les versements reçus se saisissent dans l'administration, page Financement)");
  lines.push("  Première année : décalage entre le versement du fonctionnement (à la signature) et celui des missions (à leur démarrage) ; chaque ligne a sa date.");
  const natures = { integral: "versement intégral", avance: "avance", solde: "solde", variable: "part variable" } as const;
  for (const p of payments) {
    lines.push(`  ${formatDateFr(p.date)}  ${natures[p.nature].padEnd(18)}  ${`${LINE_LABELS[p.mission]} (année ${p.annee})`.padEnd(48)}  ${formatEuros(p.montant_cents).padStart(14)}`);
  }
  lines.push("", "Trésorerie prévisionnelle (dépenses réparties uniformément sur l'année)");
  for (const c of cash.annees) {
    lines.push(`  Année ${c.annee} : versements attendus ${formatEuros(c.recu_cents)}, dépenses prévues ${formatEuros(c.depense_cents)}, solde cumulé prévu ${formatEuros(c.solde_cumule_cents)}, point bas ${formatEuros(c.point_bas_cents)} le ${formatDateFr(c.point_bas_date)}`);
  }
  lines.push(
    cash.besoin_tresorerie_cents > 0
      ? `  Besoin de trésorerie à prévoir : ${formatEuros(cash.besoin_tresorerie_cents)} (avances de la CPAM versées après les dépenses).`
      : "  Aucun besoin de trésorerie : le solde cumulé reste positif.",
  );
  io.out(lines.join("\n"));
  return 0;
}
