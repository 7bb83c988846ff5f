// node:util parseArgs with French errors: an unknown option, a missing or unexpected value, or an
// unexpected positional argument becomes a sentence naming it (exit code 2 for the caller).
import { parseArgs, type ParseArgsConfig } from "node:util";
import { EXIT_USAGE } from "./io.ts";

export class ArgsError extends Error {
  readonly exitCode = EXIT_USAGE;
  constructor(message: string) {
    super(message);
    this.name = "ArgsError";
  }
}

/** The option or argument named in parseArgs' English message (`'--zz'`, `'--cpts <value>'`, `'x'`). */
function quoted(message: string): string | undefined {
  return /'([^']*)'/.exec(message)?.[1];
}

/** The French sentence for a parseArgs error; null when it is not a parseArgs error. */
export function argsErrorFr(e: unknown, config: Pick<ParseArgsConfig, "options">): string | null {
  const code = (e as { code?: string } | null)?.code;
  const message = (e as Error | null)?.message ?? "";
  const named = quoted(message);
  const option = named?.split(" ")[0];
  const known = Object.keys(config.options ?? {}).map((o) => `--${o}`);
  const list = known.length ? ` Options acceptées : ${known.join(", ")}.` : " Cette commande n'accepte aucune option.";
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `Option inconnue « ${option ?? "?"} ».${list}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE": {
      const name = option?.replace(/^-+/, "") ?? "";
      const def = config.options?.[name] ?? Object.entries(config.options ?? {}).find(([, o]) => o.short === name)?.[1];
      return def?.type === "boolean"
        ? `L'option « ${option} » ne prend pas de valeur (écrivez ${option} seul).`
        : `L'option « ${option ?? "?"} » attend une valeur (par exemple ${option ?? "--option"} valeur).`;
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `Argument inattendu « ${named ?? "?"} » : cette commande ne prend pas d'argument sans option.`;
    default:
      return null;
  }
}

/** parseArgs, but a bad command line throws ArgsError with a French message (exit code 2). */
export function parseArgsFr<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (e) {
    const fr = argsErrorFr(e, config);
    if (fr !== null) throw new ArgsError(fr);
    throw e;
  }
}
