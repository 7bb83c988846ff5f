import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { readImportFile } from "../../src/app/services/import-file.ts";

/** A large sheet as exceljs' streaming writer makes it: inline strings, many chunks of XML. */
async function workbook(rows: number, sharedStrings: boolean): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: false, useSharedStrings: sharedStrings });
  const ws = wb.addWorksheet("Adhérents");
  ws.addRow(["Nom", "Prénom", "Profession"]).commit();
  for (let i = 0; i < rows; i++) ws.addRow([`Lefèvre-Œillet${i}`, i % 2 ? "Inès" : "Zoé", "Infirmière"]).commit();
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}

describe("lecture XLSX : un caractère accentué coupé entre deux morceaux du fichier reste entier", () => {
  it.each([
    ["chaînes dans les cellules", false],
    ["chaînes partagées", true],
  ])("%s : aucune ligne abîmée sur 20 000", async (_label, shared) => {
    const table = await readImportFile(await workbook(20_000, shared));
    expect(table.records).toHaveLength(20_001);
    const damaged = table.records.filter((r) => r.some((c) => c.includes("\uFFFD")));
    expect(damaged).toEqual([]);
    expect(table.records[20_000]).toEqual(["Lefèvre-Œillet19999", "Inès", "Infirmière"]);
  });
});
