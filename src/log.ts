// One logger on stderr, secrets redacted before they are written: JSON lines, or short French lines on a terminal.
export type LogLevel = "debug" | "info" | "warn" | "error";
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, ctx?: Record<string, unknown>): void;
  info(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|smtp_url|database_url|imap_url|private_key/i;
const SECRET_VALUE = [/xox[abp]-[\w-]+/g, /xapp-[\w-]+/g, /(\w+:\/\/[^:/\s]+:)[^@\s]+@/g, /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g];

export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") {
    let s = value;
    for (const re of SECRET_VALUE) s = s.replace(re, (m, p1) => (typeof p1 === "string" ? `${p1}***@` : "***"));
    return s;
  }
  if (Array.isArray(value)) return depth < 5 ? value.map((v) => redact(v, depth + 1)) : value;
  if (value instanceof Error) return { message: redact(value.message), stack: redact(value.stack ?? "") };
  if (value && typeof value === "object" && depth < 5) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? "***" : redact(v, depth + 1);
    return out;
  }
  return value;
}

export type LogFormat = "json" | "texte";

/** JSON lines for machines (not a terminal, or LOG_FORMAT=json); one short French line on a terminal. */
export function defaultLogFormat(env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stderr.isTTY)): LogFormat {
  if (env.LOG_FORMAT === "json") return "json";
  if (env.LOG_FORMAT === "texte" || env.LOG_FORMAT === "text") return "texte";
  return isTty ? "texte" : "json";
}

const LEVEL_FR: Record<LogLevel, string> = { debug: "détail", info: "info", warn: "attention", error: "ERREUR" };

function textValue(v: unknown): string {
  if (v && typeof v === "object" && "message" in v && typeof (v as { message: unknown }).message === "string") return (v as { message: string }).message;
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

/** French names of the usual context keys on a terminal (JSON keeps the code's names). */
const KEY_FR: Record<string, string> = {
  applied: "appliquées", members: "adhérents", engine: "moteur", readyMs: "prêt en ms", components: "composants", error: "erreur",
  job: "tâche", runId: "exécution", at: "date", dryRun: "à blanc", ms: "durée ms", signal: "signal", component: "composant", ran: "créneaux",
  ip: "adresse", email: "e-mail", ref: "référence", path: "chemin", mode: "mode",
};

/** One line: `14:02:11 info  coordo prêt — port 3000, engine sqlite` (details shortened, secrets redacted). */
export function textLine(lvl: LogLevel, msg: string, ctx?: Record<string, unknown>, at = new Date()): string {
  const time = at.toLocaleTimeString("fr-FR", { timeZone: "Europe/Paris", hour12: false });
  const details = ctx ? Object.entries(redact(ctx) as Record<string, unknown>).map(([k, v]) => `${KEY_FR[k] ?? k} ${textValue(v)}`) : [];
  return `${time} ${LEVEL_FR[lvl].padEnd(9)} ${redact(msg) as string}${details.length ? ` — ${details.join(", ")}` : ""}`;
}

/**
 * Terminal lines held while the console chat prints an answer (they follow it instead of splitting it).
 * Only the default writer (stderr) is held.
 */
const held: { depth: number; lines: string[] } = { depth: 0, lines: [] };
export function holdTerminalLog(): () => void {
  held.depth++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--held.depth === 0) for (const l of held.lines.splice(0)) process.stderr.write(l + "\n");
  };
}
const stderrWrite = (line: string): void => {
  if (held.depth > 0) held.lines.push(line);
  else process.stderr.write(line + "\n");
};

export function createLogger(level: LogLevel = "info", write: (line: string) => void = stderrWrite, format?: LogFormat): Logger {
  // a custom writer (tests, child processes) gets JSON unless asked otherwise
  const fmt = format ?? (write === stderrWrite ? defaultLogFormat() : "json");
  const emit = (lvl: LogLevel) => (msg: string, ctx?: Record<string, unknown>) => {
    if (order[lvl] < order[level]) return;
    if (fmt === "texte") write(textLine(lvl, msg, ctx));
    else write(JSON.stringify({ t: new Date().toISOString(), level: lvl, msg: redact(msg), ...(ctx ? (redact(ctx) as object) : {}) }));
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
