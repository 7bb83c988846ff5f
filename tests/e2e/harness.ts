// Shared set-up of the admin tests in a real browser: Debian's Chromium driven by playwright-core,
// coordo started on 127.0.0.1 with the demo CPTS on a fresh database, and the admin login.
import { existsSync } from "node:fs";
import { describe, it, expect } from "vitest";
import type { Browser, Page } from "playwright-core";
import { freshDatabaseUrl } from "../helpers/db.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";
import { startCoordo, type Running } from "../../src/app/start.ts";
import { adminComponent } from "../../src/admin/index.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { castVote, closeVote, createVote, electorate } from "../../src/app/services/votes.ts";
import { activateCrisis, answerRollCall, closeCrisis } from "../../src/app/services/crisis-activation.ts";

/** E2E_CHROMIUM overrides the browser path (e.g. to check that a missing browser fails on CI). */
export const CHROMIUM = process.env.E2E_CHROMIUM ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

/**
 * Locally a missing browser skips the suites (reported as skipped); on CI it is a failure, never a
 * silent pass. Call once per test file, at the top level.
 */
export function requireChromiumOnCi(): void {
  if (hasChromium) return;
  console.warn(`Tests E2E de l'admin ignorés : ${CHROMIUM} est absent (apt-get install -y chromium).`);
  describe.runIf(Boolean(process.env.CI))("admin dans Chromium (CI)", () => {
    it("Chromium est installé sur la machine d'intégration continue", () => {
      expect.fail(`${CHROMIUM} est absent : installez Chromium (apt-get install -y chromium) pour que les tests E2E de l'admin tournent en CI.`);
    });
  });
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import("playwright-core");
  // launch() gives Chromium a fresh temporary profile (--user-data-dir) of its own, removed on close.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export interface AdminServer {
  running: Running;
  base: string;
  stop(): Promise<void>;
}

/** coordo with the admin and the demo CPTS, on a fresh database (SQLite, or PostgreSQL under TEST_PG_ADMIN_URL). */
export async function startAdminServer(): Promise<AdminServer> {
  const fresh = await freshDatabaseUrl();
  const config = loadConfig({ DATABASE_URL: fresh.url, PORT: "0", HOST: "127.0.0.1", CONSOLE_CHAT: "0", JOBS_ENABLED: "0" });
  const out = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as typeof process.stdout.write; // the demo banner
  let running: Running;
  try {
    running = await startCoordo(config, silentLogger, { demo: true, components: [adminComponent] });
  } catch (e) {
    await fresh.drop();
    throw e;
  } finally {
    process.stdout.write = out;
  }
  return {
    running,
    base: `http://127.0.0.1:${running.port}`,
    stop: async () => {
      await running.stop();
      await fresh.drop();
    },
  };
}

/** Logs in through the login form; the first admin page (the dashboard) is then open. */
export async function login(page: Page, base: string, email = DEMO_COORDINATOR_EMAIL, password = DEMO_ADMIN_PASSWORD): Promise<void> {
  await page.goto(`${base}/admin`);
  await page.waitForURL(/\/admin\/connexion/);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(`${base}/admin`), page.click("button[type=submit]")]);
}

/** What the chat leaves behind, for the Votes d'AG and Crises pages: a closed secret vote and a closed crisis activation. */
export async function seedChatHistory(ctx: AppContext) {
  const cpts = await ctx.db.cpts.findUniqueOrThrow({ where: { slug: "demo" } });
  const coordo = await ctx.db.member.findFirstOrThrow({ where: { cptsId: cpts.id, email: DEMO_COORDINATOR_EMAIL } });
  const actor = { memberId: coordo.id, label: "chat:console:coordo" };
  const now = ctx.clock.now().getTime();
  const vote = await createVote(ctx, cpts.id, { question: "Approuvez-vous le rapport moral et le rapport financier de l'exercice écoulé ?", opensAt: new Date(now - 3600_000), closesAt: new Date(now + 3600_000), eligibilityCutoff: ctx.clock.today(), quorumPercent: 25 }, actor);
  const { colleges } = await electorate(ctx, vote);
  for (const [i, memberId] of [...colleges.keys()].slice(0, 3).entries()) await castVote(ctx, cpts.id, { voteId: vote.id, memberId, choice: i ? "Pour" : "Contre" });
  await closeVote({ ...ctx, clock: fixedClock(new Date(now + 2 * 3600_000)) }, cpts.id, vote.id);
  await activateCrisis(ctx, cpts.id, { situation: "offre-degradee", description: "Pénurie d'amoxicilline dans les officines du territoire." }, actor);
  const pros = await ctx.db.member.findMany({ where: { cptsId: cpts.id, status: "ACTIF", profession: { not: null } }, take: 6, orderBy: { id: "asc" } });
  for (const [i, p] of pros.entries()) await answerRollCall(ctx, cpts.id, p.id, i % 2 === 0);
  await closeCrisis(ctx, cpts.id, { feedback: "Les pharmacies ont relayé l'alerte ; prévoir une liste de substitution." }, actor);
}

