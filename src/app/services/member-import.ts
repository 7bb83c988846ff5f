// Import of members (and their dues payments) from a CSV or XLSX file: read (encoding detected) →
// preview that says exactly what the import will do (nothing written) → import of the valid rows,
// re-analysed from the kept file against the database of that moment, with the same planning code,
// so the result matches the preview.
// Two formats: our generic columns, and HelloAsso's export (columns matched by name whatever their
// order, « Champ additionnel : … » columns included, « Formule » giving the membership category).
import { nextTurn, turnYielder } from "../../event-loop.ts";
import { createHash } from "node:crypto";
import type { AppContext } from "../context.ts";
import { writeAudit } from "../../db/repos/admin-repo.ts";
import { PROFESSIONS } from "../../rules/professions.ts";
import { isIsoDate } from "../../rules/dates.ts";
import { recordPaymentInTx, refundPayment } from "./payments.ts";
import { isUniqueViolation, type Tx } from "../../db/client.ts";
import { UserError, errorReference } from "../errors.ts";
import type { PaymentMethodKind } from "../../helloasso/payments.ts";
import { insertImportedMembers, insertImportedPayments, recordedCsvIds, type NewImportedMember, type NewImportedPayment } from "../../db/repos/member-import-repo.ts";
import { looksGarbled, readImportFile, type FileEncoding, type ImportTable } from "./import-file.ts";

export type ImportFormat = "generique" | "helloasso";
export type MembershipCategoryKey = "PROFESSIONNEL" | "STRUCTURE" | "PARTENAIRE";

export const IMPORT_FIELDS = {
  email: "E-mail",
  lastName: "Nom",
  firstName: "Prénom",
  organization: "Raison sociale",
  profession: "Profession",
  communeInsee: "Commune",
  phone: "Téléphone",
  rpps: "RPPS",
  formula: "Formule (catégorie d'adhésion)",
  amount: "Montant",
  paidOn: "Date de paiement",
  method: "Moyen de paiement",
  reference: "Référence",
  status: "Statut du paiement",
} as const;
export type ImportField = keyof typeof IMPORT_FIELDS;
/** Column index → field, or "ignorer": the choices made in the preview's mapping step. */
export type ColumnMapping = Record<number, ImportField | "ignorer">;

export interface ImportColumn {
  index: number;
  header: string;
  field?: ImportField;
  /** Not recognised: shown in the mapping step. */
  unknown: boolean;
  /** First values, to help choose. */
  samples: string[];
}

export interface ImportRow {
  line: number;
  errors: string[];
  /** Imported anyway, but something was left out or should be checked. */
  warnings: string[];
  email: string;
  firstName?: string;
  lastName?: string;
  organization?: string;
  profession?: string;
  communeInsee?: string;
  phone?: string;
  rpps?: string;
  category?: MembershipCategoryKey;
  amountCents?: number;
  paidOn?: string;
  method: PaymentMethodKind;
  externalId?: string;
  /** What importing this row does to the member. */
  action: "creation" | "mise_a_jour" | "inchange" | "ignoree";
  /** Fields the import changes (French labels). */
  changes: string[];
  /** What it does with the payment of the row. */
  payment: "nouveau" | "deja_enregistre" | "remboursement" | "aucun";
  /** Why the row has no effect or what happens to its payment (refund, status not validated...). */
  note?: string;
  duplicateOf?: number;
}

export interface ImportCounts {
  rows: number;
  /** Rows that will be written (no error, not ignored). */
  valid: number;
  invalid: number;
  ignored: number;
  creations: number;
  updates: number;
  unchanged: number;
  payments: number;
  alreadyRecorded: number;
  refunds: number;
  duplicates: number;
  outsideTerritory: number;
  warnings: number;
}

export interface ImportPreview {
  format: ImportFormat;
  source: "csv" | "xlsx" | "texte";
  encoding?: FileEncoding;
  columns: ImportColumn[];
  rows: ImportRow[];
  counts: ImportCounts;
  /** Shorthands of counts, kept for callers of the first version. */
  valid: number;
  invalid: number;
  /** A problem with the whole file (unreadable, no usable header...): nothing can be imported. */
  fileError?: string;
}

export interface ImportOptions {
  format?: ImportFormat | "auto";
  mapping?: ColumnMapping;
}

const norm = (s: string) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();

// Column aliases, normalised (accents and punctuation removed). Exact match; the first field wins.
const COLUMNS: Record<ImportField, string[]> = {
  email: ["email", "e mail", "courriel", "adresse email", "adresse e mail", "adresse mail", "email adherent", "email payeur"],
  lastName: ["nom", "nom adherent", "nom de famille", "nom payeur"],
  firstName: ["prenom", "prenom adherent", "prenom payeur"],
  organization: ["raison sociale", "structure", "organisation", "societe", "nom de la structure", "etablissement"],
  profession: ["profession", "metier", "specialite", "votre profession"],
  communeInsee: ["commune insee", "code insee", "insee", "commune", "commune d exercice", "ville d exercice", "lieu d exercice", "commune du cabinet"],
  phone: ["telephone", "tel", "portable", "numero de telephone", "telephone portable", "mobile"],
  rpps: ["rpps", "numero rpps", "n rpps", "rpps adeli", "numero rpps adeli"],
  formula: ["formule", "nom du tarif", "tarif", "type d adhesion", "categorie", "categorie d adhesion"],
  amount: ["montant", "montant tarif", "montant eur", "montant total", "montant de la cotisation", "montant paye"],
  paidOn: ["date paiement", "date de paiement", "date du paiement", "date de la commande", "date commande", "date"],
  method: ["moyen de paiement", "moyen", "mode de paiement"],
  reference: ["reference", "reference commande", "numero de commande", "numero commande", "reference paiement", "numero"],
  status: ["statut", "statut de la commande", "statut du paiement"],
};

