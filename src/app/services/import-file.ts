// Reading an uploaded members file into a table of strings: CSV in any encoding Excel or HelloAsso
// writes (UTF-8 with or without BOM, UTF-16, Windows-1252, ISO-8859-15) or an XLSX workbook (first
// sheet, streaming reader). Every failure is a French UserError: no library message reaches a user.
import { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { createRequire } from "node:module";
import type ExcelJS from "exceljs";
import { UserError } from "../errors.ts";

// The parsers are loaded on first use, not when coordo starts (exceljs alone costs ~0.6 s of CPU and
// ~25 MB): the admin imports this module for IMPORT_MAX_BYTES.
const require = createRequire(import.meta.url);
let iconvLib: typeof import("iconv-lite") | undefined;
const iconv = () => (iconvLib ??= require("iconv-lite") as typeof import("iconv-lite"));

export type FileEncoding = "utf-8" | "utf-8-bom" | "utf-16le" | "windows-1252" | "iso-8859-15";

export const ENCODING_LABELS: Record<FileEncoding, string> = {
  "utf-8": "UTF-8",
  "utf-8-bom": "UTF-8 avec BOM",
  "utf-16le": "UTF-16 (texte Unicode d'Excel)",
  "windows-1252": "Windows-1252 (CSV enregistré par Excel)",
  "iso-8859-15": "ISO-8859-15 (Latin-9)",
};

/** The stated upload limit (shown on the page, enforced by the admin's body limit). */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 100_000;

export interface ImportTable {
  kind: "csv" | "xlsx";
  /** CSV only: how the bytes were decoded. */
  encoding?: FileEncoding;
  /** Header first; every cell trimmed. */
  records: string[][];
}

const startsWith = (buf: Uint8Array, bytes: number[]) => bytes.every((b, i) => buf[i] === b);

/** Picks the encoding of a text file: a BOM says it; else valid UTF-8 is UTF-8; else a single-byte
 *  encoding. Windows-1252 and ISO-8859-15 differ on 0x80–0x9F (printable in Windows-1252, control
 *  codes in ISO-8859-15) and on eight bytes above 0xA0 (€ Š š Ž ž Œ œ Ÿ in ISO-8859-15). */
export function detectEncoding(buf: Uint8Array): FileEncoding {
  if (startsWith(buf, [0xef, 0xbb, 0xbf])) return "utf-8-bom";
  if (startsWith(buf, [0xff, 0xfe])) return "utf-16le";
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(buf);
    return "utf-8";
  } catch {
    // not UTF-8: a single-byte encoding
  }
  let c1 = 0;
  let latin9 = 0;
  for (const b of buf) {
    if (b >= 0x80 && b <= 0x9f) c1++;
    // ¤ ¦ ¨ ´ ¸ ¼ ½ ¾ in Windows-1252 are € Š š Ž ž Œ œ Ÿ in ISO-8859-15: in a list of names, the latter
    else if (b === 0xa4 || b === 0xa6 || b === 0xa8 || b === 0xb4 || b === 0xb8 || b === 0xbc || b === 0xbd || b === 0xbe) latin9++;
  }
  return c1 === 0 && latin9 > 0 ? "iso-8859-15" : "windows-1252";
}

export function decodeText(buf: Uint8Array, encoding: FileEncoding): string {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  switch (encoding) {
    case "utf-8-bom":
      return b.subarray(3).toString("utf8");
    case "utf-8":
      return b.toString("utf8");
    case "utf-16le":
      return iconv().decode(b.subarray(2), "utf-16le");
    default:
      return iconv().decode(b, encoding);
  }
}

/** Text that was decoded with the wrong encoding somewhere along the way (« Lef�vre », « LefÃ¨vre »). */
export function looksGarbled(s: string): boolean {
  return /\uFFFD/.test(s) || /Ã[\u0080-\u00BF\u2010-\u203A\u20AC\u2122\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC]|â€/.test(s);
}

