// CSV import of members (and their dues payments): parse → preview with row-level French errors
// (nothing written) → import of the valid rows only, when the user confirms.
// Two formats: our generic columns (`,` or `;`), and HelloAsso's export (`;`, UTF-8 BOM, decimal
// comma, dates dd/mm/yyyy, columns matched by name whatever their order).
import { parse } from "csv-parse/sync";
import { createHash } from "node:crypto";
import type { AppContext } from "../context.ts";
import { MemberAdminRepository, writeAudit } from "../../db/repos/admin-repo.ts";
import { PROFESSIONS } from "../../rules/professions.ts";
import { isIsoDate } from "../../rules/dates.ts";
import { recordPaymentInTx } from "./payments.ts";
import { isUniqueViolation, type Tx } from "../../db/client.ts";
import { UserError, errorReference } from "../errors.ts";
import type { PaymentMethodKind } from "../../helloasso/payments.ts";

export type ImportFormat = "generique" | "helloasso";

export interface ImportRow {
  line: number;
  errors: string[];
  email: string;
  firstName?: string;
  lastName?: string;
  organization?: string;
  profession?: string;
  communeInsee?: string;
  phone?: string;
  amountCents?: number;
  paidOn?: string;
  method: PaymentMethodKind;
  externalId?: string;
  /** What importing this row does: create the member, or update an existing one. */
  action: "creation" | "mise_a_jour";
}

export interface ImportPreview {
  format: ImportFormat;
  rows: ImportRow[];
  valid: number;
  invalid: number;
  /** A problem with the whole file (no usable header...): nothing can be imported. */
  fileError?: string;
}

const norm = (s: string) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();

// Column aliases, normalised (accents and punctuation removed). The first match wins.
const COLUMNS: Record<string, string[]> = {
  email: ["email", "e mail", "courriel", "adresse email", "adresse e mail", "email adherent", "email payeur"],
  lastName: ["nom", "nom adherent", "nom de famille", "nom payeur"],
  firstName: ["prenom", "prenom adherent", "prenom payeur"],
  organization: ["raison sociale", "structure", "organisation", "societe"],
  profession: ["profession", "metier"],
  communeInsee: ["commune insee", "code insee", "insee"],
  phone: ["telephone", "tel", "portable", "numero de telephone"],
  amount: ["montant", "montant tarif", "montant eur", "montant total", "montant de la cotisation", "montant paye"],
  paidOn: ["date paiement", "date de paiement", "date du paiement", "date de la commande", "date commande", "date"],
  method: ["moyen de paiement", "moyen", "mode de paiement"],
  reference: ["reference", "reference commande", "numero de commande", "numero commande", "reference paiement", "numero"],
  status: ["statut", "statut de la commande", "statut du paiement"],
};

const PROFESSION_BY_NAME = new Map<string, string>();
for (const p of PROFESSIONS) {
  PROFESSION_BY_NAME.set(norm(p.key), p.key);
  PROFESSION_BY_NAME.set(norm(p.label), p.key);
  PROFESSION_BY_NAME.set(norm(p.label.replace(/·e|·ne/g, "")), p.key);
}
PROFESSION_BY_NAME.set("infirmiere", "infirmier");
PROFESSION_BY_NAME.set("medecin", "medecin_generaliste");
PROFESSION_BY_NAME.set("kinesitherapeute", "masseur_kinesitherapeute");
PROFESSION_BY_NAME.set("kine", "masseur_kinesitherapeute");

const METHODS: Record<string, PaymentMethodKind> = { carte: "CARTE", "carte bancaire": "CARTE", cb: "CARTE", virement: "VIREMENT", cheque: "CHEQUE", especes: "ESPECES", prelevement: "VIREMENT" };

export function parseAmountCents(raw: string): number | null {
  const s = raw.replace(/[\s\u00a0\u202f€]/g, "");
  if (s === "") return null;
  // "30,00" (French) or "30.00"; "1.234,50" with thousands dots
  const normalised = /,\d{1,2}$/.test(s) ? s.replace(/\./g, "").replace(",", ".") : s.replace(/,/g, "");
  if (!/^\d+(\.\d{1,2})?$/.test(normalised)) return Number.NaN;
  return Math.round(Number(normalised) * 100);
}

export function parseDateFr(raw: string): string | null {
  const s = raw.trim();
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (iso) return isIsoDate(`${iso[1]}-${iso[2]}-${iso[3]}`) ? `${iso[1]}-${iso[2]}-${iso[3]}` : null;
  const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(s);
  if (fr) {
    const d = `${fr[3]}-${fr[2]!.padStart(2, "0")}-${fr[1]!.padStart(2, "0")}`;
    return isIsoDate(d) ? d : null;
  }
  return null;
}