// Words inside a header that identify a field when no alias matches (« Champ additionnel : Votre numéro RPPS »).
const CONTAINS: [RegExp, ImportField][] = [
  [/\brpps\b/, "rpps"],
  [/\b(profession|metier|specialite)\b/, "profession"],
  [/\b(commune|ville d exercice|lieu d exercice)\b/, "communeInsee"],
  [/\b(telephone|portable|mobile)\b/, "phone"],
  [/\bformule\b/, "formula"],
  [/\b(e mail|email|courriel)\b/, "email"],
];

// HelloAsso columns we read on purpose as nothing (the payer's postal address, receipts...): not asked about.
const KNOWN_IGNORED = new Set(["attestation", "date de naissance", "adresse", "code postal", "ville", "pays", "code promo", "montant code promo", "carte d adherent", "recu", "url recu", "url carte d adherent", "commentaire", "date de modification", "moyen de paiement recu"]);

const PROFESSION_BY_NAME = new Map<string, string>();
for (const p of PROFESSIONS) {
  PROFESSION_BY_NAME.set(norm(p.key), p.key);
  PROFESSION_BY_NAME.set(norm(p.label), p.key);
  PROFESSION_BY_NAME.set(norm(p.label.replace(/·e|·ne/g, "")), p.key);
  PROFESSION_BY_NAME.set(norm(p.label.replace(/·/g, "")), p.key);
}
for (const [k, v] of Object.entries({
  infirmiere: "infirmier", ide: "infirmier", idel: "infirmier", medecin: "medecin_generaliste", generaliste: "medecin_generaliste", "medecin traitant": "medecin_generaliste",
  kinesitherapeute: "masseur_kinesitherapeute", kine: "masseur_kinesitherapeute", pharmacienne: "pharmacien", "sage femme": "sage_femme", maieuticien: "sage_femme",
  podologue: "pedicure_podologue", dentiste: "chirurgien_dentiste", dieteticienne: "dieteticien", "enseignante apa": "enseignant_apa",
})) PROFESSION_BY_NAME.set(k, v);

function professionOf(raw: string): string | undefined {
  const n = norm(raw);
  return PROFESSION_BY_NAME.get(n) ?? PROFESSION_BY_NAME.get(n.replace(/\b(liberale?|salariee?|en exercice|diplomee? d etat|de)\b/g, " ").replace(/\s+/g, " ").trim());
}

const METHODS: Record<string, PaymentMethodKind> = { carte: "CARTE", "carte bancaire": "CARTE", cb: "CARTE", virement: "VIREMENT", cheque: "CHEQUE", especes: "ESPECES", prelevement: "VIREMENT" };

/** The membership category a HelloAsso « Formule » stands for, by its words. */
export function categoryOfFormula(raw: string): MembershipCategoryKey | undefined {
  const n = norm(raw);
  if (/\b(partenaire|soutien|bienfaiteur|sympathisant)\b/.test(n)) return "PARTENAIRE";
  if (/\b(structure|structures|etablissement|personne morale|ehpad|msp|centre|association|societe|maison de sante)\b/.test(n)) return "STRUCTURE";
  if (/\b(professionnel|professionnelle|professionnels|individuel|individuelle|liberal|liberale|personne physique|sante|adherent|adhesion)\b/.test(n)) return "PROFESSIONNEL";
  return undefined;
}

const CATEGORY_LABELS: Record<MembershipCategoryKey, string> = { PROFESSIONNEL: "Professionnel", STRUCTURE: "Structure", PARTENAIRE: "Partenaire" };

/** Amounts above this are a typing error, not a due (the payment service checks it again). */
const MAX_AMOUNT_CENTS = 10_000_00;

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
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(s);
  if (iso) return isIsoDate(`${iso[1]}-${iso[2]}-${iso[3]}`) ? `${iso[1]}-${iso[2]}-${iso[3]}` : null;
  const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:$|\s)/.exec(s);
  if (fr) {
    const d = `${fr[3]}-${fr[2]!.padStart(2, "0")}-${fr[1]!.padStart(2, "0")}`;
    return isIsoDate(d) ? d : null;
  }
  return null;
}

function normalisePhone(raw: string): string | null {
  const digits = raw.replace(/[\s.\-()/]/g, "");
  if (/^\+\d{8,14}$/.test(digits)) return digits;
  if (/^\d{9}$/.test(digits) && /^[1-9]/.test(digits)) return `0${digits}`; // a spreadsheet dropped the leading 0
  if (/^0\d{9}$/.test(digits)) return digits;
  return null;
}

