/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The web admin, mounted under /admin: login, then every page behind session + CSRF + role checks.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import { bodyLimit } from "hono/body-limit";
import type { Child } from "hono/jsx";
import type { AppContext } from "../app/context.ts";
import { AdminRepository } from "../db/repos/admin-repo.ts";
import { IMPORT_MAX_BYTES } from "../app/services/import-file.ts";
import { ADMIN_CSS, ADMIN_JS } from "./assets.ts";
import { requireCsrf, requireSession, type AdminEnv } from "./auth.ts";
import { loginRoutes, logout } from "./login.tsx";
import { takeFlash } from "./flash.ts";
import { Layout } from "./ui.tsx";
import { dashboardRoutes } from "./pages/dashboard.tsx";
import { journalRoutes } from "./pages/journal.tsx";
import { memberRoutes } from "./pages/members.tsx";
import { memberImportRoutes } from "./pages/member-import.tsx";
import { pendingPaymentRoutes } from "../helloasso/admin-page.tsx";
import { newsletterRoutes } from "./pages/newsletters.tsx";
import { outboxRoutes } from "./pages/outbox.tsx";
import { deadlineRoutes } from "./pages/deadlines.tsx";
import { fundingRoutes } from "./pages/funding.tsx";
import { crisisRoutes } from "./pages/crisis.tsx";
import { meetingRoutes } from "./pages/meetings.tsx";
import { cptsRoutes } from "./pages/cpts.tsx";
import { voteRoutes } from "./pages/votes.tsx";
import { crisisActivationRoutes } from "./pages/crises.tsx";
import { readCircuit } from "../db/repos/mail-circuit-repo.ts";
import { emailFlagRoutes } from "./pages/email-flags.tsx";
import { mailWordingRoutes } from "./pages/mail-wordings.tsx";

export type AdminApp = Hono<AdminEnv>;
export type AdminContext = Context<AdminEnv>;

export interface AdminDeps {
  ctx: AppContext;
  repo: AdminRepository;
  /** Renders a full page with the layout, the nav and the pending flash message. */
  page(c: AdminContext, title: string, active: string, body: Child, status?: 200 | 400 | 404 | 409 | 422): Response | Promise<Response>;
  actor(c: AdminContext): string;
}

/** The members import carries a file of up to 20 MB (plus the multipart envelope); every other form is small. */
export const IMPORT_BODY_LIMIT = IMPORT_MAX_BYTES + 1024 * 1024;
export const FORM_BODY_LIMIT = 64 * 1024;
const IMPORT_PATH = /\/adherents\/import$/;

const tooLarge = (c: Context, limit: number) =>
  c.html(
    `<!doctype html><meta charset=utf-8><title>Envoi trop volumineux</title><p>Envoi refusé : le contenu dépasse ${limit >= 1024 * 1024 ? `${limit / (1024 * 1024)} Mo` : `${limit / 1024} ko`}. Réduisez la taille du texte ou du fichier et recommencez.</p><p><a href="/admin">Retour à l'administration</a></p>`,
    413,
  );

// Checked before any handler reads the body (session, CSRF and login all parse it).
const importLimit = bodyLimit({ maxSize: IMPORT_BODY_LIMIT, onError: (c) => tooLarge(c, IMPORT_MAX_BYTES) });
const formLimit = bodyLimit({ maxSize: FORM_BODY_LIMIT, onError: (c) => tooLarge(c, FORM_BODY_LIMIT) });

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'self'; base-uri 'none'";

export function createAdminApp(ctx: AppContext): Hono {
  const repo = new AdminRepository(ctx.db);
  const app = new Hono<AdminEnv>();
  app.use("*", async (c, next) => {
    await next();
    if (!c.res.headers.has("Content-Security-Policy")) c.header("Content-Security-Policy", CSP);
    c.header("X-Content-Type-Options", "nosniff");
    if (!c.res.headers.has("X-Frame-Options")) c.header("X-Frame-Options", "DENY");
    c.header("Referrer-Policy", "same-origin");
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  app.use("*", (c, next) => (IMPORT_PATH.test(c.req.path) ? importLimit(c, next) : formLimit(c, next)));
  app.get("/assets/admin.css", (c) => c.body(ADMIN_CSS, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=3600" }));
  app.get("/assets/admin.js", (c) => c.body(ADMIN_JS, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=3600" }));
  app.route("/", loginRoutes(ctx, repo));

  const deps: AdminDeps = {
    ctx,
    repo,
    page: async (c, title, active, body, status = 200) =>
      c.html(
        html`<!doctype html>${(
          <Layout title={title} user={c.get("user")} csrf={c.get("csrf")} active={active} flash={takeFlash(c)} mailSuspended={await mailBanner(ctx)}>
            {body}
          </Layout>
        )}`,
        status,
      ),
    actor: (c) => `admin:${c.get("user").email}`,
  };

  const secured = new Hono<AdminEnv>();
  secured.use("*", requireSession(ctx, repo), requireCsrf());
  secured.post("/deconnexion", (c) => logout(c, repo));
  dashboardRoutes(secured, deps);
  cptsRoutes(secured, deps);
  memberImportRoutes(secured, deps); // before memberRoutes: /adherents/import is not a member id
  emailFlagRoutes(secured, deps);
  memberRoutes(secured, deps);
  newsletterRoutes(secured, deps);
  outboxRoutes(secured, deps);
  deadlineRoutes(secured, deps);
  fundingRoutes(secured, deps);
  crisisRoutes(secured, deps);
  crisisActivationRoutes(secured, deps);
  meetingRoutes(secured, deps);
  voteRoutes(secured, deps);
  mailWordingRoutes(secured, deps);
  journalRoutes(secured, deps);
  pendingPaymentRoutes(secured, deps);
  secured.all("*", (c) => deps.page(c, "Page introuvable", "", <p>Cette page n'existe pas ou n'appartient pas à votre CPTS. <a href="/admin">Retour au tableau de bord</a>.</p>, 404));
  app.route("/", secured);
  return app as unknown as Hono;
}

/** Sending suspended (circuit open): shown on every admin page; a database hiccup here never breaks a page. */
async function mailBanner(ctx: AppContext): Promise<{ since: Date | null; reason: string | null; nextProbeAt: Date | null } | null> {
  try {
    const c = await readCircuit(ctx.db);
    return c.open ? { since: c.openedAt, reason: c.reason, nextProbeAt: c.nextProbeAt } : null;
  } catch {
    return null;
  }
}

/** 404 page for a record that does not exist in the user's CPTS (never reveals another CPTS's data). */
export function notFound(deps: AdminDeps, c: AdminContext, what = "Cet élément"): Response | Promise<Response> {
  return deps.page(c, "Introuvable", "", <p>{what} n'existe pas dans votre CPTS. <a href="/admin">Retour au tableau de bord</a>.</p>, 404);
}