function refuseBinary(buf: Uint8Array): void {
  const what =
    startsWith(buf, [0x89, 0x50, 0x4e, 0x47]) ? "une image PNG"
    : startsWith(buf, [0xff, 0xd8, 0xff]) ? "une image JPEG"
    : startsWith(buf, [0x47, 0x49, 0x46, 0x38]) ? "une image GIF"
    : startsWith(buf, [0x25, 0x50, 0x44, 0x46]) ? "un document PDF"
    : null;
  if (what) throw new UserError(`Ce fichier est ${what}, pas un tableau : choisissez un fichier CSV ou un classeur Excel (.xlsx).`);
  if (startsWith(buf, [0xd0, 0xcf, 0x11, 0xe0])) {
    throw new UserError("Ce fichier est au format Excel 97-2003 (.xls), qui n'est pas lu : ouvrez-le dans Excel et enregistrez-le en .xlsx ou en CSV.");
  }
  const head = buf.subarray(0, 8192);
  if (head.includes(0)) throw new UserError("Ce fichier n'est ni un texte CSV ni un classeur Excel (.xlsx) : choisissez l'export CSV ou XLSX de vos adhérents.");
}

const CSV_ERRORS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: "un guillemet ouvert n'est jamais fermé",
  CSV_INVALID_CLOSING_QUOTE: "un guillemet fermant est suivi d'autres caractères",
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: "un guillemet fermant est suivi d'autres caractères",
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: "le nombre de colonnes varie d'une ligne à l'autre",
  CSV_MAX_RECORD_SIZE: "une ligne est démesurément longue",
};

async function parseCsv(text: string): Promise<string[][]> {
  const { parse } = await import("csv-parse/sync");
  const first = text.split(/\r?\n/, 1)[0] ?? "";
  const count = (ch: string) => first.split(ch).length - 1;
  const delimiter = count("\t") > Math.max(count(";"), count(",")) ? "\t" : count(";") >= count(",") ? ";" : ",";
  try {
    return parse(text, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, trim: true, max_record_size: 1_000_000 }) as string[][];
  } catch (e) {
    const err = e as { code?: string; lines?: number };
    const why = (err.code && CSV_ERRORS[err.code]) ?? "sa structure n'est pas celle d'un CSV";
    const where = typeof err.lines === "number" ? ` (vers la ligne ${err.lines})` : "";
    throw new UserError(`Le fichier n'est pas un CSV lisible${where} : ${why}. Vérifiez les guillemets et le séparateur (« ; » ou « , »), ou enregistrez-le à nouveau depuis Excel.`);
  }
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "string") return v.trim();
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "boolean") return v ? "oui" : "non";
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? "" : v.toISOString().slice(0, 10);
  if (typeof v === "object") {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown; formula?: unknown; error?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join("").trim();
    if ("text" in o) return cellText(o.text);
    if ("result" in o) return cellText(o.result);
  }
  return "";
}

/** Chunks decoded as one UTF-8 stream: a character split between two chunks stays whole. */
async function* utf8Text(source: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  for await (const chunk of source) {
    const text = typeof chunk === "string" ? chunk : decoder.write(chunk);
    if (text) yield text;
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

type SheetParsers = {
  _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: number): unknown;
  _parseSharedStrings(entry: AsyncIterable<Buffer | string>): unknown;
};
type WorkbookReader = SheetParsers & AsyncIterable<ExcelJS.stream.xlsx.WorksheetReader>;
let readerClass: Promise<new (input: Readable, options: object) => WorkbookReader> | undefined;

/**
 * exceljs's streaming reader decodes each chunk of a sheet's XML on its own (utils/parse-sax.js), so a
 * multi-byte character falling on a chunk boundary became « �� » (one row in a few thousand). The XML
 * of the sheets and of the shared strings is handed to it already decoded as one stream.
 */
const utf8SafeWorkbookReader = () =>
  (readerClass ??= import("exceljs").then((m) => {
    const BaseWorkbookReader = m.default.stream.xlsx.WorkbookReader as unknown as new (input: Readable, options: object) => WorkbookReader;
    return class Utf8SafeWorkbookReader extends BaseWorkbookReader {
      override _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: number): unknown {
        return super._parseWorksheet(utf8Text(iterator), sheetNo);
      }
      override _parseSharedStrings(entry: AsyncIterable<Buffer | string>): unknown {
        return super._parseSharedStrings(Readable.from(utf8Text(entry)));
      }
    };
  }));