/** Which field each column holds: the user's mapping first, then aliases, then words in the header. */
function mapColumns(header: string[], records: string[][], mapping: ColumnMapping = {}): ImportColumn[] {
  const taken = new Set<ImportField>();
  const columns: ImportColumn[] = header.map((h, index) => ({ index, header: h, unknown: false, samples: [] }));
  for (const c of columns) {
    const chosen = mapping[c.index];
    if (chosen && chosen !== "ignorer" && !taken.has(chosen)) {
      c.field = chosen;
      taken.add(chosen);
    }
  }
  const bare = (h: string) => norm(h).replace(/^champ (additionnel|complementaire)\s*/, "");
  for (const [field, aliases] of Object.entries(COLUMNS) as [ImportField, string[]][]) {
    if (taken.has(field)) continue;
    for (const a of aliases) {
      const c = columns.find((col) => col.field === undefined && mapping[col.index] === undefined && bare(col.header) === a);
      if (c) {
        c.field = field;
        taken.add(field);
        break;
      }
    }
  }
  for (const c of columns) {
    if (c.field || mapping[c.index] !== undefined) continue;
    const h = bare(c.header);
    if (!h || KNOWN_IGNORED.has(h)) continue;
    const hit = CONTAINS.find(([re, f]) => re.test(h) && !taken.has(f));
    if (hit) {
      c.field = hit[1];
      taken.add(hit[1]);
      continue;
    }
    // Another alias of a field already found (« Email payeur » beside « Email »): read as nothing.
    if (Object.values(COLUMNS).some((aliases) => aliases.includes(h))) continue;
    c.unknown = true;
    c.samples = records.slice(1, 40).map((r) => r[c.index] ?? "").filter(Boolean).slice(0, 3);
  }
  return columns;
}

interface MemberState {
  id?: string;
  firstName: string | null;
  lastName: string | null;
  organization: string | null;
  profession: string | null;
  communeInsee: string | null;
  phone: string | null;
  rpps: string | null;
  category: string;
}

const MEMBER_FIELDS = ["lastName", "firstName", "organization", "profession", "communeInsee", "phone", "rpps"] as const;
const MEMBER_FIELD_LABELS: Record<(typeof MEMBER_FIELDS)[number], string> = {
  lastName: "nom", firstName: "prénom", organization: "raison sociale", profession: "profession", communeInsee: "commune", phone: "téléphone", rpps: "RPPS",
};

/** What the row does to its member, given the member as it is (or undefined): shared by the preview
 *  and the import, so both say the same. Generic files replace the fields they give; HelloAsso
 *  exports only fill what is empty (the coordinator's corrections win) and never rename anyone. */
function planMember(current: MemberState | undefined, row: ImportRow, format: ImportFormat): { action: "creation" | "mise_a_jour" | "inchange"; data: Partial<Record<(typeof MEMBER_FIELDS)[number], string>>; changes: string[] } {
  const data: Partial<Record<(typeof MEMBER_FIELDS)[number], string>> = {};
  const changes: string[] = [];
  for (const f of MEMBER_FIELDS) {
    const v = row[f];
    if (!v) continue;
    if (!current) data[f] = v;
    else if (format === "generique" ? current[f] !== v : !current[f] && f !== "lastName" && f !== "firstName" && f !== "organization") {
      data[f] = v;
      changes.push(MEMBER_FIELD_LABELS[f]);
    }
  }
  if (!current) return { action: "creation", data, changes: [] };
  return { action: changes.length ? "mise_a_jour" : "inchange", data, changes };
}

const isMorale = (row: ImportRow) => Boolean(row.organization && !row.lastName);

function emptyCounts(): ImportCounts {
  return { rows: 0, valid: 0, invalid: 0, ignored: 0, creations: 0, updates: 0, unchanged: 0, payments: 0, alreadyRecorded: 0, refunds: 0, duplicates: 0, outsideTerritory: 0, warnings: 0 };
}

function failedPreview(format: ImportFormat, source: ImportPreview["source"], fileError: string, encoding?: FileEncoding, columns: ImportColumn[] = []): ImportPreview {
  return { format, source, encoding, columns, rows: [], counts: emptyCounts(), valid: 0, invalid: 0, fileError };
}

async function tableOf(input: Uint8Array | string): Promise<ImportTable & { source: ImportPreview["source"] }> {
  if (typeof input !== "string") {
    const t = await readImportFile(input);
    return { ...t, source: t.kind };
  }
  // Pasted text is already characters: read it as UTF-8 bytes.
  const t = await readImportFile(Buffer.from(input.replace(/^\uFEFF/, ""), "utf8"));
  return { ...t, encoding: undefined, source: "texte" };
}

