// Every admin page in Chromium, as a coordinator and as a bureau member, at 1280 × 800 and at
// 375 × 812 (a phone): the pages are discovered by following the menu and the links inside the
// admin (one page per kind of link: a member, a meeting, a vote, a newsletter, a crisis, page 2 of
// a list...), on a busy CPTS (the demo plus enough rows that lists paginate, a closed crisis, a
// vote, facts, payments to review, mails in every state, job runs). For each page: 0 serious or
// critical axe-core violation, no sideways scroll, no internal identifier shown. Then the charts
// on a phone: text of 12 px or more, legend entries apart, a data table under each chart.
// ADMIN_SCREENSHOTS=<dir> also saves a full-page screenshot of every page crawled.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import type { Browser, BrowserContext, Page } from "playwright-core";
import type { AppContext } from "../../src/app/context.ts";
import { AdminRepository } from "../../src/db/repos/admin-repo.ts";
import { hashPassword } from "../../src/app/password.ts";
import { addDays } from "../../src/rules/dates.ts";
import { internalPatterns, leaksIn } from "../helpers/internal-keys.ts";
import { hasChromium, launchChromium, login, requireChromiumOnCi, seedChatHistory, startAdminServer, type AdminServer } from "./harness.ts";

requireChromiumOnCi();

const BUREAU_EMAIL = "tresorerie@cpts-demo.fr";
const BUREAU_PASSWORD = "tresorier-2026!";
const WIDTHS = [
  { name: "1280 px", viewport: { width: 1280, height: 800 }, phone: false },
  { name: "375 px", viewport: { width: 375, height: 812 }, phone: true },
] as const;

/** Links never followed: leaving the session, files to download, and redirections to Slack or Discord. */
const NOT_PAGES = /^\/admin\/(deconnexion|connexion)|\/(export|telecharger)\b|\.(csv|ics|xlsx|pdf)$|[?&](format|export)=|\/(ajouter|retour)$|\/assets\//;
/** Per page: its page 2 and one other variant (a filter, a sort); at most 3 pages under one parent (e.g. 3 of the mail wordings); 80 pages in all. */
const MAX_CHILDREN = 3;
const MAX_PAGES = 80;

