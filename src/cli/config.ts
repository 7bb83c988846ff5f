// `coordo config`: the effective configuration (environment and .env, defaults filled in), secrets masked,
// then every problem found, in French. Exit 0 when none, 1 otherwise (usable before a restart).
import type { CliIO } from "./io.ts";
import { checkConfig, configVariables, isLocalUrl, maskedValue, publicUrl, type Config } from "../config.ts";
import { parseArgsFr } from "./args.ts";
import { mailConfigProblem } from "../mail/safety.ts";

export function configProblems(values: Partial<Config>): string[] {
  const problems: string[] = [];
  const c = values as Config;
  const complete = configVariables.every((v) => v.name in values);
  if (complete) {
    const mail = mailConfigProblem(c);
    if (mail) problems.push(mail);
    if (c.COORDO_DEMO && !isLocalUrl(publicUrl(c))) problems.push("COORDO_DEMO=1 avec un PUBLIC_URL public : la démonstration (mot de passe publié) sera refusée au démarrage.");
  }
  if (c.DISCORD_TOKEN && !c.DISCORD_APPLICATION_ID) problems.push("DISCORD_TOKEN sans DISCORD_APPLICATION_ID : la passerelle Discord ne démarrera pas.");
  if (c.SLACK_BOT_TOKEN && !c.SLACK_SIGNING_SECRET && !c.SLACK_APP_TOKEN) problems.push("SLACK_BOT_TOKEN sans SLACK_SIGNING_SECRET ni SLACK_APP_TOKEN : Slack ne démarrera pas.");
  if (c.HOST && c.HOST !== "127.0.0.1" && c.HOST !== "localhost" && !c.TRUSTED_PROXY && !c.HELLOASSO_TRUSTED_PROXY && c.PUBLIC_URL?.startsWith("https:")) {
    problems.push(`HOST=${c.HOST} avec un PUBLIC_URL en https mais sans TRUSTED_PROXY : derrière un proxy inverse, indiquez son adresse (limites de connexion par adresse d'origine).`);
  }
  return problems;
}

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values: opts } = parseArgsFr({ args, options: { json: { type: "boolean" } }, allowPositionals: false, strict: true });
  const { values, problems } = checkConfig();
  problems.push(...configProblems(values));
  const shown = (name: string): string => {
    const v = (values as Record<string, unknown>)[name];
    if (!(name in values)) return `invalide (« ${maskedValue(name, process.env[name])} »)`;
    return typeof v === "boolean" ? (v ? "oui" : "non") : maskedValue(name, v);
  };
  const rows = configVariables.map(({ name }) => ({ name, value: shown(name), set: process.env[name] !== undefined && process.env[name] !== "" }));
  if (opts.json) {
    io.out(JSON.stringify({ variables: Object.fromEntries(rows.map((r) => [r.name, r.value])), problemes: problems }, null, 2));
    return problems.length ? 1 : 0;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  io.out("Configuration effective de coordo (environnement et .env ; « défaut » : valeur par défaut) :");
  for (const r of rows) io.out(`  ${r.name.padEnd(width)}  ${r.value}${r.set || r.value === "—" ? "" : "  (défaut)"}`);
  io.out("");
  if (problems.length === 0) io.out("Aucun problème trouvé.");
  else {
    io.out(`${problems.length} problème${problems.length > 1 ? "s" : ""} :`);
    for (const p of problems) io.out(`  - ${p}`);
  }
  return problems.length ? 1 : 0;
}