/** Parses and checks the file against the CPTS's members; writes nothing. */
export async function analyzeImport(ctx: AppContext, cptsId: string, input: Uint8Array | string, options: ImportOptions = {}): Promise<ImportPreview> {
  let table: ImportTable & { source: ImportPreview["source"] };
  try {
    table = await tableOf(input);
  } catch (e) {
    if (e instanceof UserError) return failedPreview(options.format === "helloasso" ? "helloasso" : "generique", typeof input === "string" ? "texte" : "csv", e.message);
    throw e;
  }
  const { records, encoding, source } = table;
  const header = records[0] ?? [];
  const h = norm(header.join(" "));
  const detected: ImportFormat = /payeur|commande|tarif|helloasso|formule|champ additionnel/.test(h) ? "helloasso" : "generique";
  const format = !options.format || options.format === "auto" ? detected : options.format;
  if (records.length < 2) return failedPreview(format, source, "Le fichier ne contient aucune ligne de données après l'en-tête.", encoding);
  const columns = mapColumns(header, records, options.mapping);
  const col = new Map<ImportField, number>();
  for (const c of columns) if (c.field) col.set(c.field, c.index);
  if (!col.has("email")) {
    return failedPreview(format, source, "Colonne « email » introuvable dans l'en-tête : elle sert à reconnaître les adhérents. Indiquez-la ci-dessous si elle porte un autre nom.", encoding, columns);
  }

  const members = new Map<string, MemberState>();
  for (const m of await ctx.db.member.findMany({ where: { cptsId, email: { not: null } }, select: { id: true, email: true, firstName: true, lastName: true, organization: true, profession: true, communeInsee: true, phone: true, rpps: true, category: true } })) {
    members.set(m.email!, m);
  }
  const communes = await ctx.db.commune.findMany({ where: { cptsId }, select: { inseeCode: true, name: true, postalCode: true } });
  const communeByInsee = new Set(communes.map((c) => c.inseeCode));
  const communeByName = new Map(communes.map((c) => [norm(c.name), c.inseeCode]));
  const communesByPostal = new Map<string, string[]>();
  for (const c of communes) if (c.postalCode) communesByPostal.set(c.postalCode, [...(communesByPostal.get(c.postalCode) ?? []), c.inseeCode]);
  const recorded = new Map<string, { refundedOn: string | null }>();
  for (const p of await ctx.db.duesPayment.findMany({ where: { cptsId, source: "CSV", externalId: { not: null } }, select: { externalId: true, refundedOn: true } })) recorded.set(p.externalId!, p);
  const memberIds = new Map([...members].map(([email, m]) => [m.id!, email]));
  const twins = new Set<string>();
  for (const p of await ctx.db.duesPayment.findMany({ where: { cptsId, source: { not: "CSV" }, refundedOn: null }, select: { memberId: true, paidOn: true, amountCents: true } })) {
    const email = memberIds.get(p.memberId);
    if (email) twins.add(`${email}|${p.paidOn}|${p.amountCents}`);
  }

  const today = ctx.clock.today();
  const seenEmail = new Map<string, number>();
  const seenRow = new Map<string, number>();
  const seenPayment = new Map<string, number>();
  const seenTwin = new Map<string, number>();
  const rows: ImportRow[] = [];
  const counts = emptyCounts();
  const width = header.length;
  // 40,000 rows take ~0.3 s of checks: every 20 ms, the requests waiting (a page, a chat command) go first
  const letOthersIn = turnYielder(20);
  for (let i = 1; i < records.length; i++) {
    await letOthersIn();
    const r = records[i]!;
    const get = (f: ImportField) => {
      const idx = col.get(f);
      return idx === undefined ? "" : (r[idx] ?? "").trim();
    };
    const errors: string[] = [];
    const warnings: string[] = [];
    const email = get("email").toLowerCase();
    const row: ImportRow = { line: i + 1, errors, warnings, email, method: format === "helloasso" ? "CARTE" : "VIREMENT", action: "inchange", changes: [], payment: "aucun" };
    const rowKey = JSON.stringify([...col.values()].map((idx) => (r[idx] ?? "").trim()));
    const sameRow = seenRow.get(rowKey);
    if (sameRow !== undefined) {
      row.action = "ignoree";
      row.duplicateOf = sameRow;
      row.note = `doublon de la ligne ${sameRow} : ignorée`;
      rows.push(row);
      continue;
    }
    seenRow.set(rowKey, i + 1);
    if (r.length > width && r.slice(width).some((v) => v.trim() !== "")) warnings.push("cellules au-delà de la dernière colonne de l'en-tête : ignorées");

    if (!email) errors.push("e-mail manquant");
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) errors.push(`e-mail invalide : « ${email} »`);
    const current = members.get(email);

    for (const f of ["lastName", "firstName", "organization"] as const) {
      const v = get(f);
      if (!v) continue;
      if (looksGarbled(v)) {
        if (current) warnings.push(`${MEMBER_FIELD_LABELS[f]} illisible (« ${v} ») : le ${MEMBER_FIELD_LABELS[f]} enregistré est conservé`);
        else errors.push(`${MEMBER_FIELD_LABELS[f]} illisible (« ${v} ») : le fichier semble mal encodé ; enregistrez-le en « CSV UTF-8 » depuis Excel`);
      } else row[f] = v.slice(0, 200);
    }
    if (!current && !row.lastName && !row.organization && !errors.some((e) => e.includes("illisible"))) errors.push("nom (ou raison sociale) requis pour un nouvel adhérent");

    const prof = get("profession");
    if (prof) {
      const key = professionOf(prof);
      if (key) row.profession = key;
      else if (format === "generique") errors.push(`profession inconnue : « ${prof} »`);
      else warnings.push(`profession « ${prof} » non reconnue : non renseignée`);
    }
    const commune = get("communeInsee");
    if (commune) {
      const upper = commune.toUpperCase();
      const byPostal = communesByPostal.get(commune);
      const insee = communeByInsee.has(upper) ? upper : byPostal?.length === 1 ? byPostal[0] : communeByName.get(norm(commune));
      if (insee) row.communeInsee = insee;
      else {
        counts.outsideTerritory++;
        warnings.push(`commune « ${commune} » hors du territoire de la CPTS : non renseignée`);
      }
    }
    const phone = get("phone");
    if (phone) {
      const p = normalisePhone(phone);
      if (p) row.phone = p;
      else warnings.push(`téléphone « ${phone} » illisible : non renseigné`);
    }
    const rpps = get("rpps").replace(/\s/g, "");
    if (rpps) {
      if (/^\d{11}$/.test(rpps)) row.rpps = rpps;
      else warnings.push(`RPPS « ${rpps} » invalide (11 chiffres) : non renseigné`);
    }
    const formula = get("formula");
    if (formula) {
      const cat = categoryOfFormula(formula);
      if (!cat) warnings.push(`formule « ${formula} » non reconnue : catégorie ${current ? "inchangée" : `« ${CATEGORY_LABELS[isMorale(row) ? "STRUCTURE" : "PROFESSIONNEL"]} » par défaut`}`);
      else if (!current) {
        row.category = cat;
        // HelloAsso puts an organisation's name in « Nom » for a structure's membership
        if (cat === "STRUCTURE" && row.lastName && !row.firstName && !row.organization) {
          row.organization = row.lastName;
          row.lastName = undefined;
        }
      }
      else if (current.category !== cat) warnings.push(`formule « ${formula} » (${CATEGORY_LABELS[cat]}) différente de la catégorie enregistrée (${CATEGORY_LABELS[current.category as MembershipCategoryKey] ?? current.category}) : catégorie inchangée, à vérifier`);
    }

    // The payment of the row, by HelloAsso's status: only a validated payment counts.
    const status = norm(get("status"));
    const refunded = /^rembours/.test(status);
    const validated = status === "" || /^(valid|pay|autoris|effectu)/.test(status);
    const amountRaw = get("amount");
    if (amountRaw) {
      const cents = parseAmountCents(amountRaw);
      if (/^\s*-/.test(amountRaw)) errors.push(`montant négatif : « ${amountRaw} » ; un remboursement se marque sur la fiche de l'adhérent (bouton « Rembourser »)`);
      else if (cents === null || Number.isNaN(cents)) errors.push(`montant invalide : « ${amountRaw} » (ex. 30 ou 30,00)`);
      else if (cents > MAX_AMOUNT_CENTS) errors.push(`montant invalide : « ${amountRaw} » dépasse 10 000 € (une cotisation, pas un total)`);
      else if (cents > 0) row.amountCents = cents;
      else row.note = "montant nul : aucun paiement compté";
      const dateRaw = get("paidOn");
      const date = dateRaw ? parseDateFr(dateRaw) : null;
      if (!dateRaw) errors.push("date de paiement manquante pour un montant");
      else if (!date) errors.push(`date invalide : « ${dateRaw} » (JJ/MM/AAAA ou AAAA-MM-JJ, date qui existe)`);
      else if (date > today) errors.push(`date de paiement dans le futur : ${dateRaw}`);
      else if (date < "2000-01-01") errors.push(`date de paiement invalide : ${dateRaw} (avant 2000)`);
      else row.paidOn = date;
      const m = norm(get("method"));
      if (m) row.method = METHODS[m] ?? "AUTRE";
      const ref = get("reference");
      // A HelloAsso export row is recorded with source CSV and its own id namespace: the order
      // reference is not the payment id that HelloAsso notifications use.
      row.externalId = ref
        ? format === "helloasso" ? `helloasso-commande:${ref}` : ref
        : row.paidOn && row.amountCents
          ? `csv-${createHash("sha256").update(`${cptsId}|${email}|${row.paidOn}|${row.amountCents}`).digest("hex").slice(0, 24)}`
          : undefined;
    }

    if (format === "helloasso" && status && !validated) {
      // Not a membership paid: nobody is created or changed from it.
      const prior = row.externalId ? recorded.get(row.externalId) : undefined;
      if (refunded && prior && !prior.refundedOn && current && errors.length === 0) {
        row.payment = "remboursement";
        row.note = "commande remboursée sur HelloAsso : le paiement déjà enregistré est marqué remboursé";
        rows.push(row);
        counts.refunds++;
        continue;
      }
      row.action = "ignoree";
      row.note = refunded
        ? prior?.refundedOn ? "commande remboursée, déjà marquée remboursée : rien à faire" : "commande remboursée sur HelloAsso : aucun paiement compté, aucun adhérent créé"
        : `paiement au statut « ${get("status")} » (non validé) : aucun paiement compté, aucun adhérent créé`;
      row.errors.length = 0;
      rows.push(row);
      continue;
    }

    if (email && errors.length === 0) {
      const prev = seenEmail.get(email);
      if (prev !== undefined && format === "generique") errors.push(`e-mail déjà présent ligne ${prev} avec d'autres valeurs : gardez une seule ligne par adhérent`);
      if (row.externalId && row.amountCents && row.paidOn) {
        const samePayment = seenPayment.get(row.externalId);
        if (samePayment !== undefined) {
          row.action = "ignoree";
          row.duplicateOf = samePayment;
          row.note = `même paiement que la ligne ${samePayment} (référence « ${get("reference") || "identique"} ») : doublon ignoré`;
          rows.push(row);
          continue;
        }
      }
    }
    if (errors.length === 0) {
      const plan = planMember(members.get(email), row, format);
      row.action = plan.action;
      row.changes = plan.changes;
      if (plan.action === "creation") {
        members.set(email, { firstName: null, lastName: null, organization: null, profession: null, communeInsee: null, phone: null, rpps: null, ...plan.data, category: row.category ?? (isMorale(row) ? "STRUCTURE" : "PROFESSIONNEL") });
      } else if (plan.action === "mise_a_jour") {
        members.set(email, { ...members.get(email)!, ...plan.data });
      }
      seenEmail.set(email, i + 1);
      if (row.externalId && row.amountCents && row.paidOn) {
        seenPayment.set(row.externalId, i + 1);
        const twinKey = `${email}|${row.paidOn}|${row.amountCents}`;
        const twinLine = seenTwin.get(twinKey);
        if (twinLine !== undefined) warnings.push(`même montant le même jour que la ligne ${twinLine} (autre référence) : deux paiements comptés, vérifiez qu'il ne s'agit pas d'un double paiement`);
        else seenTwin.set(twinKey, i + 1);
        const prior = recorded.get(row.externalId);
        if (prior || twins.has(`${email}|${row.paidOn}|${row.amountCents}`)) {
          row.payment = "deja_enregistre";
          row.note = prior ? "paiement déjà enregistré (même référence) : non compté à nouveau" : "paiement déjà enregistré par une autre source (HelloAsso, saisie) : non compté à nouveau";
        } else row.payment = "nouveau";
      }
    }
    rows.push(row);
  }
  for (const row of rows) {
    if (row.errors.length) counts.invalid++;
    else if (row.action === "ignoree") {
      counts.ignored++;
      if (row.duplicateOf !== undefined) counts.duplicates++;
    } else {
      counts.valid++;
      if (row.action === "creation") counts.creations++;
      if (row.action === "mise_a_jour") counts.updates++;
      if (row.action === "inchange") counts.unchanged++;
      if (row.payment === "nouveau") counts.payments++;
      if (row.payment === "deja_enregistre") counts.alreadyRecorded++;
    }
    if (row.warnings.length) counts.warnings++;
  }
  counts.rows = rows.length;
  return { format, source, encoding, columns, rows, counts, valid: counts.valid, invalid: counts.invalid };
}

