// `coordo <commande>`: French help, one module per subcommand, loaded on demand.
import { loadConfig, ConfigError } from "../config.ts";
import { createLogger, redact } from "../log.ts";
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ArgsError, argsErrorFr } from "./args.ts";
import { UserError } from "../app/errors.ts";
import type { AppContext } from "../app/context.ts";
import { EXIT_USAGE, type CliCommand, type CliIO } from "./io.ts";
import { mailConfigProblem } from "../mail/safety.ts";

type Entry = { summary: string; load: () => Promise<CliCommand["run"]> };

const commands: Record<string, Entry> = {
  start: { summary: "démarre coordo (web admin, tâches planifiées, chat). --demo charge la CPTS de démonstration", load: async () => (await import("./start.ts")).run },
  migrate: { summary: "applique les migrations de la base de données", load: async () => (await import("./migrate.ts")).run },
  // Other subcommands register here, one line each (financement, echeances, job, outbox, chat, slack-manifest, admin).
  admin: { summary: "comptes de l'administration web : admin create --cpts <slug> --email <e-mail> --role coordonnateur|bureau", load: async () => (await import("./admin.ts")).run },
  financement: { summary: "droits ACI sur 5 ans et calendrier des versements (--help pour les options)", load: async () => (await import("./rules-commands.ts")).financement },
  echeances: { summary: "échéances de la CPTS ou d'un contrat (--help pour les options)", load: async () => (await import("./rules-commands.ts")).echeances },
  job: { summary: "tâches planifiées : job list, job run <id> [--at AAAA-MM-JJ] [--dry-run] [--cpts slug]", load: async () => (await import("./job.ts")).run },
  outbox: { summary: "messages en file, envoyés ou capturés (--etat capture, --voir ID)", load: async () => (await import("./outbox.ts")).run },
  adresses: { summary: "adresses marquées invalides : adresses [--cpts slug] ; adresses retablir --cpts slug --email … | --toutes (remet en file les mails en échec)", load: async () => (await import("./adresses.ts")).run },
  chat: { summary: "lance une commande de chat comme un membre : chat --cpts demo --as <e-mail> \"/cotisation\" [--click \"<bouton>\"] ; chat lier relie un serveur Discord ou un espace Slack", load: async () => (await import("./chat.ts")).run },
  federation: { summary: "inter-CPTS : federation creer|ajouter|retirer|liste (une inter-CPTS et ses CPTS membres)", load: async () => (await import("./federation.ts")).run },
  "slack-manifest": { summary: "affiche le manifeste de l'application Slack généré depuis les commandes", load: async () => (await import("./slack-manifest.ts")).run },
  config: { summary: "affiche la configuration effective (secrets masqués) et chaque problème trouvé", load: async () => (await import("./config.ts")).run },
  sauvegarde: { summary: "sauvegarde la base : sauvegarde [--vers FICHIER] (SQLite en ligne ; PostgreSQL par pg_dump)", load: async () => (await import("./backup.ts")).sauvegarde },
  restauration: { summary: "restaure une sauvegarde après l'avoir vérifiée : restauration FICHIER --confirmer (coordo arrêté)", load: async () => (await import("./backup.ts")).restauration },
  rebonds: { summary: "relève maintenant la boîte des rebonds (BOUNCE_IMAP_URL) et applique les avis de non-remise", load: async () => (await import("./rebonds.ts")).run },
  demo: { summary: "charge la CPTS de démonstration (slug demo) ; sans effet si elle existe déjà", load: async () => (await import("./demo.ts")).run },
};

export function helpText(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return [
    "coordo — l'assistant des CPTS (cotisations, newsletter, échéances ACI, plan de crise, indemnités)",
    "",
    "Utilisation : coordo <commande> [options]",
    "",
    "Commandes :",
    ...Object.entries(commands).map(([name, e]) => `  ${name.padEnd(width)}  ${e.summary}`),
    "",
    "Configuration par variables d'environnement (voir README.md et .env.example).",
  ].join("\n");
}

/** Appends the failure (with its stack) to data/erreurs.log, or to stderr's log when that file cannot be written. */
function internalErrorLog(ref: string, command: string, error: unknown): string {
  const file = join("data", "erreurs.log");
  try {
    mkdirSync("data", { recursive: true });
    appendFileSync(file, JSON.stringify({ t: new Date().toISOString(), level: "error", msg: "échec de la commande", ref, command, error: redact(error) }) + "\n");
    return file;
  } catch {
    createLogger("error", (l) => process.stderr.write(l + "\n"), "json").error("échec de la commande", { ref, command, error });
    return "le journal (stderr)";
  }
}

export async function main(argv: string[], io?: Partial<CliIO>): Promise<number> {
  const out = io?.out ?? ((s: string) => process.stdout.write(s + "\n"));
  const err = io?.err ?? ((s: string) => process.stderr.write(s + "\n"));
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "aide" || name === "help") {
    out(helpText());
    return name ? 0 : EXIT_USAGE;
  }
  const entry = commands[name];
  if (!entry) {
    err(`Commande inconnue : « ${name} ». Tapez coordo --help pour la liste des commandes.`);
    return EXIT_USAGE;
  }
  let ctx: AppContext | undefined;
  const cliIO: CliIO = {
    out,
    err,
    context:
      io?.context ??
      (async () => {
        if (!ctx) {
          const config = loadConfig();
          // loaded on demand: commands without a database (financement, config, --help) start faster
          const { openContext } = await import("../app/context.ts");
          ctx = await openContext(config, createLogger(config.LOG_LEVEL));
        }
        return ctx;
      }),
  };
  try {
    // real mail needs https links and a verifiable sender: `start` and `job run` refuse to run otherwise
    if (!io?.context && (name === "start" || (name === "job" && (args[0] === "run" || args[0] === "lancer")))) {
      const problem = mailConfigProblem(loadConfig());
      if (problem) throw new ConfigError(problem);
    }
    const run = await entry.load();
    return await run(args, cliIO);
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ArgsError) {
      err(e.message);
      return EXIT_USAGE;
    }
    // a subcommand's own parseArgs call: the same French sentence as parseArgsFr's
    const usage = argsErrorFr(e, { options: undefined });
    if (usage !== null) {
      err(`${usage.replace(/ Cette commande n'accepte aucune option\.$/, "")} Tapez coordo ${name} --help pour l'utilisation.`);
      return EXIT_USAGE;
    }
    if (e instanceof UserError) {
      err(e.message);
      return 1;
    }
    // never a stack trace on the terminal: the details go to the error log, the user gets a reference
    const ref = Math.random().toString(36).slice(2, 8);
    const logFile = internalErrorLog(ref, name, e);
    err(`Erreur interne (référence ${ref}). Le détail est dans ${logFile} ; signalez cette référence à l'équipe technique.`);
    return 1;
  } finally {
    if (ctx && name !== "start") await ctx.db.$disconnect();
  }
}
