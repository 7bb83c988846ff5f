// Large member imports in a real browser (Debian's Chromium driven by playwright-core): a 40,000-row
// XLSX workbook and a 5 MB CSV saved by Excel (Windows-1252) are uploaded, previewed, confirmed by
// reference and imported in the background while the page shows the progress; accents come out
// right and no request is refused for its size.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { PassThrough } from "node:stream";
import iconv from "iconv-lite";
import ExcelJS from "exceljs";
import type { Browser, Page } from "playwright-core";
import type { Running } from "../../src/app/start.ts";
import { hasChromium, launchChromium, login as loginAt, requireChromiumOnCi, startAdminServer, type AdminServer } from "./harness.ts";

requireChromiumOnCi();

let base: string;
const login = (page: Page) => loginAt(page, base);

/** Written with exceljs' streaming writer, as a large export is. */
async function xlsxOf(rows: number, insee: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on("data", (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet("Adhérents");
  ws.addRow(["Nom", "Prénom", "Email", "Profession", "Commune INSEE", "Téléphone", "Montant", "Date paiement", "Référence"]).commit();
  for (let i = 0; i < rows; i++) {
    ws.addRow([i === 0 ? "Lefèvre" : `Tableur${i}`, i === 0 ? "Inès" : "Zoé", `xlsx${i}@exemple-import.fr`, "Infirmière", insee, 600000000 + i, 30, new Date(Date.UTC(2026, 2, 1 + (i % 28))), `XL-${i}`]).commit();
  }
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}

/** HelloAsso's export as Excel saves it: « ; », Windows-1252, decimal comma, long address columns. */
function helloAssoCsv(targetBytes: number, communeName: string): { file: Buffer; rows: number } {
  const header = ["Numéro", "Formule", "Montant (€)", "Statut", "Nom", "Prénom", "Date", "Email", "Moyen de paiement", "Attestation", "Champ additionnel : Profession", "Champ additionnel : Commune d'exercice", "Champ additionnel : Numéro RPPS", "Champ additionnel : Téléphone", "Adresse", "Code Postal", "Ville", "Pays"];
  const lines = [header.join(";")];
  let size = lines[0]!.length;
  let i = 0;
  while (size < targetBytes) {
    const line = [String(500000 + i), "Adhésion professionnel de santé", "30,00", "Validé", i === 0 ? "Bénard" : `Hélèneau${i}`, i === 0 ? "Zoé" : "Anaïs", `0${(i % 9) + 1}/04/2026`, `csv${i}@exemple-import.fr`, "Carte bancaire", `https://www.helloasso.com/associations/cpts-demo/adhesions/attestation-${i}-${"x".repeat(60)}`, "Masseur-kinésithérapeute", communeName, String(10000000000 + i), "06 12 34 56 78", `${i} chemin des Écoliers, résidence « Les Églantiers », bâtiment Œillet`, "59000", "Villeneuve-d'Ascq", "France"].join(";");
    lines.push(line);
    size += line.length + 2;
    i++;
  }
  return { file: iconv.encode(lines.join("\r\n"), "windows-1252"), rows: i };
}

/** Waits for the import page to reach the result, the page refreshing itself meanwhile; returns the
 *  progress counts it showed on the way (« 2 900 / 40 000 »…). */
async function untilDone(page: Page, timeout: number): Promise<{ progress: Set<string> }> {
  const progress = new Set<string>();
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    try {
      if (await page.locator("#resultat").count()) return { progress };
      if (await page.locator("#progression progress").count()) progress.add((await page.locator("#progression-lignes").textContent({ timeout: 1_000 })) ?? "");
    } catch {
      // the page was reloading itself
    }
    await page.waitForTimeout(250);
  }
  throw new Error("import non terminé à temps");
}

describe.skipIf(!hasChromium)("import d'adhérents volumineux dans Chromium", () => {
  let server: AdminServer;
  let running: Running;
  let browser: Browser;

  beforeAll(async () => {
    server = await startAdminServer();
    running = server.running;
    base = server.base;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it("un classeur XLSX de 40 000 lignes puis un CSV Windows-1252 de 5 Mo : aperçu, progression, accents justes, jamais de 413", async () => {
    const db = running.ctx.db;
    const cpts = await db.cpts.findUniqueOrThrow({ where: { slug: "demo" } });
    const commune = await db.commune.findFirstOrThrow({ where: { cptsId: cpts.id }, orderBy: { inseeCode: "asc" } });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    const page = await context.newPage();
    const statuses: number[] = [];
    page.on("response", (r) => statuses.push(r.status()));
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await login(page);

    // 40,000-row XLSX
    await page.goto(`${base}/admin/adherents/import`);
    expect(await page.textContent("#limite-import")).toContain("20 Mo");
    const xlsx = await xlsxOf(40_000, commune.inseeCode);
    await page.setInputFiles("#file", { name: "adherents.xlsx", mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", buffer: xlsx });
    await Promise.all([page.waitForURL(/\/admin\/adherents\/import\/c/), page.click("text=Voir l'aperçu")]);
    await page.waitForSelector("#apercu", { timeout: 180_000 });
    expect(await page.textContent("#encodage")).toContain("classeur Excel");
    expect(await page.textContent("#apercu-comptes")).toContain("40000 ligne(s) valide(s)");
    expect(await page.textContent("#apercu-comptes")).toContain("40000 création(s)");
    // the preview page stays small: counts and the rows to look at, not 40,000 table rows
    expect((await page.content()).length).toBeLessThan(200_000);
    await Promise.all([page.waitForLoadState("load"), page.click("#confirmer-import")]);
    const first = await untilDone(page, 400_000);
    // the progress page kept loading while the rows were written: it showed the count moving (a batch
    // holding the database too long, or progress rewriting the stored file each time, froze it)
    const counts = [...first.progress].map((t) => t.split("/").map((n) => Number(n.replace(/\D/g, ""))) as [number, number]);
    expect(counts.some(([done, total]) => done > 0 && done < total), `progression vue : ${[...first.progress].join(" ; ")}`).toBe(true);
    expect(await page.textContent("#resultat")).toContain("40000 adhérent(s) créé(s)");
    expect(await page.textContent("#resultat")).toContain("40000 paiement(s) enregistré(s)");
    expect(await db.member.count({ where: { cptsId: cpts.id, email: { endsWith: "@exemple-import.fr" } } })).toBe(40_000);
    const ines = await db.member.findFirstOrThrow({ where: { cptsId: cpts.id, email: "xlsx0@exemple-import.fr" } });
    expect([ines.firstName, ines.lastName, ines.profession, ines.phone]).toEqual(["Inès", "Lefèvre", "infirmier", "0600000000"]);

    // 5 MB CSV written by Excel (Windows-1252), HelloAsso columns
    const { file, rows } = helloAssoCsv(5 * 1024 * 1024, commune.name);
    expect(file.length).toBeGreaterThanOrEqual(5 * 1024 * 1024);
    await page.goto(`${base}/admin/adherents/import`);
    await page.setInputFiles("#file", { name: "export-helloasso.csv", mimeType: "text/csv", buffer: file });
    await Promise.all([page.waitForURL(/\/admin\/adherents\/import\/c/), page.click("text=Voir l'aperçu")]);
    await page.waitForSelector("#apercu", { timeout: 180_000 });
    expect(await page.textContent("#encodage")).toContain("Windows-1252");
    expect(await page.textContent("#apercu")).toContain("export HelloAsso");
    expect(await page.textContent("#apercu-comptes")).toContain(`${rows} ligne(s) valide(s)`);
    expect(await page.textContent("#premieres-lignes")).toContain("Zoé Bénard");
    await Promise.all([page.waitForLoadState("load"), page.click("#confirmer-import")]);
    await untilDone(page, 400_000);
    expect(await page.textContent("#resultat")).toContain(`${rows} adhérent(s) créé(s)`);
    const zoe = await db.member.findFirstOrThrow({ where: { cptsId: cpts.id, email: "csv0@exemple-import.fr" } });
    expect([zoe.firstName, zoe.lastName, zoe.profession, zoe.communeInsee, zoe.rpps]).toEqual(["Zoé", "Bénard", "masseur_kinesitherapeute", commune.inseeCode, "10000000000"]);
    expect(await db.duesPayment.count({ where: { cptsId: cpts.id, externalId: { startsWith: "helloasso-commande:5" } } })).toBe(rows);

    expect(statuses.filter((s) => s === 413 || s >= 500)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  }, 900_000);
});
