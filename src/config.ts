// Every environment variable coordo reads, validated once at start.
// A missing or malformed value stops the program with one French line naming it.
import { z } from "zod";

const bool = z
  .enum(["1", "0", "true", "false", "oui", "non"])
  .transform((v) => v === "1" || v === "true" || v === "oui");

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

/** name → [schema, expected form in French]: the form is what the error message shows. */
const spec = {
  DATABASE_URL: [
    z.string().regex(/^(file:.+|postgres(ql)?:\/\/.+)$/).default("file:./data/coordo.db"),
    "file:./chemin/vers/base.db ou postgresql://utilisateur:motdepasse@hote:5432/base",
  ],
  PORT: [z.coerce.number().int().min(0).max(65535).default(3000), "un numéro de port entre 0 et 65535"],
  HOST: [z.string().min(1).default("127.0.0.1"), "une adresse d'écoute, par exemple 127.0.0.1 ou 0.0.0.0"],
  PUBLIC_URL: [z.url().optional(), "une URL http(s)://… sous laquelle coordo est joignable (liens des mails)"],
  LOG_LEVEL: [z.enum(["debug", "info", "warn", "error"]).default("info"), "debug, info, warn ou error"],
  LOG_FORMAT: [optionalString.pipe(z.enum(["json", "texte", "text"]).optional()), "json ou texte (défaut : texte sur un terminal, JSON sinon)"],
  TRUSTED_PROXY: [optionalString, "l'adresse IP du proxy inverse (ou plusieurs, séparées par des virgules) dont l'en-tête X-Forwarded-For fait foi"],
  BACKUP_DIR: [z.string().min(1).default("./data/sauvegardes"), "un dossier pour les sauvegardes quotidiennes (SQLite)"],
  BACKUP_KEEP: [z.coerce.number().int().min(0).max(365).default(14), "un nombre de sauvegardes quotidiennes gardées entre 0 et 365 (0 : pas de sauvegarde quotidienne)"],
  COORDO_DEMO: [bool.default(false), "1 ou 0 (charge la CPTS de démonstration au démarrage)"],
  JOBS_ENABLED: [bool.default(true), "1 ou 0 (lance les tâches planifiées)"],
  JOBS_CATCHUP_DAYS: [z.coerce.number().int().min(0).max(31).default(3), "un nombre de jours entre 0 et 31"],
  CONSOLE_CHAT: [bool.optional(), "1 ou 0 (console de chat locale sur l'entrée standard)"],
  SMTP_URL: [
    optionalString.pipe(z.string().regex(/^smtps?:\/\/.+/).optional()),
    "smtp://utilisateur:motdepasse@hote:587 ou smtps://…:465 (vide : mails capturés localement)",
  ],
  MAIL_FROM: [z.string().min(3).default("coordo <coordo@localhost>"), "une adresse d'expéditeur, par exemple « CPTS <contact@cpts.fr> »"],
  SMTP_POOL_SIZE: [z.coerce.number().int().min(1).max(50).default(5), "un nombre de connexions entre 1 et 50"],
  SMTP_RATE_PER_SECOND: [z.coerce.number().min(0).default(0), "un nombre de mails par seconde (0 : sans limite)"],
  DISCORD_TOKEN: [optionalString, "le jeton du bot Discord"],
  DISCORD_APPLICATION_ID: [optionalString, "l'identifiant de l'application Discord"],
  DISCORD_PUBLIC_KEY: [optionalString, "la clé publique de l'application Discord (hexadécimal)"],
  DISCORD_GATEWAY: [bool.optional(), "1 ou 0 (connexion passerelle Discord ; par défaut seulement sans DISCORD_PUBLIC_KEY)"],
  DISCORD_API_URL: [optionalString.pipe(z.url().optional()), "l'adresse de l'API REST de Discord (défaut https://discord.com/api/v10 ; pour un proxy ou les tests)"],
  SLACK_BOT_TOKEN: [optionalString.pipe(z.string().startsWith("xoxb-").optional()), "un jeton de bot Slack commençant par xoxb-"],
  SLACK_SIGNING_SECRET: [optionalString, "le secret de signature de l'application Slack"],
  SLACK_APP_TOKEN: [optionalString.pipe(z.string().startsWith("xapp-").optional()), "un jeton d'application Slack commençant par xapp- (Socket Mode)"],
  SLACK_CLIENT_ID: [optionalString, "l'identifiant client de l'application Slack (installation OAuth « Ajouter à Slack »)"],
  SLACK_CLIENT_SECRET: [optionalString, "le secret client de l'application Slack (installation OAuth)"],
  SLACK_STATE_SECRET: [optionalString.pipe(z.string().min(16).optional()), "un secret d'au moins 16 caractères pour signer le paramètre state d'OAuth (défaut : dérivé de COORDO_SECRET_KEY)"],
  SLACK_API_URL: [optionalString.pipe(z.url().optional()), "l'adresse de l'API Web de Slack (défaut https://slack.com/api/ ; pour un proxy ou les tests)"],
  COORDO_SECRET_KEY: [optionalString.pipe(z.string().min(32).optional()), "une clé d'au moins 32 caractères (openssl rand -base64 32) qui chiffre les jetons Slack en base et signe les retours d'installation"],
  HELLOASSO_ALLOWED_IPS: [optionalString, "une liste d'adresses IP séparées par des virgules"],
  HELLOASSO_TRUSTED_PROXY: [optionalString, "l'adresse IP du proxy inverse dont l'en-tête X-Forwarded-For fait foi"],
  ADMIN_COOKIE_SECURE: [bool.optional(), "1 ou 0 (cookie de session réservé à HTTPS)"],
  ALLOW_HTTP_PUBLIC_URL: [bool.default(false), "1 ou 0 (tests : accepte un PUBLIC_URL http://localhost avec SMTP_URL)"],
  BOUNCE_ADDRESS: [
    optionalString.pipe(z.string().regex(/^[^@\s+]+@[^@\s]+\.[^@\s]+$/).optional()),
    "l'adresse qui reçoit les rebonds, par exemple rebonds@cpts.fr (chaque mail part avec Return-Path rebonds+<jeton>@cpts.fr)",
  ],
  BOUNCE_IMAP_URL: [
    optionalString.pipe(z.string().regex(/^imaps?:\/\/[^@]+@[^/]+/).optional()),
    "imaps://utilisateur:motdepasse@hote:993/INBOX (boîte des rebonds relevée par coordo)",
  ],
  BOUNCE_IMAP_POLL_SECONDS: [z.coerce.number().int().min(10).max(86_400).default(300), "un nombre de secondes entre 10 et 86400"],
  MAIL_WEBHOOK_SECRET: [
    optionalString.pipe(z.string().min(24).optional()),
    "un secret d'au moins 24 caractères (URL des webhooks Brevo et Mailjet : /webhooks/mail/<fournisseur>/<secret>)",
  ],
  DKIM_DOMAIN: [optionalString, "le domaine signé DKIM, par exemple cpts.fr"],
  DKIM_SELECTOR: [optionalString, "le sélecteur DKIM, par exemple coordo (enregistrement coordo._domainkey.cpts.fr)"],
  DKIM_PRIVATE_KEY: [optionalString, "la clé privée DKIM au format PEM (\\n accepté pour les retours à la ligne) ou le chemin d'un fichier .pem"],
  MAIL_BODY_RETENTION_DAYS: [z.coerce.number().int().min(1).max(3650).default(30), "un nombre de jours entre 1 et 3650 (corps des mails envoyés gardés pour l'audit)"],
} as const;