/** Compatibility entry point: the preview of a file (text or bytes). */
export function previewImport(ctx: AppContext, cptsId: string, input: Uint8Array | string, format: ImportFormat | "auto" = "auto", mapping?: ColumnMapping): Promise<ImportPreview> {
  return analyzeImport(ctx, cptsId, input, { format, mapping });
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  payments: number;
  refunds: number;
  skippedInvalid: number;
  ignored: number;
  /** Payments of the file already counted (same reference, or the same payment recorded from another source). */
  alreadyRecorded: { line: number; email: string }[];
  /** Rows the database refused: nothing of these rows was written. */
  failed: { line: number; email: string; error: string }[];
}

export interface ImportProgress {
  (done: number, total: number): void | Promise<void>;
}

/** Rows per batch. A batch is one transaction, and on SQLite the one connection serves nobody else
 *  meanwhile (the admin's pages, chat commands, the sender): there the size follows the time a batch
 *  holds the database, about BATCH_MS whatever the machine and the rows (bulk creations or one-by-one
 *  updates). Fixed batches of 500 held it ~350 ms each. PostgreSQL has a pool: BATCH_MAX there. */
const BATCH_FIRST = 100;
const BATCH_MIN = 50;
const BATCH_MAX = 500;
const BATCH_MS = 40;

