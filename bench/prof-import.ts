// Profiles a 40,000-row member import (CSV, or XLSX) on a fresh SQLite database with the demo CPTS:
// `node --import tsx [--cpu-prof] bench/prof-import.ts [rows] [--xlsx]`; prints the time between
// progress ticks around every 5,000 rows, the total time and the event loop's longest stall.
import { adminTestEnv } from "../tests/integration/admin-setup.ts";
import { importValidRows } from "../src/app/services/member-import.ts";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";

const rows = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 40_000);
const env = await adminTestEnv();
const commune = await env.t.db.commune.findFirstOrThrow({ where: { cptsId: env.cptsId }, orderBy: { inseeCode: "asc" } });
const lines = ["Nom;Prénom;Email;Profession;Commune INSEE;Montant;Date paiement;Référence"];
for (let i = 0; i < rows; i++) lines.push(`Nom${i};Zoé;imp${i}@exemple-import.fr;Infirmière;${commune.inseeCode};30;01/03/2026;R-${i}`);
const file = process.argv.includes("--xlsx") ? await xlsxOf(lines) : Buffer.from(lines.join("\n"), "utf8");

/** The same rows as an XLSX workbook, written with exceljs' streaming writer. */
async function xlsxOf(csv: string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet("Adhérents");
  for (const line of csv) ws.addRow(line.split(";")).commit();
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}
const h = monitorEventLoopDelay({ resolution: 10 });
h.enable();
const t0 = performance.now();
let last = t0;
const r = await importValidRows(env.ctx, env.cptsId, file, "auto", "admin:bench", {
  onProgress: (done) => {
    const now = performance.now();
    if (done % 5000 < 600 || done === rows) console.log(`done ${done} +${(now - last).toFixed(0)} ms`);
    last = now;
  },
});
console.log(JSON.stringify({ rows, created: r.created, seconds: ((performance.now() - t0) / 1000).toFixed(1), loopMaxMs: (h.max / 1e6).toFixed(0), loopP99Ms: (h.percentile(99) / 1e6).toFixed(0) }));
await env.t.cleanup();