function detect(text: string): { delimiter: string; format: ImportFormat } {
  const first = text.replace(/^\uFEFF/, "").split(/\r?\n/, 1)[0] ?? "";
  const delimiter = (first.match(/;/g)?.length ?? 0) >= (first.match(/,/g)?.length ?? 0) ? ";" : ",";
  const h = norm(first);
  const format: ImportFormat = /payeur|commande|tarif|helloasso/.test(h) ? "helloasso" : "generique";
  return { delimiter, format };
}

/** Parses and validates the file against the CPTS's members; writes nothing. */
export async function previewImport(ctx: AppContext, cptsId: string, text: string, requested: ImportFormat | "auto" = "auto"): Promise<ImportPreview> {
  const { delimiter, format: detected } = detect(text);
  const format = requested === "auto" ? detected : requested;
  let records: string[][];
  try {
    records = parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (e) {
    return { format, rows: [], valid: 0, invalid: 0, fileError: `Le fichier n'est pas un CSV lisible : ${(e as Error).message}` };
  }
  if (records.length < 2) return { format, rows: [], valid: 0, invalid: 0, fileError: "Le fichier ne contient aucune ligne de données après l'en-tête." };
  const header = records[0]!.map(norm);
  const col: Record<string, number> = {};
  for (const [field, aliases] of Object.entries(COLUMNS)) {
    for (const a of aliases) {
      const i = header.indexOf(a);
      if (i >= 0) {
        col[field] = i;
        break;
      }
    }
  }
  if (col.email === undefined) {
    return { format, rows: [], valid: 0, invalid: 0, fileError: "Colonne « email » introuvable dans l'en-tête : elle sert à reconnaître les adhérents." };
  }
  const known = new Map((await new MemberAdminRepository(ctx.db).emailsOf(cptsId)).filter((m) => m.email).map((m) => [m.email!, m.id]));
  const communes = new Set((await new MemberAdminRepository(ctx.db).communes(cptsId)).map((c) => c.inseeCode));
  const today = ctx.clock.today();
  const seen = new Map<string, number>();
  const rows: ImportRow[] = [];
  for (let i = 1; i < records.length; i++) {
    const r = records[i]!;
    const get = (f: string) => (col[f] === undefined ? "" : (r[col[f]!] ?? "").trim());
    const errors: string[] = [];
    const email = get("email").toLowerCase();
    if (!email) errors.push("e-mail manquant");
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.push(`e-mail invalide : « ${email} »`);
    const exists = known.has(email);
    const row: ImportRow = {
      line: i + 1,
      errors,
      email,
      firstName: get("firstName") || undefined,
      lastName: get("lastName") || undefined,
      organization: get("organization") || undefined,
      phone: get("phone") || undefined,
      method: format === "helloasso" ? "CARTE" : "VIREMENT",
      action: exists ? "mise_a_jour" : "creation",
    };
    if (!exists && !row.lastName && !row.organization) errors.push("nom (ou raison sociale) requis pour un nouvel adhérent");
    const prof = get("profession");
    if (prof) {
      const key = PROFESSION_BY_NAME.get(norm(prof));
      if (key) row.profession = key;
      else errors.push(`profession inconnue : « ${prof} »`);
    }
    const insee = get("communeInsee");
    if (insee) {
      if (!/^(\d{5}|2[AB]\d{3})$/.test(insee)) errors.push(`code INSEE invalide : « ${insee} »`);
      else if (!communes.has(insee)) errors.push(`la commune ${insee} ne fait pas partie du territoire de la CPTS`);
      else row.communeInsee = insee;
    }
    const status = norm(get("status"));
    const skipPayment = format === "helloasso" && status !== "" && !/valide|paye|autorise/.test(status);
    const amountRaw = get("amount");
    if (amountRaw && !skipPayment) {
      const cents = parseAmountCents(amountRaw);
      if (cents === null || Number.isNaN(cents)) errors.push(`montant invalide : « ${amountRaw} » (ex. 30 ou 30,00)`);
      else if (cents > 0) row.amountCents = cents;
      const dateRaw = get("paidOn");
      const date = dateRaw ? parseDateFr(dateRaw) : null;
      if (!dateRaw) errors.push("date de paiement manquante pour un montant");
      else if (!date) errors.push(`date invalide : « ${dateRaw} » (JJ/MM/AAAA ou AAAA-MM-JJ)`);
      else if (date > today) errors.push(`date de paiement dans le futur : ${dateRaw}`);
      else row.paidOn = date;
      const m = norm(get("method"));
      if (m) row.method = METHODS[m] ?? "AUTRE";
      const ref = get("reference");
      // A HelloAsso export row is recorded with source CSV and its own id namespace: the order
      // reference is not the payment id that HelloAsso notifications use.
      row.externalId = ref
        ? format === "helloasso"
          ? `helloasso-commande:${ref}`
          : ref
        : row.paidOn && row.amountCents
          ? `csv-${createHash("sha256").update(`${cptsId}|${email}|${row.paidOn}|${row.amountCents}`).digest("hex").slice(0, 24)}`
          : undefined;
    }
    if (email && format === "generique") {
      const prev = seen.get(email);
      if (prev) errors.push(`e-mail déjà présent ligne ${prev}`);
      else seen.set(email, i + 1);
    }
    rows.push(row);
  }
  const invalid = rows.filter((r) => r.errors.length).length;
  return { format, rows, valid: rows.length - invalid, invalid };
}

export interface ImportResult {
  created: number;
  updated: number;
  payments: number;
  skippedInvalid: number;
  /** Payments of the file already counted (same reference, or the same payment recorded from another source). */
  alreadyRecorded: { line: number; email: string }[];
  /** Rows the database refused: nothing of these rows was written. */
  failed: { line: number; email: string; error: string }[];
}

/** Imports the valid rows of the file (re-parsed: the preview is never trusted from the browser).
 *  Each row (member + payment) is one transaction: a row that fails leaves nothing behind. */
export async function importValidRows(ctx: AppContext, cptsId: string, text: string, format: ImportFormat | "auto", actor: string): Promise<ImportResult> {
  const preview = await previewImport(ctx, cptsId, text, format);
  const result: ImportResult = { created: 0, updated: 0, payments: 0, skippedInvalid: preview.invalid, alreadyRecorded: [], failed: [] };
  if (preview.fileError) return result;
  for (const row of preview.rows.filter((r) => r.errors.length === 0)) {
    let outcome: RowOutcome | undefined;
    for (let attempt = 1; !outcome; attempt++) {
      try {
        outcome = await ctx.db.$transaction((tx) => importRow(ctx, tx, cptsId, row, preview.format, actor));
      } catch (e) {
        // Another writer inserted the same member or payment meanwhile: the retry sees it.
        if (isUniqueViolation(e) && attempt < 2) continue;
        const reference = errorReference();
        ctx.log.error("ligne d'import refusée", { cptsId, line: row.line, reference, error: (e as Error).message });
        result.failed.push({ line: row.line, email: row.email, error: e instanceof UserError ? e.message : `erreur de la base de données (référence ${reference})` });
        break;
      }
    }
    if (!outcome) continue;
    if (outcome.member === "creation") result.created++;
    if (outcome.member === "mise_a_jour") result.updated++;
    if (outcome.payment === "enregistre") result.payments++;
    if (outcome.payment === "deja_compte") result.alreadyRecorded.push({ line: row.line, email: row.email });
  }
  await writeAudit(ctx.db, {
    cptsId, actor, action: "adherents.import",
    details: { format: preview.format, created: result.created, updated: result.updated, payments: result.payments, skippedInvalid: result.skippedInvalid, alreadyRecorded: result.alreadyRecorded.length, failedLines: result.failed.map((f) => f.line) },
  });
  return result;
}

interface RowOutcome {
  member: "creation" | "mise_a_jour" | "inchange";
  payment: "enregistre" | "deja_compte" | "aucun";
}

async function importRow(ctx: AppContext, tx: Tx, cptsId: string, row: ImportRow, format: ImportFormat, actor: string): Promise<RowOutcome> {
  const existing = await tx.member.findFirst({ where: { cptsId, email: row.email }, select: { id: true } });
  const fields = {
    ...(row.firstName ? { firstName: row.firstName } : {}),
    ...(row.lastName ? { lastName: row.lastName } : {}),
    ...(row.organization ? { organization: row.organization } : {}),
    ...(row.profession ? { profession: row.profession } : {}),
    ...(row.communeInsee ? { communeInsee: row.communeInsee } : {}),
    ...(row.phone ? { phone: row.phone } : {}),
  };
  let memberId: string;
  let member: RowOutcome["member"] = "inchange";
  if (existing) {
    memberId = existing.id;
    if (format === "generique" && Object.keys(fields).length) {
      await tx.member.update({ where: { id: existing.id }, data: fields });
      member = "mise_a_jour";
    }
  } else {
    const m = await tx.member.create({
      data: {
        cptsId, email: row.email, ...fields,
        kind: row.organization && !row.lastName ? "MORALE" : "PHYSIQUE",
        category: row.organization && !row.lastName ? "STRUCTURE" : "PROFESSIONNEL",
        joinedOn: row.paidOn ?? ctx.clock.today(),
        roles: { create: [{ role: "ADHERENT", since: row.paidOn ?? ctx.clock.today() }] },
        consents: { create: { purpose: "adhesion", textVersion: `import-${format === "helloasso" ? "helloasso" : "csv"}`, channel: "import" } },
      },
    });
    memberId = m.id;
    member = "creation";
  }
  if (!row.amountCents || !row.paidOn) return { member, payment: "aucun" };
  const r = await recordPaymentInTx(ctx, tx, { cptsId, memberId, amountCents: row.amountCents, paidOn: row.paidOn, source: "CSV", method: row.method, externalId: row.externalId, actor });
  return { member, payment: r.created ? "enregistre" : "deja_compte" };
}