/** The next batch size, in proportion to how long the last one held the database (at most doubling). */
export function nextBatchSize(size: number, tookMs: number): number {
  const fit = Math.round((size * BATCH_MS) / Math.max(tookMs, 1));
  return Math.max(BATCH_MIN, Math.min(BATCH_MAX, size * 2, fit));
}

/** Imports the valid rows of the file (re-analysed: the preview is never trusted from the browser).
 *  Rows are written by batches in one transaction each; when a batch fails, its rows are written
 *  again one by one so that only the faulty row is left out, whole (member and payment). */
export async function importValidRows(
  ctx: AppContext,
  cptsId: string,
  input: Uint8Array | string,
  format: ImportFormat | "auto",
  actor: string,
  options: { mapping?: ColumnMapping; onProgress?: ImportProgress; preview?: ImportPreview } = {},
): Promise<ImportResult & { preview: ImportPreview }> {
  const preview = options.preview ?? (await analyzeImport(ctx, cptsId, input, { format, mapping: options.mapping }));
  const result: ImportResult = { created: 0, updated: 0, unchanged: 0, payments: 0, refunds: 0, skippedInvalid: preview.counts.invalid, ignored: preview.counts.ignored, alreadyRecorded: [], failed: [] };
  if (preview.fileError) return { ...result, preview };
  const todo = preview.rows.filter((r) => r.errors.length === 0 && r.action !== "ignoree");
  const tally = (row: ImportRow, outcome: RowOutcome) => {
    if (outcome.member === "creation") result.created++;
    if (outcome.member === "mise_a_jour") result.updated++;
    if (outcome.member === "inchange") result.unchanged++;
    if (outcome.payment === "enregistre") result.payments++;
    if (outcome.payment === "deja_compte") result.alreadyRecorded.push({ line: row.line, email: row.email });
    if (outcome.payment === "rembourse") result.refunds++;
  };
  const writeOne = async (row: ImportRow) => {
    for (let attempt = 1; ; attempt++) {
      try {
        tally(row, row.payment === "remboursement" ? await refundRow(ctx, cptsId, row, actor) : await ctx.db.$transaction((tx) => importRow(ctx, tx, cptsId, row, preview.format, actor), { timeout: 60_000, maxWait: 20_000 }));
        return;
      } catch (e) {
        // Another writer inserted the same member or payment meanwhile: the retry sees it.
        if (isUniqueViolation(e) && attempt < 2) continue;
        const reference = errorReference();
        if (!(e instanceof UserError)) ctx.log.error("ligne d'import refusée", { cptsId, line: row.line, reference, error: (e as Error).message });
        result.failed.push({ line: row.line, email: row.email, error: e instanceof UserError ? e.message : `erreur de la base de données (référence ${reference})` });
        return;
      }
    }
  };
  const adaptive = ctx.engine === "sqlite";
  let size = adaptive ? BATCH_FIRST : BATCH_MAX;
  for (let start = 0; start < todo.length; ) {
    const batch = todo.slice(start, start + size);
    start += batch.length;
    const plain = batch.filter((r) => r.payment !== "remboursement");
    let held: number | undefined;
    try {
      const outcomes = await ctx.db.$transaction(async (tx) => {
        const began = performance.now();
        const o = await importBatch(ctx, tx, cptsId, plain, preview.format, actor);
        held = performance.now() - began;
        return o;
      }, { timeout: 120_000, maxWait: 20_000 });
      plain.forEach((row, k) => tally(row, outcomes[k]!));
    } catch (e) {
      ctx.log.warn("lot d'import refusé : lignes reprises une à une", { cptsId, firstLine: plain[0]?.line, error: (e as Error).message });
      for (const row of plain) await writeOne(row);
    }
    for (const row of batch) if (row.payment === "remboursement") await writeOne(row);
    await options.onProgress?.(start, todo.length);
    // the requests that queued meanwhile (a page, a chat command) go first
    await nextTurn();
    // a batch taken back row by row says nothing of the size: kept
    if (adaptive && held !== undefined && plain.length > 0) size = nextBatchSize(plain.length, held);
  }
  await writeAudit(ctx.db, {
    cptsId, actor, action: "adherents.import",
    details: { format: preview.format, encoding: preview.encoding ?? null, created: result.created, updated: result.updated, payments: result.payments, refunds: result.refunds, skippedInvalid: result.skippedInvalid, ignored: result.ignored, alreadyRecorded: result.alreadyRecorded.length, failedLines: result.failed.slice(0, 100).map((f) => f.line) },
  });
  return { ...result, preview };
}

