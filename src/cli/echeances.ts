// `coordo echeances`: the dated obligations of a CPTS and their state at a date.
import { DEADLINE_KIND_LABELS, OWNER_ROLE_LABELS, deadlines, formatDateFr, type DeadlineInput, type DeadlineState } from "../rules/index.ts";
import { DEFAULT_SETTINGS, type RulesSettings } from "../rules/settings.ts";
import { EXIT_NOT_FOUND, EXIT_USAGE, UsageError, parseCliArgs, requireDate, type RulesCliIo } from "./financement.ts";

export const ECHEANCES_USAGE = "Usage : coordo echeances [--signature AAAA-MM-JJ | --cpts slug] [--at AAAA-MM-JJ] [--json]";

const STATE_LABELS: Record<DeadlineState, string> = {
  a_venir: "à venir",
  imminent: "imminent",
  en_retard: "en retard",
  fait: "fait",
};

const OPTIONS = {
  signature: { type: "string" },
  at: { type: "string" },
  json: { type: "boolean" },
  cpts: { type: "string" },
} as const;

export async function runEcheances(argv: string[], io: RulesCliIo<DeadlineInput>, today: string): Promise<number> {
  let input: DeadlineInput;
  let at: string;
  let json: boolean;
  let settings: RulesSettings = DEFAULT_SETTINGS;
  try {
    const args = parseCliArgs(argv, OPTIONS);
    at = requireDate("at", args.at ?? today);
    json = args.json === true;
    if (args.signature !== undefined) {
      input = { signatureDate: requireDate("signature", args.signature) };
    } else {
      const slug = args.cpts ?? "demo";
      if (!io.loadCpts) {
        io.err("Aucune base de données n'est disponible : indiquez --signature AAAA-MM-JJ.");
        return EXIT_NOT_FOUND;
      }
      const loaded = await io.loadCpts(slug);
      if (!loaded) {
        io.err(`CPTS « ${slug} » introuvable : vérifiez --cpts, ou indiquez --signature AAAA-MM-JJ.`);
        return EXIT_NOT_FOUND;
      }
      input = loaded;
      settings = (await io.loadSettings?.(slug)) ?? DEFAULT_SETTINGS;
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`${error.message}\n${ECHEANCES_USAGE}`);
      return EXIT_USAGE;
    }
    throw error;
  }

  const list = deadlines(input, at, settings);
  if (json) {
    io.out(
      JSON.stringify(
        list.map((d) => ({
          date: d.dueDate,
          type: d.kind,
          libelle: d.label,
          mission: d.mission ?? null,
          etat: d.state,
          cle: d.key,
          responsable: d.ownerRole,
          alertes: d.alertDates,
        })),
        null,
        2,
      ),
    );
    return 0;
  }
  const lines = [`Échéances au ${formatDateFr(at)}${input.signatureDate ? ` (ACI signé le ${formatDateFr(input.signatureDate)})` : ""}`, ""];
  for (const d of list) {
    lines.push(`  ${formatDateFr(d.dueDate)}  ${STATE_LABELS[d.state].padEnd(9)}  ${DEADLINE_KIND_LABELS[d.kind].padEnd(30)}  ${d.label} (${OWNER_ROLE_LABELS[d.ownerRole]})`);
  }
  const late = list.filter((d) => d.state === "en_retard").length;
  const soon = list.filter((d) => d.state === "imminent").length;
  lines.push("", `${late} en retard, ${soon} imminente(s), ${list.filter((d) => d.state === "a_venir").length} à venir.`);
  io.out(lines.join("\n"));
  return 0;
}
