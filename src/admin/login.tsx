/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Login and logout. Failures are counted per e-mail and per IP address: MAX_FAILURES (per e-mail)
// or MAX_FAILURES_PER_IP (per address) within FAILURE_WINDOW_MIN minutes block further tries.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import { getCookie, setCookie } from "hono/cookie";
import { getConnInfo } from "@hono/node-server/conninfo";
import { z } from "zod";
import type { AppContext } from "../app/context.ts";
import { verifyPassword, hashPassword } from "../app/password.ts";
import type { AdminRepository } from "../db/repos/admin-repo.ts";
import {
  FAILURE_WINDOW_MIN, LOGIN_CSRF_COOKIE, MAX_FAILURES, MAX_FAILURES_PER_IP, clearSessionCookie, clientIp, cookieSecure, hashToken, openSession, randomToken, safeEqual, setSessionCookie, SESSION_COOKIE,
} from "./auth.ts";
import { parseWith, type FieldErrors, type FormValues } from "./forms.ts";

const loginForm = z.object({
  email: z.preprocess((v) => (typeof v === "string" ? v.trim().toLowerCase() : v), z.email("adresse e-mail invalide")),
  password: z.string({ error: "mot de passe requis" }).min(1, "mot de passe requis").max(200),
});

export const LOGIN_BLOCKED_FR = `Trop de tentatives de connexion échouées. Par sécurité, réessayez dans ${FAILURE_WINDOW_MIN} minutes.`;
const BAD_CREDENTIALS_FR = "E-mail ou mot de passe incorrect.";

function LoginPage(p: { token: string; values?: FormValues; errors?: FieldErrors; message?: string; next?: string }) {
  return (
    <html lang="fr">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Connexion · coordo</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/admin/assets/admin.css" />
      </head>
      <body>
        <div class="login">
          <h1>coordo · administration</h1>
          <div class="card">
            {p.message ? <div class="flash bad" role="alert">{p.message}</div> : null}
            <form class="stack" method="post" action="/admin/connexion">
              <input type="hidden" name="_csrf" value={p.token} />
              <input type="hidden" name="suite" value={p.next ?? ""} />
              <label for="email">E-mail</label>
              <input id="email" name="email" type="email" autocomplete="username" value={p.values?.email ?? ""} required class={p.errors?.email ? "invalid" : ""} />
              {p.errors?.email ? <span class="err">{p.errors.email}</span> : null}
              <label for="password">Mot de passe</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required class={p.errors?.password ? "invalid" : ""} />
              {p.errors?.password ? <span class="err">{p.errors.password}</span> : null}
              <div class="actions">
                <button type="submit">Se connecter</button>
              </div>
            </form>
          </div>
          <p class="muted">Pas encore de compte ? Un coordonnateur le crée avec <code>coordo admin create</code>.</p>
        </div>
      </body>
    </html>
  );
}

function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/admin(\/[^/\\]|$|\?)/.test(next) && !next.startsWith("//") ? next : "/admin";
}

// A hash to verify against when the e-mail is unknown, so that both cases take the same time.
let dummyHash: Promise<string> | undefined;

export function loginRoutes(ctx: AppContext, repo: AdminRepository): Hono {
  const app = new Hono();

  const loginToken = (c: Context) => {
    const token = randomToken();
    setCookie(c, LOGIN_CSRF_COOKIE, token, { httpOnly: true, sameSite: "Lax", secure: cookieSecure(ctx), path: "/admin", maxAge: 3600 });
    return token;
  };

  app.get("/connexion", (c) => {
    return c.html(html`<!doctype html>${<LoginPage token={loginToken(c)} next={safeNext(c.req.query("suite"))} />}`);
  });

  app.post("/connexion", async (c) => {
    const form = (await c.req.parseBody()) as Record<string, string>;
    const cookieToken = getCookie(c, LOGIN_CSRF_COOKIE) ?? "";
    if (!cookieToken || typeof form._csrf !== "string" || !safeEqual(form._csrf, cookieToken)) {
      return c.html(html`<!doctype html>${<LoginPage token={loginToken(c)} message="Le formulaire a expiré : rechargez la page et recommencez." />}`, 403);
    }
    const next = safeNext(form.suite);
    const parsed = parseWith(loginForm, form);
    if (!parsed.ok) return c.html(html`<!doctype html>${<LoginPage token={loginToken(c)} values={parsed.values} errors={parsed.errors} next={next} />}`, 400);
    const { email, password } = parsed.data;
    const ip = clientIp(c, getConnInfo);
    const keys = [`email:${email}`, `ip:${ip}`];
    const now = ctx.clock.now();
    const since = new Date(now.getTime() - FAILURE_WINDOW_MIN * 60_000);
    if ((await repo.recentFailures([keys[0]!], since)) >= MAX_FAILURES || (await repo.recentFailures([keys[1]!], since)) >= MAX_FAILURES_PER_IP) {
      ctx.log.warn("admin login blocked", { email, ip });
      return c.html(html`<!doctype html>${<LoginPage token={loginToken(c)} values={{ email }} message={LOGIN_BLOCKED_FR} next={next} />}`, 429);
    }
    const user = await repo.userByEmail(email);
    const ok = user ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await (dummyHash ??= hashPassword(randomToken()))), false);
    await repo.recordAttempt(keys, ok, now);
    if (!ok || !user) {
      await repo.audit({ cptsId: user?.cptsId ?? null, actor: `web:${ip}`, action: "admin.connexion_refusee", target: email });
      return c.html(html`<!doctype html>${<LoginPage token={loginToken(c)} values={{ email }} message={BAD_CREDENTIALS_FR} next={next} />}`, 401);
    }
    const token = await openSession(repo, user.id, now);
    setSessionCookie(c, ctx, token);
    await repo.audit({ cptsId: user.cptsId, actor: `admin:${user.email}`, action: "admin.connexion", details: { ip } });
    if (Math.random() < 0.05) {
      await repo.purgeSessions(now);
      await repo.purgeAttempts(new Date(now.getTime() - 24 * 3600_000));
    }
    return c.redirect(next, 303);
  });

  return app;
}

/** Logout is a POST behind the session and CSRF middlewares. */
export async function logout(c: Context, repo: AdminRepository): Promise<Response> {
  const token = getCookie(c, SESSION_COOKIE);
  if (token) await repo.deleteSession(hashToken(token));
  clearSessionCookie(c);
  return c.redirect("/admin/connexion", 303);
}
