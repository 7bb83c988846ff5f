// The life of an uploaded members file: kept in the database (MemberImport) from the upload to the
// end of the import, analysed and imported in the background (any admin page view reads the
// progress from the row), confirmed by its id — the browser never sends the content twice.
import { expireImportFiles } from "../../db/repos/housekeeping-repo.ts";
import type { AppContext } from "../context.ts";
import { UserError } from "../errors.ts";
import { analyzeImport, importValidRows, type ColumnMapping, type ImportCounts, type ImportColumn, type ImportFormat, type ImportPreview, type ImportResult, type ImportRow, IMPORT_FIELDS } from "./member-import.ts";
import type { FileEncoding } from "./import-file.ts";

export type ImportState = "ANALYSE" | "APERCU" | "EN_COURS" | "TERMINE" | "ECHEC";

/** A row as the preview page shows it (the full list stays in the file). */
export interface PreviewRowView {
  line: number;
  email: string;
  name: string;
  action: ImportRow["action"];
  invalid: boolean;
  changes: string[];
  payment: ImportRow["payment"];
  amountCents?: number;
  paidOn?: string;
  messages: string[];
}

export interface StoredPreview {
  format: ImportFormat;
  source: ImportPreview["source"];
  encoding?: FileEncoding;
  columns: ImportColumn[];
  counts: ImportCounts;
  fileError?: string;
  /** Rows that need a look (errors, warnings, duplicates, refunds...), at most SHOWN. */
  notable: PreviewRowView[];
  notableTotal: number;
  /** The first rows, to see that the file was read right. */
  first: PreviewRowView[];
}

export interface MemberImportView {
  id: string;
  fileName: string;
  fileSize: number;
  state: ImportState;
  total: number;
  done: number;
  preview?: StoredPreview;
  result?: Omit<ImportResult, "alreadyRecorded" | "failed"> & { alreadyRecorded: number; failed: { line: number; email: string; error: string }[] };
  error?: string;
  hasReport: boolean;
  /** Analysis or import started by a process that stopped (restart): may be resumed. */
  stalled: boolean;
  mapping: ColumnMapping;
}

const SHOWN = 300;
/** A running task refreshes heartbeatAt at least this often; older means its process is gone. */
const STALE_MS = 120_000;
/** Progress is written at most this often. */
const PROGRESS_EVERY_MS = 1_000;

const running = new Map<string, Promise<void>>();

/** Resolves when the background task of this import (if any, in this process) ends. For tests and shutdown. */
export async function settled(id: string): Promise<void> {
  await running.get(id);
}

function background(ctx: AppContext, id: string, task: () => Promise<void>): Promise<void> {
  const p = task()
    .catch(async (e) => {
      ctx.log.error("import d'adhérents interrompu", { importId: id, error: (e as Error).message });
      // failed, and the file (personal data) deleted: the coordinator imports the file again
      await ctx.db
        .$transaction(
          async (tx) => {
            await tx.memberImport.update({ where: { id }, data: { state: "ECHEC", error: "L'import s'est arrêté sur une erreur inattendue. Les lignes déjà écrites sont conservées ; relancez l'import du même fichier pour terminer (rien n'est compté deux fois)." } });
            await tx.memberImportFile.deleteMany({ where: { importId: id } });
          },
          { maxWait: 20_000, timeout: 60_000 },
        )
        .catch(() => undefined);
    })
    .finally(() => running.delete(id));
  running.set(id, p);
  return p;
}

function rowView(r: ImportRow): PreviewRowView {
  return {
    line: r.line, email: r.email, name: [r.firstName, r.lastName].filter(Boolean).join(" ") || r.organization || "",
    action: r.action, invalid: r.errors.length > 0, changes: r.changes, payment: r.payment, amountCents: r.amountCents, paidOn: r.paidOn,
    messages: [...r.errors, ...(r.note ? [r.note] : []), ...r.warnings],
  };
}

const isNotable = (r: ImportRow) => r.errors.length > 0 || r.warnings.length > 0 || r.action === "ignoree" || r.payment === "remboursement" || r.payment === "deja_enregistre" || r.note !== undefined;

function storedPreview(p: ImportPreview): StoredPreview {
  const notable = p.rows.filter(isNotable);
  return {
    format: p.format, source: p.source, encoding: p.encoding, columns: p.columns, counts: p.counts, fileError: p.fileError,
    notable: notable.slice(0, SHOWN).map(rowView), notableTotal: notable.length, first: p.rows.slice(0, 20).map(rowView),
  };
}

const ACTION_FR: Record<ImportRow["action"], string> = { creation: "création", mise_a_jour: "mise à jour", inchange: "adhérent inchangé", ignoree: "ignorée" };