/** The parts exceljs's streaming reader must have read before a sheet: it reads them in the archive's order. */
const BEFORE_SHEETS = ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/styles.xml"];

/**
 * Whether the streaming reader can read this workbook: Excel writes the workbook, its relations, shared strings and
 * styles before the sheets, but exceljs writes its parts as they are ready (their order varies with the machine's
 * load) and other tools have their own. A sheet met before the workbook made the reader fail (« classeur
 * illisible » for a valid file, seen in CI); before the styles, dates would have been read as numbers.
 */
async function streamable(buf: Uint8Array): Promise<boolean> {
  const JSZip = (await import("jszip")).default;
  const names = Object.keys((await JSZip.loadAsync(buf)).files);
  const firstSheet = names.findIndex((n) => /^xl\/worksheets\/sheet\d+\.xml$/.test(n));
  return firstSheet < 0 || BEFORE_SHEETS.every((part) => !names.includes(part) || names.indexOf(part) < firstSheet);
}

/** The first sheet read by exceljs's whole-workbook reader (any order of parts; the workbook is held in memory). */
async function readXlsxWhole(buf: Uint8Array): Promise<string[][]> {
  const ExcelJS = (await import("exceljs")).default;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(buf) as unknown as ArrayBuffer);
  const records: string[][] = [];
  wb.worksheets[0]?.eachRow({ includeEmpty: false }, (row) => {
    if (records.length > IMPORT_MAX_ROWS + 1) return;
    const values = row.values as unknown[];
    const cells: string[] = [];
    for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
    if (cells.some((c) => c !== "")) records.push(cells);
  });
  return records;
}

async function readXlsx(buf: Uint8Array): Promise<string[][]> {
  const records: string[][] = [];
  const Utf8SafeWorkbookReader = await utf8SafeWorkbookReader();
  try {
    if (!(await streamable(buf))) return await readXlsxWhole(buf);
    const reader = new Utf8SafeWorkbookReader(Readable.from([Buffer.from(buf)]), { worksheets: "emit", sharedStrings: "cache", styles: "cache", hyperlinks: "ignore", entries: "ignore" });
    for await (const sheet of reader) {
      for await (const row of sheet) {
        const values = (row as ExcelJS.Row).values as unknown[];
        const cells: string[] = [];
        for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
        if (cells.some((c) => c !== "")) records.push(cells);
        if (records.length > IMPORT_MAX_ROWS + 1) break;
      }
      break; // the first sheet only
    }
  } catch {
    throw new UserError("Le classeur Excel est illisible (fichier abîmé, protégé par un mot de passe ou d'un autre format) : ouvrez-le dans Excel et enregistrez-le à nouveau en .xlsx ou en CSV.");
  }
  return records;
}

/** Reads the uploaded bytes into rows of trimmed strings (header first). */
export async function readImportFile(buf: Uint8Array): Promise<ImportTable> {
  if (buf.byteLength === 0) throw new UserError("Le fichier est vide.");
  if (buf.byteLength > IMPORT_MAX_BYTES) throw new UserError(`Le fichier dépasse ${IMPORT_MAX_BYTES / (1024 * 1024)} Mo : découpez-le en plusieurs fichiers.`);
  let table: ImportTable;
  if (startsWith(buf, [0x50, 0x4b, 0x03, 0x04])) {
    table = { kind: "xlsx", records: await readXlsx(buf) };
  } else {
    refuseBinary(buf);
    const encoding = detectEncoding(buf);
    table = { kind: "csv", encoding, records: await parseCsv(decodeText(buf, encoding)) };
  }
  if (table.records.length > IMPORT_MAX_ROWS + 1) throw new UserError(`Le fichier compte plus de ${IMPORT_MAX_ROWS.toLocaleString("fr-FR")} lignes : découpez-le en plusieurs fichiers.`);
  return table;
}