interface RowOutcome {
  member: "creation" | "mise_a_jour" | "inchange";
  payment: "enregistre" | "deja_compte" | "rembourse" | "aucun";
}

type MemberRecord = MemberState & { id: string; email?: string | null };

/** A batch of rows in the caller's transaction: members read in one query, created and their
 *  payments recorded by multi-row inserts; updates and payments of members who already existed go
 *  row by row (through the payment service, which also cancels their pending reminders). */
async function importBatch(ctx: AppContext, tx: Tx, cptsId: string, rows: ImportRow[], format: ImportFormat, actor: string): Promise<RowOutcome[]> {
  const emails = [...new Set(rows.map((r) => r.email))];
  const found: MemberRecord[] = [];
  // by chunks: the query engine refuses more than 999 parameters on SQLite
  for (let i = 0; i < emails.length; i += 400) {
    found.push(...(await tx.member.findMany({
      where: { cptsId, email: { in: emails.slice(i, i + 400) } },
      select: { id: true, email: true, firstName: true, lastName: true, organization: true, profession: true, communeInsee: true, phone: true, rpps: true, category: true },
    })) as (MemberRecord & { email: string })[]);
  }
  const known = new Map<string, MemberRecord | { pending: number }>(found.map((m) => [m.email!, m]));
  const creations: NewImportedMember[] = [];
  const creationOf: (number | undefined)[] = [];
  const outcomes: RowOutcome[] = [];
  for (const row of rows) {
    const cur = known.get(row.email);
    if (cur && "pending" in cur) {
      // created earlier in this batch: nothing the first row did not set is filled from a later one
      const state = creations[cur.pending]!;
      const plan = planMember({ firstName: state.firstName ?? null, lastName: state.lastName ?? null, organization: state.organization ?? null, profession: state.profession ?? null, communeInsee: state.communeInsee ?? null, phone: state.phone ?? null, rpps: state.rpps ?? null, category: state.category }, row, format);
      Object.assign(state, plan.data);
      outcomes.push({ member: plan.action, payment: "aucun" });
      creationOf.push(cur.pending);
      continue;
    }
    const plan = planMember(cur, row, format);
    if (plan.action === "creation") {
      const morale = isMorale(row);
      known.set(row.email, { pending: creations.length });
      creationOf.push(creations.length);
      creations.push({
        cptsId, email: row.email, ...plan.data, kind: morale ? "MORALE" : "PHYSIQUE", category: row.category ?? (morale ? "STRUCTURE" : "PROFESSIONNEL"),
        joinedOn: row.paidOn ?? ctx.clock.today(), consentVersion: `import-${format === "helloasso" ? "helloasso" : "csv"}`,
      });
    } else {
      creationOf.push(undefined);
      if (plan.action === "mise_a_jour") await tx.member.update({ where: { id: cur!.id }, data: plan.data });
    }
    outcomes.push({ member: plan.action, payment: "aucun" });
  }
  const ids = await insertImportedMembers(tx, creations);
  const fresh: NewImportedPayment[] = [];
  const freshRows: number[] = [];
  const recorded = await recordedCsvIds(tx, cptsId, rows.filter((r) => r.externalId && r.amountCents && r.paidOn).map((r) => r.externalId!));
  for (const [k, row] of rows.entries()) {
    if (!row.amountCents || !row.paidOn) continue;
    const created = creationOf[k];
    if (created !== undefined) {
      if (row.externalId && recorded.has(row.externalId)) outcomes[k]!.payment = "deja_compte";
      else {
        fresh.push({ cptsId, memberId: ids[created]!, amountCents: row.amountCents, paidOn: row.paidOn, method: row.method, externalId: row.externalId ?? null, actor });
        freshRows.push(k);
        if (row.externalId) recorded.add(row.externalId);
      }
      continue;
    }
    const memberId = (known.get(row.email) as MemberRecord).id;
    const r = await recordPaymentInTx(ctx, tx, { cptsId, memberId, amountCents: row.amountCents, paidOn: row.paidOn, source: "CSV", method: row.method, externalId: row.externalId, actor });
    outcomes[k]!.payment = r.created ? "enregistre" : "deja_compte";
  }
  await insertImportedPayments(tx, fresh);
  for (const k of freshRows) outcomes[k]!.payment = "enregistre";
  return outcomes;
}

