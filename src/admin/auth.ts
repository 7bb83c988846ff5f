// Sessions, CSRF and roles of the web admin.
// - The cookie holds a random token; the database keeps only its SHA-256 (a leaked table opens nothing).
// - Each session has its own CSRF token, required on every POST (form field `_csrf` or header `x-csrf-token`).
// - Login failures are counted per e-mail and per IP address over a sliding window.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import type { AppContext } from "../app/context.ts";
import { AdminRepository, type AdminRoleKind } from "../db/repos/admin-repo.ts";

export const SESSION_COOKIE = "coordo_session";
export const LOGIN_CSRF_COOKIE = "coordo_login_csrf";
export const SESSION_HOURS = 12;
export const MAX_FAILURES = 5;
/** Per e-mail from any address (a distributed guess of one account). */
export const MAX_FAILURES_PER_EMAIL = 10;
// Higher per address: several people may share one (a practice's network; a reverse proxy without TRUSTED_PROXY).
export const MAX_FAILURES_PER_IP = 20;
export const FAILURE_WINDOW_MIN = 15;

export interface SessionUser {
  id: string;
  email: string;
  role: AdminRoleKind;
  cptsId: string;
  cptsName: string;
  cptsSlug: string;
  memberId: string | null;
}

export type AdminEnv = {
  Variables: {
    user: SessionUser;
    sessionId: string;
    csrf: string;
    form: Record<string, string | File | (string | File)[]>;
  };
};

export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieSecure(ctx: AppContext): boolean {
  if (ctx.config.ADMIN_COOKIE_SECURE !== undefined) return Boolean(ctx.config.ADMIN_COOKIE_SECURE);
  return (ctx.config.PUBLIC_URL ?? "").startsWith("https://");
}

export function setSessionCookie(c: Context, ctx: AppContext, token: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: cookieSecure(ctx),
    path: "/",
    maxAge: SESSION_HOURS * 3600,
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}

/** Opens a session for the user: returns the cookie token (the DB keeps its hash). */
export async function openSession(repo: AdminRepository, userId: string, now: Date): Promise<string> {
  const token = randomToken();
  await repo.createSession({
    id: hashToken(token),
    userId,
    csrfToken: randomToken(),
    expiresAt: new Date(now.getTime() + SESSION_HOURS * 3600_000),
  });
  return token;
}

/** Loads the session; no valid session → redirect to the login page (or 401 for fetch calls). */
export function requireSession(ctx: AppContext, repo: AdminRepository): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await repo.session(hashToken(token)) : null;
    if (!session || session.expiresAt.getTime() <= ctx.clock.now().getTime()) {
      if (session) await repo.deleteSession(session.id);
      const wantsJson = (c.req.header("accept") ?? "").includes("application/json");
      if (wantsJson) return c.json({ error: "Session expirée : reconnectez-vous." }, 401);
      const next_ = c.req.method === "GET" ? `?suite=${encodeURIComponent(c.req.path + (new URL(c.req.url).search || ""))}` : "";
      return c.redirect(`/admin/connexion${next_}`, 303);
    }
    const u = session.user;
    c.set("user", { id: u.id, email: u.email, role: u.role, cptsId: u.cptsId, cptsName: u.cpts.name, cptsSlug: u.cpts.slug, memberId: u.memberId });
    c.set("sessionId", session.id);
    c.set("csrf", session.csrfToken);
    await next();
  };
}

/** Every state-changing request carries the session's CSRF token; the parsed body is kept for the handler. */
export function requireCsrf(): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (c.req.method !== "POST") return next();
    let sent = c.req.header("x-csrf-token") ?? "";
    const type = c.req.header("content-type") ?? "";
    let form: AdminEnv["Variables"]["form"] = {};
    if (type.includes("form")) {
      form = (await c.req.parseBody({ all: true })) as AdminEnv["Variables"]["form"];
      const f = form._csrf;
      if (!sent && typeof f === "string") sent = f;
    }
    if (!sent || !safeEqual(sent, c.get("csrf"))) {
      return c.html(
        "<!doctype html><meta charset=utf-8><title>Requête refusée</title><p>Requête refusée : le jeton de sécurité du formulaire est absent ou périmé. Rechargez la page et recommencez.</p><p><a href=\"/admin\">Retour à l'administration</a></p>",
        403,
      );
    }
    c.set("form", form);
    await next();
  };
}

export const ROLE_LABELS: Record<AdminRoleKind, string> = { COORDONNATEUR: "coordonnateur", BUREAU: "bureau" };

/** Role check on the server: a bureau account reads everything and records payments; the rest is for coordinators. */
export function requireRole(...roles: AdminRoleKind[]): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (!roles.includes(c.get("user").role)) {
      return c.html(
        "<!doctype html><meta charset=utf-8><title>Accès refusé</title><p>Accès refusé : cette action est réservée au rôle « coordonnateur ».</p><p><a href=\"/admin\">Retour à l'administration</a></p>",
        403,
      );
    }
    await next();
  };
}

export function clientIp(c: Context, getConn?: (c: Context) => { remote: { address?: string } }): string {
  try {
    return getConn?.(c).remote.address ?? "inconnue";
  } catch {
    return "inconnue";
  }
}