type Spec = typeof spec;
export type Config = { [K in keyof Spec]: z.output<Spec[K][0]> };

export class ConfigError extends Error {}

/** Parses the environment; throws ConfigError with one French line for the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [name, [schema, form]] of Object.entries(spec)) {
    const raw = env[name];
    const value = raw === "" ? undefined : raw;
    const parsed = (schema as z.ZodType).safeParse(value);
    if (!parsed.success) {
      throw new ConfigError(
        `Variable d'environnement ${name} invalide${raw === undefined ? " (absente)" : ` (« ${mask(name, raw)} »)`} : attendu ${form}.`,
      );
    }
    out[name] = parsed.data;
  }
  return out as Config;
}

/** Every problem of the environment (each bad variable), without stopping at the first; values of the good ones. */
export function checkConfig(env: NodeJS.ProcessEnv = process.env): { values: Partial<Config>; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, [schema, form]] of Object.entries(spec)) {
    const raw = env[name];
    const parsed = (schema as z.ZodType).safeParse(raw === "" ? undefined : raw);
    if (parsed.success) values[name] = parsed.data;
    else problems.push(`Variable d'environnement ${name} invalide${raw === undefined ? " (absente)" : ` (« ${mask(name, raw)} »)`} : attendu ${form}.`);
  }
  return { values: values as Partial<Config>, problems };
}

/** Is this variable a secret (never printed in clear)? */
export function isSecretVariable(name: string): boolean {
  return /TOKEN|SECRET|KEY|PASSWORD/.test(name);
}

/** A value as `coordo config` prints it: secrets masked, passwords inside URLs masked. */
export function maskedValue(name: string, value: unknown): string {
  if (value === undefined) return "—";
  const s = String(value);
  if (isSecretVariable(name)) return s.length > 8 ? `${s.slice(0, 4)}…*** (${s.length} caractères)` : "***";
  return s.replace(/(\w+:\/\/[^:/@\s]*:)[^@\s]+@/g, "$1***@");
}

function mask(name: string, raw: string): string {
  return /TOKEN|SECRET|KEY|SMTP_URL|DATABASE_URL|IMAP_URL/.test(name) ? "***" : raw;
}

/** Variables and their expected forms, for the README and `.env.example` checks. */
export const configVariables = Object.entries(spec).map(([name, [, form]]) => ({ name, form }));

export function publicUrl(config: Config): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, "");
}

/** Is this URL's host the local machine (the demo and its published password are allowed only there)? */
export function isLocalUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
