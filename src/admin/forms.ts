// Form parsing for the admin: zod schemas, French errors keyed by field (shown beside the field).
import { z } from "zod";
import { isIsoDate } from "../rules/dates.ts";

const fr = z.locales.fr();

export type FieldErrors = Record<string, string>;
export type FormValues = Record<string, string>;
export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors; values: FormValues };

/** Flattens a parsed body to strings (files and repeated fields are handled by the caller). */
export function formValues(form: Record<string, unknown>): FormValues {
  const out: FormValues = {};
  for (const [k, v] of Object.entries(form)) {
    if (k === "_csrf") continue;
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === "string") out[k] = first;
  }
  return out;
}

export function formList(form: Record<string, unknown>, key: string): string[] {
  const v = form[key];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.filter((x): x is string => typeof x === "string" && x !== "");
}

export function parseWith<S extends z.ZodType>(schema: S, input: Record<string, unknown>, values: FormValues = formValues(input)): FormResult<z.output<S>> {
  const r = schema.safeParse(input, { error: fr.localeError });
  if (r.success) return { ok: true, data: r.data };
  const errors: FieldErrors = {};
  for (const issue of r.error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : "_form";
    errors[key] ??= issue.message;
  }
  return { ok: false, errors, values };
}

// Reusable field schemas (French messages).
const emptyToUndef = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : typeof v === "string" ? v.trim() : v);
export const optionalText = (max = 500) => z.preprocess(emptyToUndef, z.string().max(max, `${max} caractères au plus`).optional());
export const requiredText = (label: string, max = 500) =>
  z.preprocess(emptyToUndef, z.string({ error: `${label} requis` }).min(1, `${label} requis`).max(max, `${max} caractères au plus`));
export const isoDate = (label = "date") =>
  z.preprocess(
    emptyToUndef,
    z
      .string({ error: `${label} requise (AAAA-MM-JJ)` })
      .regex(/^\d{4}-\d{2}-\d{2}$/, `${label} au format AAAA-MM-JJ attendue`)
      .refine(isIsoDate, `${label} : ce jour n'existe pas dans le calendrier`),
  );
export const optionalIsoDate = () => z.preprocess(emptyToUndef, z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "date au format AAAA-MM-JJ attendue").optional());
export const optionalEmail = () => z.preprocess(emptyToUndef, z.email("adresse e-mail invalide").optional());
export const checkbox = () => z.preprocess((v) => v === "on" || v === "1" || v === "true", z.boolean());

/** "30", "30,50", "30.5", "1 234,00 €" → cents. */
export function parseEurosToCents(raw: string): number | null {
  const s = raw.replace(/[\s\u00a0\u202f€]/g, "").replace(",", ".");
  if (!/^-?\d+(\.\d{1,2})?$/.test(s)) return null;
  return Math.round(Number(s) * 100);
}

export const eurosField = (label = "montant", { min = 0 }: { min?: number } = {}) =>
  z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : (parseEurosToCents(v) ?? Number.NaN)) : v),
    z
      .number({ error: `${label} en euros attendu (ex. 30 ou 30,50)` })
      .int()
      .min(min, min > 0 ? `${label} doit être positif` : `${label} ne peut pas être négatif`)
      .max(100_000_000, `${label} trop élevé`),
  );

export const intField = (label: string, { min = 0, max = 1_000_000_000 }: { min?: number; max?: number } = {}) =>
  z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : /^-?\d+$/.test(v.replace(/[\s\u00a0]/g, "")) ? Number(v.replace(/[\s\u00a0]/g, "")) : Number.NaN) : v),
    z.number({ error: `${label} : nombre entier attendu` }).int(`${label} : nombre entier attendu`).min(min, `${label} : au moins ${min}`).max(max, `${label} : au plus ${max}`),
  );

// Forms that come back to themselves: a refused submit answers the same page again (422) with what was
// typed, each French error beside its field and a summary linking to the fields; a save redirects to
// the page with the anchor of the form's section, so the coordinator lands where they were.

/** A form answered again after a refused submit: which form, what was typed, the French error of each field. */
export interface FormState {
  form: string;
  values: FormValues;
  errors: FieldErrors;
}

/** The input was understood but refused: the page is answered again with its errors. */
export const FORM_ERROR_STATUS = 422 as const;

/** The id of a field, prefixed by its form: two forms of one page never share an id. */
export const fieldId = (form: string, name: string) => `${form}-${name}`;

/** The field to focus (the first in error); none when only the whole form is refused. */
export const firstInvalid = (errors?: FieldErrors): string | undefined => (errors ? Object.keys(errors).find((k) => k !== "_form") : undefined);

/** The errors and typed values of `form` when it is the one refused, else nothing. */
export function stateOf(st: FormState | undefined, form: string): { errors?: FieldErrors; values?: FormValues } {
  return st?.form === form ? { errors: st.errors, values: st.values } : {};
}

/**
 * Consistency of a pair of dates of one form (YYYY-MM-DD strings compare as dates): `later` cannot
 * precede `earlier`; the French message goes beside the `later` field.
 */
export function datesInOrder<T extends Record<string, unknown>>(pairs: { earlier: keyof T & string; later: keyof T & string; message: string }[]) {
  return (d: T, ctx: z.RefinementCtx) => {
    for (const p of pairs) {
      const a = d[p.earlier];
      const b = d[p.later];
      if (typeof a === "string" && typeof b === "string" && b < a) ctx.addIssue({ code: "custom", path: [p.later], message: p.message });
    }
  };
}