/** The demo CPTS made busy: lists paginate, every state of a mail, payments to review, facts, job runs, a bureau account. */
async function seedBusyCpts(ctx: AppContext): Promise<void> {
  const db = ctx.db;
  const cpts = await db.cpts.findUniqueOrThrow({ where: { slug: "demo" } });
  const communes = await db.commune.findMany({ where: { cptsId: cpts.id }, orderBy: { inseeCode: "asc" } });
  const professions = ["infirmier", "medecin_generaliste", "pharmacien", "masseur_kinesitherapeute", "sage_femme", "orthophoniste"];
  const today = ctx.clock.today();
  await db.member.createMany({
    data: Array.from({ length: 130 }, (_, i) => ({
      cptsId: cpts.id, firstName: `Élise${i}`, lastName: `Dépaginée${String(i).padStart(3, "0")}`, email: `pagine${i}@exemple-sante.fr`,
      profession: professions[i % professions.length]!, communeInsee: communes[i % communes.length]!.inseeCode, joinedOn: addDays(today, -30 - i),
    })),
  });
  await db.pendingPayment.createMany({
    data: [
      { cptsId: cpts.id, source: "HELLOASSO", externalId: "ha-9001", payerName: "Inconnu Payeur", payerEmail: "inconnu@exemple-sante.fr", amountCents: 3000, paidOn: addDays(today, -3), reason: "Aucun adhérent ne porte cette adresse e-mail." },
      { cptsId: cpts.id, source: "HELLOASSO", externalId: "ha-9002", payerName: "Martin Homonyme", payerEmail: null, amountCents: 5000, paidOn: addDays(today, -1), reason: "Montant différent du tarif de la profession." },
    ],
  });
  await db.cptsFact.createMany({
    data: [
      { cptsId: cpts.id, kind: "AIDE_FIR", occurredOn: addDays(today, -200), amountCents: 2_400_000, detail: "aide au démarrage", createdBy: "admin:coordination@cpts-demo.fr" },
      { cptsId: cpts.id, kind: "EMBAUCHE", occurredOn: addDays(today, -90), detail: "chargée de mission prévention", createdBy: "admin:coordination@cpts-demo.fr" },
    ],
  });
  const states = ["EN_ATTENTE", "EN_COURS", "ENVOYE", "CAPTURE", "ECHEC_TEMPORAIRE", "ECHEC", "ANNULE"] as const;
  const kinds = ["relance", "newsletter", "alerte", "plan_crise", "crise"];
  await db.outboxMessage.createMany({
    data: Array.from({ length: 70 }, (_, i) => ({
      cptsId: cpts.id, idempotencyKey: `crawl-${i}`, channel: "MAIL" as const, kind: kinds[i % kinds.length]!, recipient: `pagine${i}@exemple-sante.fr`,
      subject: `Rappel de cotisation ${i}`, bodyText: "Bonjour,\n\nVotre cotisation de l'année est attendue.", state: states[i % states.length]!, attempts: i % 3,
      lastError: states[i % states.length]!.startsWith("ECHEC") ? "452 4.2.2 Mailbox full" : null, sentAt: i % 7 === 2 ? new Date(Date.now() - i * 3600_000) : null,
    })),
  });
  await db.jobRun.createMany({
    data: [
      { jobId: "aci-deadline-alerts", slot: "manual:6f1d2c3b-0000-4000-8000-000000000001", state: "TERMINE", startedAt: new Date(Date.now() - 86400_000), finishedAt: new Date(Date.now() - 86400_000 + 3000), counts: { alertes: 2 } },
      { jobId: "dues-reminders", slot: new Date(Date.now() - 2 * 86400_000).toISOString(), state: "ECHEC", startedAt: new Date(Date.now() - 2 * 86400_000), finishedAt: new Date(Date.now() - 2 * 86400_000 + 1000), error: "relais SMTP injoignable" },
    ],
  });
  const actions = ["cotisation.enregistree", "admin.connexion", "newsletter.programmee", "deadline.done", "dues.reminders", "fact.create"];
  const actors = ["admin:coordination@cpts-demo.fr", "job:aci-deadline-alerts", "chat:console:coordo", "cli"];
  await db.auditLog.createMany({
    data: Array.from({ length: 80 }, (_, i) => ({ cptsId: cpts.id, actor: actors[i % actors.length]!, action: actions[i % actions.length]!, target: `pagine${i}@exemple-sante.fr`, at: new Date(Date.now() - i * 1800_000) })),
  });
  // more than a page (50) of meetings this year, newsletters and crisis activations: their page 2 is crawled too
  await db.meeting.createMany({
    data: Array.from({ length: 55 }, (_, i) => ({ cptsId: cpts.id, title: `Réunion paginée ${i}`, mission: "parcours", heldOn: `${today.slice(0, 4)}-01-${String(1 + (i % 28)).padStart(2, "0")}`, durationMin: 60 })),
  });
  await db.newsletter.createMany({
    data: Array.from({ length: 50 }, (_, i) => ({ cptsId: cpts.id, subject: `Lettre paginée ${i}`, body: "Bonjour,\n\nles nouvelles de la CPTS.", state: "BROUILLON" as const, createdAt: new Date(Date.now() - (i + 10) * 86400_000) })),
  });
  await db.crisisActivation.createMany({
    data: Array.from({ length: 52 }, (_, i) => ({ cptsId: cpts.id, situation: "MALADES" as const, activatedOn: addDays(today, -400 - i), closedOn: addDays(today, -399 - i), exercise: true })),
  });
  await new AdminRepository(db).createUser({ cptsId: cpts.id, email: BUREAU_EMAIL, passwordHash: await hashPassword(BUREAU_PASSWORD), role: "BUREAU", actor: "test" });
}

/** One kind of page: ids in the path replaced, the names of the query parameters kept. */
function kindOf(url: URL): string {
  const path = url.pathname.split("/").map((s) => (/^(c[a-z0-9]{20,}|[0-9a-f-]{36}|\d+)$/.test(s) ? ":id" : s)).join("/");
  const keys = [...new Set(url.searchParams.keys())].sort().join("&");
  return keys ? `${path}?${keys}` : path;
}

interface Finding {
  width: string;
  path: string;
  what: string;
}

interface AxeViolation {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

async function axeViolations(page: Page, axeSource: string): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: object, opts: object): Promise<{ violations: { id: string; impact?: string; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    // every row of a list page (50); beyond, rows of one table share their markup (a crisis roll call lists every professional)
    const r = await axe.run({ include: [["html"]], exclude: [["tbody > tr:nth-child(n+51)"]] }, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact!, help: v.help, targets: v.nodes.slice(0, 4).map((n) => n.target.map(String).join(" ")) }));
  });
}

