// A CPTS's own wording of a mail: subject and body in plain text with {{variable}} placeholders.
// Checked before it is saved (unknown variable, unbalanced braces, empty subject, length), filled when
// the mail is composed. The text is plain: the template escapes it as a whole when it builds the HTML.

export interface MailWordingText {
  subject: string;
  body: string;
}

export const WORDING_SUBJECT_MAX = 200;
export const WORDING_BODY_MAX = 5000;

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** French errors of one text (subject or body) against the variables it may use; empty when fine. */
function checkText(text: string, allowed: readonly string[], what: string): string[] {
  const errors: string[] = [];
  const unknown = new Set<string>();
  for (const m of text.matchAll(PLACEHOLDER)) if (!allowed.includes(m[1]!)) unknown.add(m[1]!);
  const rest = text.replace(PLACEHOLDER, "");
  if (rest.includes("{") || rest.includes("}")) {
    errors.push(`${what} : accolades mal fermées. Une variable s'écrit entre doubles accolades, par exemple {{${allowed[0] ?? "variable"}}}.`);
  }
  if (unknown.size) {
    const names = [...unknown].map((n) => `{{${n}}}`).join(", ");
    errors.push(`${what} : ${unknown.size > 1 ? "variables inconnues" : "variable inconnue"} ${names}. Variables possibles : ${allowed.map((n) => `{{${n}}}`).join(", ")}.`);
  }
  return errors;
}

/** Errors by field (`subject`, `body`) of a wording, in French; empty object when it can be saved. */
export function checkWording(w: MailWordingText, allowed: readonly string[]): Partial<Record<keyof MailWordingText, string>> {
  const out: Partial<Record<keyof MailWordingText, string>> = {};
  const subject: string[] = [];
  if (w.subject.trim() === "") subject.push("L'objet est vide : écrivez l'objet du message.");
  else if (/[\r\n]/.test(w.subject)) subject.push("L'objet doit tenir sur une seule ligne.");
  if (w.subject.length > WORDING_SUBJECT_MAX) subject.push(`L'objet est trop long : ${WORDING_SUBJECT_MAX} caractères au plus (${w.subject.length} saisis).`);
  subject.push(...checkText(w.subject, allowed, "Objet"));
  const body: string[] = [];
  if (w.body.trim() === "") body.push("Le texte est vide : écrivez le message.");
  if (w.body.length > WORDING_BODY_MAX) body.push(`Le texte est trop long : ${WORDING_BODY_MAX} caractères au plus (${w.body.length} saisis).`);
  body.push(...checkText(w.body, allowed, "Texte"));
  if (subject.length) out.subject = subject.join(" ");
  if (body.length) out.body = body.join(" ");
  return out;
}

/** The text with each {{variable}} replaced by its value (an unknown or missing one by nothing). */
export function fillWording(text: string, vars: Record<string, string | undefined>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => vars[name] ?? "");
}

/** A subject filled and kept on one line (no header can be injected through a variable). */
export function fillSubject(text: string, vars: Record<string, string | undefined>): string {
  return fillWording(text, vars).replace(/[\r\n\u2028\u2029]+/g, " ").replace(/\s{2,}/g, " ").trim();
}

/** A filled body: lines left empty by an empty variable do not pile up into gaps. */
export function fillBody(text: string, vars: Record<string, string | undefined>): string {
  return fillWording(text.replace(/\r\n/g, "\n"), vars).replace(/ +,/g, ",").replace(/[ \t]+\n/g, "\n").replace(/\n{3,}/g, "\n\n").trim();
}
