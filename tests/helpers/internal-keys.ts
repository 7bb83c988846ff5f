// The product's own keys, which must never reach a person (admin pages, mails, chat, iCal): the
// hand-made list of the leaks already met, plus keys read from the code itself, so that a new job,
// audit action, mail template or enum value is covered without editing this file.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { jobs } from "../../jobs/index.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/** Leaks met in the admin and the iCal feed (issue 17), and the shapes of internal keys. */
export const INTERNAL = [/avenant_?\d/, /console:console/, /aci-deadline-alerts/, /dues-reminders/, /manual:[0-9a-f-]{8}/, /\badmin\.connexion\b/, /\bcotisation\.enregistree\b/, /\b[a-z_]+\.[a-z_]+_[a-z_]+\b/, /\(dues_year:\d{4}\)/, /\bdues_year\b/, /\ba venir\b/, /\benvoyee\b/, /dans 0 jour/, /jour\(s\)/, /\ba_venir\b|\ben_retard\b/];

/** Upper-case enum values that are also ordinary acronyms a page may print. */
const ACRONYMS = new Set(["CPTS", "CPAM", "CSV", "CA", "NRC", "MAIL", "CHAT"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Every key the code defines: job ids, audit actions, mail template names, Prisma enum values. */
export function productKeys(): { jobIds: string[]; auditActions: string[]; templates: string[]; enumValues: string[] } {
  const jobIds = jobs.map((j) => j.id);
  const auditActions = new Set<string>();
  for (const f of [...sourceFiles("src"), ...sourceFiles("commands"), ...sourceFiles("jobs")]) {
    for (const m of readFileSync(f, "utf8").matchAll(/action: "([a-z_]+\.[a-z_.]+)"/g)) auditActions.add(m[1]!);
  }
  const templates = readdirSync(join(ROOT, "templates", "mail"))
    .map((f) => f.replace(/\.ts$/, ""))
    .filter((n) => n.includes("-"));
  const enumValues = new Set<string>();
  const schema = readFileSync(join(ROOT, "prisma", "schema.base.prisma"), "utf8");
  for (const block of schema.matchAll(/^enum \w+ \{([^}]*)\}/gm)) {
    for (const v of block[1]!.replace(/\/\/.*$/gm, "").split(/\s+/)) if (/^[A-Z][A-Z_]+$/.test(v) && !ACRONYMS.has(v)) enumValues.add(v);
  }
  return { jobIds, auditActions: [...auditActions], templates, enumValues: [...enumValues] };
}

/** INTERNAL plus every product key, as patterns matched against the text a person reads. */
export function internalPatterns(): RegExp[] {
  const k = productKeys();
  const words = (list: string[]) => new RegExp(`(?<![\\w-])(?:${list.map(escape).join("|")})(?![\\w-])`);
  return [
    ...INTERNAL,
    words([...k.jobIds, ...k.templates]),
    words(k.auditActions),
    // case-sensitive: « Envoyé » is French, « ENVOYE » is the enum value
    words(k.enumValues),
    // a snake_case identifier (profession keys, settings), outside e-mail addresses
    /(?<![\w.@-])[a-z]+_[a-z_]+(?![\w@-])/,
  ];
}

/** The matches of `patterns` in a visible text (e-mail addresses are people's data, not keys). */
export function leaksIn(text: string, patterns: RegExp[]): string[] {
  const cleaned = text.replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, " ");
  const out: string[] = [];
  for (const re of patterns) for (const m of cleaned.matchAll(new RegExp(re.source, "g"))) out.push(m[0]);
  return [...new Set(out)];
}