/** Visits every admin page reachable from the dashboard; returns the pages seen and what is wrong on them. */
async function crawl(page: Page, base: string, width: string, axeSource: string, patterns: RegExp[]): Promise<{ kinds: string[]; findings: Finding[]; slowest: string }> {
  const findings: Finding[] = [];
  // printed as found too, so that a run cut short still says what it saw
  const note = (f: Finding) => {
    findings.push(f);
    console.log(`[${f.width}] ${f.path} : ${f.what}`);
  };
  const times: [string, number, number][] = [];
  const queue = ["/admin"];
  const seenKinds = new Set<string>(["/admin"]);
  const variants = new Set<string>();
  const children = new Map<string, number>();
  let visited = 0;
  while (queue.length && visited < MAX_PAGES) {
    const path = queue.shift()!;
    visited++;
    const t0 = Date.now();
    let res;
    try {
      res = await page.goto(`${base}${path}`, { waitUntil: "load" });
    } catch (e) {
      note({ width, path, what: `page non chargée : ${(e as Error).message.split("\n")[0]}` });
      continue;
    }
    if (res?.status() !== 200) note({ width, path, what: `statut HTTP ${res?.status()}` });
    if (!(res?.headers()["content-type"] ?? "").includes("text/html")) continue;

    if (process.env.ADMIN_SCREENSHOTS) await page.screenshot({ path: join(process.env.ADMIN_SCREENSHOTS, `${width.replace(/[^a-z0-9]+/gi, "-")}-${path.replace(/^\/admin\/?/, "").replace(/[^a-z0-9]+/gi, "_") || "tableau_de_bord"}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.scrollingElement!.scrollWidth - window.innerWidth);
    if (overflow > 0) note({ width, path, what: `défilement horizontal de ${overflow} px` });

    const t1 = Date.now();
    // axe-core is the slow part (seconds on a loaded machine): run on each page and on the page 2
    // of each list (other rows, the pager's « Page précédente »), not on a filtered or sorted view,
    // which is the same markup
    const query = [...new URL(path, base).searchParams.keys()];
    const violations = query.length && !query.includes("page") ? [] : await axeViolations(page, axeSource);
    times.push([path, t1 - t0, Date.now() - t1]);
    for (const v of violations) note({ width, path, what: `axe ${v.id} (${v.impact}) : ${v.help} → ${v.targets.join(" | ")}` });

    // text in <code> is what people type themselves (the column names of an import file)
    const text = await page.evaluate(() => {
      const body = document.body.cloneNode(true) as HTMLElement;
      body.querySelectorAll("code, script, style").forEach((el) => el.remove());
      document.body.after(body);
      const shown = body.innerText;
      body.remove();
      return `${document.title}\n${shown}`;
    });
    for (const leak of leaksIn(text, patterns)) note({ width, path, what: `identifiant interne affiché : « ${leak} »` });

    const hrefs = await page.evaluate(() => [...document.querySelectorAll("a[href]")].map((a) => (a as HTMLAnchorElement).href));
    for (const href of hrefs) {
      const url = new URL(href);
      if (url.origin !== base || !url.pathname.startsWith("/admin")) continue;
      const target = url.pathname + url.search;
      if (NOT_PAGES.test(target)) continue;
      const kind = kindOf(url);
      if (seenKinds.has(kind)) continue;
      if (url.search) {
        const variant = `${url.pathname}${url.searchParams.has("page") ? "?page" : "?"}`;
        if (variants.has(variant)) continue;
        variants.add(variant);
      } else {
        const parent = kind.slice(0, kind.lastIndexOf("/"));
        const n = children.get(parent) ?? 0;
        if (parent !== "/admin" && !kind.endsWith("/:id") && n >= MAX_CHILDREN) continue;
        children.set(parent, n + 1);
      }
      seenKinds.add(kind);
      queue.push(target);
    }
  }
  const slowest = times.sort((a, b) => b[1] + b[2] - a[1] - a[2]).slice(0, 4).map(([p, load, axe]) => `${p} ${load}+${axe} ms`).join(", ");
  return { kinds: [...seenKinds], findings, slowest };
}

const report = (findings: Finding[]) => findings.map((f) => `[${f.width}] ${f.path} : ${f.what}`);

describe.skipIf(!hasChromium)("admin : chaque page à 1280 et 375 px (axe-core, défilement, identifiants internes)", () => {
  let server: AdminServer;
  let browser: Browser;
  let axeSource: string;
  let patterns: RegExp[];

  beforeAll(async () => {
    server = await startAdminServer();
    await seedChatHistory(server.running.ctx);
    await seedBusyCpts(server.running.ctx);
    axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
    patterns = internalPatterns();
    if (process.env.ADMIN_SCREENSHOTS) mkdirSync(process.env.ADMIN_SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function contextAt(w: (typeof WIDTHS)[number]): Promise<BrowserContext> {
    // bypassCSP: axe-core is injected as an inline script, which the admin's CSP rightly refuses
    return browser.newContext({ viewport: w.viewport, locale: "fr-FR", deviceScaleFactor: 1, isMobile: w.phone, hasTouch: w.phone, bypassCSP: true });
  }

  // The bureau sees the same pages with fewer forms, at both widths too. The four crawls run side
  // by side (one context each in the one browser): pages wait on the server as much as on Chromium.
  const RUNS = [
    { role: "coordonnateur", width: WIDTHS[0], email: undefined, password: undefined },
    { role: "coordonnateur", width: WIDTHS[1], email: undefined, password: undefined },
    { role: "bureau", width: WIDTHS[0], email: BUREAU_EMAIL, password: BUREAU_PASSWORD },
    { role: "bureau", width: WIDTHS[1], email: BUREAU_EMAIL, password: BUREAU_PASSWORD },
  ];
  for (const run of RUNS) {
    it.concurrent(`${run.role} à ${run.width.name} : chaque page, 0 violation axe grave ou critique, pas de défilement horizontal, aucun identifiant interne`, async () => {
      const started = Date.now();
      const context = await contextAt(run.width);
      const page = await context.newPage();
      page.on("dialog", (d) => void d.dismiss());
      await login(page, server.base, run.email, run.password);
      const { kinds, findings, slowest } = await crawl(page, server.base, `${run.role} ${run.width.name}`, axeSource, patterns);
      await context.close();
      console.log(`${run.role} à ${run.width.name} : ${kinds.length} pages visitées, ${findings.length} problème(s), ${Math.round((Date.now() - started) / 1000)} s (les plus lentes, chargement+axe : ${slowest})`);
      // the crawl reached the menu's pages and the detail pages
      for (const kind of ["/admin/adherents/:id", "/admin/reunions/:id", "/admin/votes/:id", "/admin/newsletters/:id", "/admin/crises/:id", "/admin/financement", "/admin/echeances", "/admin/envois", "/admin/journal", "/admin/paiements-a-verifier"]) {
        expect(kinds).toContain(kind);
      }
      // the page 2 of each list longer than a page was visited (and checked by axe)
      for (const list of ["adherents", "envois", "journal", "reunions", "newsletters", "crises"]) {
        expect(kinds.some((k) => new RegExp(`^/admin/${list}\\?(.*&)?page`).test(k)), `page 2 de /admin/${list}`).toBe(true);
      }
      expect(report(findings)).toEqual([]);
    }, 1_200_000); // 4 crawls in parallel on 2 cores: ~300 s each at load 10; room for a loaded CI machine
  }

  it("les boutons « Enregistrer » des missions se voient à 1280 px ; à 375 px les cartes d'Envois ne sont pas coupées et l'aperçu de la lettre tient dans son cadre", async () => {
    const desk = await contextAt(WIDTHS[0]);
    const page = await desk.newPage();
    await login(page, server.base);
    await page.goto(`${server.base}/admin/cpts`);
    const cut = await page.evaluate(() =>
      [...document.querySelectorAll("form[action^='/admin/cpts/missions/'] button")].map((b) => {
        const r = b.getBoundingClientRect();
        const box = b.closest(".table-wrap")!.getBoundingClientRect();
        return r.right - box.right;
      }),
    );
    expect(cut.length).toBeGreaterThan(3);
    expect(cut.filter((px) => px > 0), "pixels cachés à droite des boutons Enregistrer").toEqual([]);
    await desk.close();

    const phone = await contextAt(WIDTHS[1]);
    const p2 = await phone.newPage();
    await login(p2, server.base);
    await p2.goto(`${server.base}/admin/envois`);
    const overflowing = await p2.evaluate(() =>
      [...document.querySelectorAll("#outbox table.cards td")]
        .filter((td) => td.getBoundingClientRect().right > td.closest(".table-wrap")!.getBoundingClientRect().right + 0.5 || td.scrollWidth > td.clientWidth + 1)
        .map((td) => td.textContent!.slice(0, 40)),
    );
    expect(overflowing, "cellules coupées à droite").toEqual([]);
    expect(await p2.evaluate(() => [...document.querySelectorAll("#outbox .table-wrap")].every((w) => w.scrollWidth <= w.clientWidth))).toBe(true);

    await p2.goto(`${server.base}/admin/newsletters`);
    await p2.click("#newsletters tbody tr td a");
    // the frame of the element, not looked up by URL: on a loaded machine it may not have navigated yet
    const frame = (await (await p2.waitForSelector("iframe.preview")).contentFrame())!;
    await frame.waitForURL(/\/apercu\.html$/);
    await frame.waitForLoadState("load");
    const { scrollWidth, innerWidth } = await frame.evaluate(() => ({ scrollWidth: document.scrollingElement!.scrollWidth, innerWidth: window.innerWidth }));
    expect(scrollWidth, "largeur de la lettre dans son cadre").toBeLessThanOrEqual(innerWidth);
    const iframe = await p2.evaluate(() => { const r = document.querySelector("iframe.preview")!.getBoundingClientRect(); return { right: r.right, height: r.height }; });
    expect(iframe.right).toBeLessThanOrEqual(375);
    expect(iframe.height).toBeGreaterThan(500);
    await phone.close();
  }, 120_000);

  it("à 375 px, les graphiques se lisent : texte ≥ 12 px, légendes sans chevauchement, résumé et tableau des données", async () => {
    const context = await contextAt(WIDTHS[1]);
    const page = await context.newPage();
    await login(page, server.base);
    for (const path of ["/admin", "/admin/financement"]) {
      await page.goto(`${server.base}${path}`);
      const charts = await page.evaluate(() =>
        [...document.querySelectorAll(".chart")].map((chart) => {
          const img = chart.querySelector("[role=img]");
          // the size a person sees: the computed font size times the SVG's scaling, if any
          const sizes = [...chart.querySelectorAll("text, .chart-label, .chart-value, .legend li, .axis span")]
            .filter((el) => (el.textContent ?? "").trim() && (el as HTMLElement).getClientRects().length)
            .map((el) => {
              const px = parseFloat(getComputedStyle(el).fontSize);
              const svg = el instanceof SVGGraphicsElement ? el.getScreenCTM() : null;
              return { text: (el.textContent ?? "").trim().slice(0, 30), px: svg ? px * Math.hypot(svg.a, svg.b) : px };
            });
          const legend = [...chart.querySelectorAll(".legend li")].map((li) => li.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right, top: r.top, bottom: r.bottom }));
          const details = chart.querySelector("details");
          return {
            id: chart.id,
            label: img?.getAttribute("aria-label") ?? "",
            sizes,
            legend,
            summary: details?.querySelector("summary")?.textContent?.trim() ?? "",
            tableRows: details?.querySelectorAll("table tbody tr").length ?? 0,
            right: chart.getBoundingClientRect().right,
          };
        }),
      );
      expect(charts.length, path).toBeGreaterThan(0);
      for (const ch of charts) {
        const where = `${path} ${ch.id}`;
        expect(ch.label.length, `${where} : résumé aria-label`).toBeGreaterThan(20);
        expect(ch.sizes.length, where).toBeGreaterThan(0);
        expect(ch.sizes.filter((s) => s.px < 12), `${where} : texte de moins de 12 px`).toEqual([]);
        for (const [i, a] of ch.legend.entries()) {
          for (const b of ch.legend.slice(i + 1)) {
            const overlap = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
            expect(overlap, `${where} : légendes qui se chevauchent`).toBe(false);
          }
        }
        expect(ch.summary, where).toBe("Voir les données");
        expect(ch.tableRows, `${where} : tableau des données`).toBeGreaterThan(0);
        expect(ch.right, `${where} : dans l'écran`).toBeLessThanOrEqual(375);
      }
    }
    await context.close();
  }, 120_000);
});
