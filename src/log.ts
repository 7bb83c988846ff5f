// One logger: JSON lines on stderr, secrets redacted before they are written.
export type LogLevel = "debug" | "info" | "warn" | "error";
const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, ctx?: Record<string, unknown>): void;
  info(msg: string, ctx?: Record<string, unknown>): void;
  warn(msg: string, ctx?: Record<string, unknown>): void;
  error(msg: string, ctx?: Record<string, unknown>): void;
}

const SECRET_KEY = /pass(word)?|secret|token|authorization|cookie|smtp_url|database_url/i;
const SECRET_VALUE = [/xox[abp]-[\w-]+/g, /xapp-[\w-]+/g, /(\w+:\/\/[^:/\s]+:)[^@\s]+@/g];

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

export function createLogger(level: LogLevel = "info", write: (line: string) => void = (l) => process.stderr.write(l + "\n")): Logger {
  const emit = (lvl: LogLevel) => (msg: string, ctx?: Record<string, unknown>) => {
    if (order[lvl] < order[level]) return;
    write(JSON.stringify({ t: new Date().toISOString(), level: lvl, msg: redact(msg), ...(ctx ? (redact(ctx) as object) : {}) }));
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
