// The admin in a real browser (Debian's Chromium driven by playwright-core): log in, import a CSV
// with one bad row, record a payment, schedule a newsletter and find it in Envois, open the
// dashboard chart. Every page at both widths (axe-core, sideways scroll, internal keys): admin-crawl.test.ts.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { Browser, Page } from "playwright-core";
import type { Running } from "../../src/app/start.ts";
import { addDays } from "../../src/rules/dates.ts";
import { hasChromium, launchChromium, login as loginAt, requireChromiumOnCi, startAdminServer, type AdminServer } from "./harness.ts";

requireChromiumOnCi();


let base: string;

const login = (page: Page) => loginAt(page, base);

describe.skipIf(!hasChromium)("admin dans Chromium", () => {
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

  it("un coordonnateur se connecte, importe un CSV avec une ligne fautive, enregistre un paiement, programme une newsletter et ouvre le graphique", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "fr-FR" });
    const page = await context.newPage();
    page.on("dialog", (d) => void d.accept());
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await login(page);
    expect(await page.textContent("h1")).toBe("Tableau de bord");

    // dashboard chart: one bar per profession, the rate in the title
    const bars = await page.locator("#chart-cotisations .bar-row").count();
    expect(bars).toBeGreaterThan(4);
    expect(await page.locator("#chart-cotisations [role=img]").isVisible()).toBe(true);
    expect(await page.getAttribute("#chart-cotisations [role=img]", "aria-label")).toContain("payées par profession");
    expect(await page.locator("#chart-cotisations details table tbody tr").count()).toBe(bars);

    // CSV import with one bad row: preview first, nothing written, then the valid rows
    const db = running.ctx.db;
    const before = await db.member.count();
    await page.goto(`${base}/admin/adherents/import`);
    const csv = "nom;prenom;email;profession;montant;date_paiement\nNavigateur;Nina;nina.navigateur@exemple-sante.fr;sage-femme;30,00;" + addDays(running.ctx.clock.today(), -1) + "\nFautif;Fabien;pas-une-adresse;infirmier;30;2020-01-01\n";
    await page.setInputFiles("#file", { name: "adherents.csv", mimeType: "text/csv", buffer: Buffer.from(csv, "utf8") });
    await Promise.all([page.waitForLoadState("load"), page.click("text=Voir l'aperçu")]);
    await page.waitForSelector("#apercu");
    expect(await page.textContent("#apercu")).toContain("1 ligne(s) en erreur");
    expect(await page.textContent("#apercu")).toContain("e-mail invalide");
    expect(await db.member.count()).toBe(before);
    await Promise.all([page.waitForURL(/\/admin\/adherents\/import\/c/), page.click("#confirmer-import")]);
    await page.waitForSelector("#resultat");
    expect(await page.textContent("#resultat")).toContain("1 adhérent(s) créé(s)");
    expect(await db.member.count()).toBe(before + 1);

    // record a payment for an unpaid member
    await page.goto(`${base}/admin/adherents?cotisation=jamais_paye`);
    const first = page.locator("#members tbody tr td a").first();
    const name = (await first.textContent())!;
    await Promise.all([page.waitForLoadState("load"), first.click()]);
    expect(await page.textContent("h1")).toBe(name);
    await page.fill("#f-amount", "30");
    await page.selectOption("#f-method", "CHEQUE");
    await Promise.all([page.waitForLoadState("load"), page.click("#form-paiement button[type=submit]")]);
    expect(await page.textContent(".flash")).toContain("Paiement de 30,00 € enregistré");
    expect(await page.textContent("#paiements")).toContain("Chèque");

    // newsletter: compose with a live recipient count, schedule it, find it in Envois
    await page.goto(`${base}/admin/newsletters`);
    await page.fill("#f-subject", "Lettre du navigateur");
    await page.fill("#f-body", "Bonjour à toutes et à tous,\n\nCeci est un essai depuis Chromium.");
    await page.selectOption("#f-audience", "PROFESSIONS");
    await page.click("#composer summary");
    await page.check("input[name=professions][value=infirmier]");
    await page.waitForFunction(() => /destinataire/.test(document.getElementById("audience-count")?.textContent ?? ""));
    const live = await page.textContent("#audience-count");
    expect(live).toMatch(/^\d+ destinataires?/);
    await Promise.all([page.waitForURL(/\/admin\/newsletters\/c/), page.click("#composer button[type=submit]")]);
    const tomorrow = addDays(running.ctx.clock.today(), 1);
    await page.fill("#f-at", `${tomorrow}T09:00`);
    await Promise.all([page.waitForLoadState("load"), page.click("#form-programmer button[type=submit]")]);
    expect(await page.textContent(".flash")).toContain("Envoi programmé");
    await page.click("text=Envoyer un test");
    await page.waitForSelector(".flash.ok");
    await page.goto(`${base}/admin/envois`);
    expect(await page.textContent("#programmes")).toContain("Lettre du navigateur");
    expect(await page.textContent("#outbox")).toContain("Newsletter (test)");

    // back to the dashboard: the new payment is counted
    await page.goto(`${base}/admin`);
    expect(await page.locator("#chart-cotisations [role=img]").isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});