async function refundRow(ctx: AppContext, cptsId: string, row: ImportRow, actor: string): Promise<RowOutcome> {
  const p = await ctx.db.duesPayment.findFirst({ where: { cptsId, source: "CSV", externalId: row.externalId }, select: { id: true, refundedOn: true } });
  if (!p || p.refundedOn) return { member: "inchange", payment: "aucun" };
  await refundPayment(ctx, { cptsId, paymentId: p.id, refundedOn: ctx.clock.today(), actor });
  return { member: "inchange", payment: "rembourse" };
}

async function importRow(ctx: AppContext, tx: Tx, cptsId: string, row: ImportRow, format: ImportFormat, actor: string): Promise<RowOutcome> {
  const existing = await tx.member.findFirst({ where: { cptsId, email: row.email }, select: { id: true, firstName: true, lastName: true, organization: true, profession: true, communeInsee: true, phone: true, rpps: true, category: true } });
  const plan = planMember(existing ?? undefined, row, format);
  let memberId: string;
  if (existing) {
    memberId = existing.id;
    if (plan.action === "mise_a_jour") await tx.member.update({ where: { id: existing.id }, data: plan.data });
  } else {
    const morale = isMorale(row);
    const m = await tx.member.create({
      data: {
        cptsId, email: row.email, ...plan.data,
        kind: morale ? "MORALE" : "PHYSIQUE",
        category: row.category ?? (morale ? "STRUCTURE" : "PROFESSIONNEL"),
        joinedOn: row.paidOn ?? ctx.clock.today(),
        roles: { create: [{ role: "ADHERENT", since: row.paidOn ?? ctx.clock.today() }] },
        consents: { create: { purpose: "adhesion", textVersion: `import-${format === "helloasso" ? "helloasso" : "csv"}`, channel: "import" } },
      },
      select: { id: true },
    });
    memberId = m.id;
  }
  if (!row.amountCents || !row.paidOn) return { member: plan.action, payment: "aucun" };
  const r = await recordPaymentInTx(ctx, tx, { cptsId, memberId, amountCents: row.amountCents, paidOn: row.paidOn, source: "CSV", method: row.method, externalId: row.externalId, actor });
  return { member: plan.action, payment: r.created ? "enregistre" : "deja_compte" };
}