/** A cell safe to open in a spreadsheet (no formula). */
const cell = (v: string) => {
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[;"\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The rows someone should look at, as a CSV Excel opens (UTF-8 BOM, « ; »). */
function reportCsv(p: ImportPreview, failed: { line: number; error: string }[] = []): string | null {
  const failedBy = new Map(failed.map((f) => [f.line, f.error]));
  const lines = ["ligne;email;nom;résultat;détail"];
  for (const r of p.rows) {
    const dbError = failedBy.get(r.line);
    if (!isNotable(r) && !dbError) continue;
    const outcome = dbError ? "refusée par la base" : r.errors.length ? "en erreur, non importée" : r.action === "ignoree" ? "ignorée" : `${ACTION_FR[r.action]}${r.payment === "remboursement" ? ", remboursement" : ""} (avec remarque)`;
    const detail = [...(dbError ? [dbError] : []), ...r.errors, ...(r.note ? [r.note] : []), ...r.warnings].join(" | ");
    lines.push([String(r.line), r.email, [r.firstName, r.lastName].filter(Boolean).join(" ") || r.organization || "", outcome, detail].map(cell).join(";"));
  }
  return lines.length > 1 ? `\uFEFF${lines.join("\r\n")}\r\n` : null;
}

function parseMapping(raw: string | null): ColumnMapping {
  if (!raw) return {};
  try {
    return JSON.parse(raw) as ColumnMapping;
  } catch {
    return {};
  }
}

/** The import with its uploaded file (kept in its own table: MemberImportFile). */
async function withFile(ctx: AppContext, id: string) {
  const row = await ctx.db.memberImport.findUniqueOrThrow({ where: { id }, select: { cptsId: true, format: true, mapping: true, file: { select: { content: true } } } });
  if (!row.file) throw new Error("import sans contenu");
  return { ...row, content: row.file.content };
}

async function runAnalysis(ctx: AppContext, id: string): Promise<void> {
  const row = await withFile(ctx, id);
  const preview = await analyzeImport(ctx, row.cptsId, row.content, { format: row.format as ImportFormat | "auto", mapping: parseMapping(row.mapping) });
  await ctx.db.memberImport.updateMany({
    where: { id, state: "ANALYSE" },
    data: { state: "APERCU", preview: JSON.stringify(storedPreview(preview)), report: reportCsv(preview), total: preview.counts.valid, done: 0, heartbeatAt: new Date() },
  });
}

async function runImport(ctx: AppContext, id: string, actor: string): Promise<void> {
  const row = await withFile(ctx, id);
  const preview = await analyzeImport(ctx, row.cptsId, row.content, { format: row.format as ImportFormat | "auto", mapping: parseMapping(row.mapping) });
  await ctx.db.memberImport.update({ where: { id }, data: { total: preview.counts.valid, done: 0, heartbeatAt: new Date() } });
  let progressWritten = performance.now();
  const r = await importValidRows(ctx, row.cptsId, row.content, "auto", actor, {
    preview,
    // written once a second at most: the page refreshes once a second
    onProgress: async (done, total) => {
      const now = performance.now();
      if (now - progressWritten < PROGRESS_EVERY_MS) return;
      progressWritten = now;
      await ctx.db.memberImport.update({ where: { id }, data: { done, total, heartbeatAt: new Date() } });
    },
  });
  const { preview: _analysed, alreadyRecorded, failed, ...counts } = r;
  const result: MemberImportView["result"] = { ...counts, alreadyRecorded: alreadyRecorded.length, failed: failed.slice(0, SHOWN) };
  // done, and the file (personal data) deleted, together
  await ctx.db.$transaction(
    async (tx) => {
      await tx.memberImport.update({
        where: { id },
        data: { state: "TERMINE", done: preview.counts.valid, result: JSON.stringify(result), report: reportCsv(preview, r.failed), heartbeatAt: new Date() },
      });
      await tx.memberImportFile.deleteMany({ where: { importId: id } });
    },
    { maxWait: 20_000, timeout: 60_000 },
  );
}

/** Keeps the uploaded file and starts its analysis; returns the import's id. */
export async function createImport(ctx: AppContext, input: { cptsId: string; actor: string; fileName: string; content: Uint8Array; format: ImportFormat | "auto" }): Promise<string> {
  await expireImportFiles(ctx.db, ctx.clock.now(), input.cptsId);
  const created = await ctx.db.memberImport.create({
    data: { cptsId: input.cptsId, createdBy: input.actor, fileName: input.fileName.slice(0, 200), fileSize: input.content.byteLength, file: { create: { content: Buffer.from(input.content) } }, format: input.format, heartbeatAt: new Date() },
    select: { id: true },
  });
  void background(ctx, created.id, () => runAnalysis(ctx, created.id));
  return created.id;
}

async function owned(ctx: AppContext, cptsId: string, id: string) {
  const row = await ctx.db.memberImport.findFirst({ where: { id, cptsId }, select: { id: true, state: true, heartbeatAt: true } });
  if (!row) throw new UserError("Cet import n'existe pas dans votre CPTS.");
  return row;
}

/** The mapping step: columns the preview did not know, given a field (or « ignorer »), then a new analysis. */
export async function setMapping(ctx: AppContext, cptsId: string, id: string, mapping: ColumnMapping): Promise<void> {
  const row = await owned(ctx, cptsId, id);
  if (row.state !== "APERCU") throw new UserError("Cet import n'est plus à l'étape de l'aperçu.");
  const clean: ColumnMapping = {};
  for (const [k, v] of Object.entries(mapping)) if (/^\d+$/.test(k) && (v === "ignorer" || v in IMPORT_FIELDS)) clean[Number(k)] = v;
  const claimed = await ctx.db.memberImport.updateMany({ where: { id, cptsId, state: "APERCU" }, data: { mapping: JSON.stringify(clean), state: "ANALYSE", heartbeatAt: new Date() } });
  if (claimed.count === 1) void background(ctx, id, () => runAnalysis(ctx, id));
}

/** Starts the import of a previewed file (once: a second confirmation finds it already running). */
export async function confirmImport(ctx: AppContext, cptsId: string, id: string, actor: string): Promise<void> {
  const row = await owned(ctx, cptsId, id);
  const stale = (row.state === "EN_COURS" || row.state === "ANALYSE") && !running.has(id) && (!row.heartbeatAt || Date.now() - row.heartbeatAt.getTime() > STALE_MS);
  const claimed = await ctx.db.memberImport.updateMany({
    where: stale ? { id, cptsId, state: row.state, heartbeatAt: row.heartbeatAt } : { id, cptsId, state: "APERCU" },
    data: { state: "EN_COURS", heartbeatAt: new Date() },
  });
  if (claimed.count === 0) {
    if (row.state === "EN_COURS" || row.state === "TERMINE") return;
    throw new UserError("Cet import ne peut pas être lancé maintenant : rechargez la page.");
  }
  const p = await ctx.db.memberImport.findUniqueOrThrow({ where: { id }, select: { preview: true } });
  const preview = p.preview ? (JSON.parse(p.preview) as StoredPreview) : undefined;
  if (preview?.fileError || (preview && preview.counts.valid === 0)) {
    await ctx.db.memberImport.update({ where: { id }, data: { state: "APERCU" } });
    throw new UserError("Aucune ligne valide à importer : corrigez le fichier et recommencez.");
  }
  void background(ctx, id, () => runImport(ctx, id, actor));
}

export async function getImport(ctx: AppContext, cptsId: string, id: string): Promise<MemberImportView | null> {
  const row = await ctx.db.memberImport.findFirst({
    where: { id, cptsId },
    select: { id: true, fileName: true, fileSize: true, state: true, total: true, done: true, preview: true, result: true, error: true, heartbeatAt: true, mapping: true, report: true },
  });
  if (!row) return null;
  return {
    id: row.id, fileName: row.fileName, fileSize: row.fileSize, state: row.state as ImportState, total: row.total, done: row.done,
    preview: row.preview ? (JSON.parse(row.preview) as StoredPreview) : undefined,
    result: row.result ? (JSON.parse(row.result) as MemberImportView["result"]) : undefined,
    error: row.error ?? undefined,
    hasReport: Boolean(row.report),
    stalled: (row.state === "EN_COURS" || row.state === "ANALYSE") && !running.has(row.id) && (!row.heartbeatAt || Date.now() - row.heartbeatAt.getTime() > STALE_MS),
    mapping: parseMapping(row.mapping),
  };
}

export async function importReport(ctx: AppContext, cptsId: string, id: string): Promise<string | null> {
  const row = await ctx.db.memberImport.findFirst({ where: { id, cptsId }, select: { report: true } });
  return row?.report ?? null;
}

/** Resumes an analysis whose process stopped (the import resumes through confirmImport). */
export async function resumeAnalysis(ctx: AppContext, cptsId: string, id: string): Promise<void> {
  const row = await owned(ctx, cptsId, id);
  if (row.state !== "ANALYSE" || running.has(id)) return;
  const claimed = await ctx.db.memberImport.updateMany({ where: { id, cptsId, state: "ANALYSE", heartbeatAt: row.heartbeatAt }, data: { heartbeatAt: new Date() } });
  if (claimed.count === 1) void background(ctx, id, () => runAnalysis(ctx, id));
}
