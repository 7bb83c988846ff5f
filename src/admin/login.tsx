/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// Login and logout. Failures are counted, within FAILURE_WINDOW_MIN minutes, per client address + e-mail
// (MAX_FAILURES), per e-mail from anywhere (MAX_FAILURES_PER_EMAIL) and per address (MAX_FAILURES_PER_IP).
// The client address is the reverse proxy's X-Forwarded-For only when TRUSTED_PROXY names that proxy.
// Each check is reserved atomically before the password is verified (no race: N concurrent wrong
// passwords get exactly MAX_FAILURES checks); a blocked try is told when to retry.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import { getCookie, setCookie } from "hono/cookie";
import { clientAddress, trustedProxies } from "../http/client-address.ts";
import { z } from "zod";
import type { AppContext } from "../app/context.ts";
import { verifyPassword, hashPassword, needsRehash } from "../app/password.ts";
import type { AdminRepository } from "../db/repos/admin-repo.ts";
import {
  FAILURE_WINDOW_MIN, LOGIN_CSRF_COOKIE, MAX_FAILURES, MAX_FAILURES_PER_EMAIL, MAX_FAILURES_PER_IP, clearSessionCookie, cookieSecure, hashToken, openSession, randomToken, safeEqual, setSessionCookie, SESSION_COOKIE,
} from "./auth.ts";
import { parseWith, type FieldErrors, type FormValues } from "./forms.ts";

const loginForm = z.object({
  email: z.preprocess((v) => (typeof v === "string" ? v.trim().toLowerCase() : v), z.email("adresse e-mail invalide")),
  password: z.string({ error: "mot de passe requis" }).min(1, "mot de passe requis").max(200),
});

/** « Trop de tentatives… réessayez à 14 h 32 (dans 12 minutes). » (Europe/Paris) */
export function loginBlockedFr(retryAt: Date, now: Date): string {
  const minutes = Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 60_000));
  const [h, m] = retryAt.toLocaleTimeString("fr-FR", { timeZone: "Europe/Paris", hour: "2-digit", minute: "2-digit", hour12: false }).split(":");
  return `Trop de tentatives de connexion échouées. Par sécurité, réessayez à ${Number(h)} h ${m} (dans ${minutes} minute${minutes > 1 ? "s" : ""}).`;
}
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

/** A redirect target after login: a path of the admin only, printable ASCII (no CR/LF, no backslash, no other host). */
export function safeNext(next: unknown): string {
  if (typeof next !== "string" || next.length > 500 || !/^[\x21-\x7e]+$/.test(next) || next.includes("\\")) return "/admin";
  if (!/^\/admin(\/[^/]|$|\?)/.test(next)) return "/admin";
  try {
    const u = new URL(next, "http://coordo.invalid");
    return u.host === "coordo.invalid" && u.pathname.startsWith("/admin") ? u.pathname + u.search : "/admin";
  } catch {
    return "/admin";
  }
}

// A hash to verify against when the e-mail is unknown, so that both cases take the same time.
let dummyHash: Promise<string> | undefined;

export function loginRoutes(ctx: AppContext, repo: AdminRepository): Hono {
  const app = new Hono();
  const proxies = trustedProxies(ctx.config);

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
    const ip = clientAddress(c, proxies) ?? "inconnue";
    const now = ctx.clock.now();
    const windowMs = FAILURE_WINDOW_MIN * 60_000;
    const reserved = await repo.reserveLoginCheck(
      [
        { key: `ipmail:${ip}|${email}`, max: MAX_FAILURES },
        { key: `email:${email}`, max: MAX_FAILURES_PER_EMAIL },
        { key: `ip:${ip}`, max: MAX_FAILURES_PER_IP },
      ],
      now,
      new Date(now.getTime() - windowMs),
      windowMs,
    );
    if (!reserved.ok) {
      ctx.log.warn("connexion à l'admin bloquée (trop d'échecs)", { email, ip });
      c.header("Retry-After", String(Math.max(1, Math.ceil((reserved.retryAt.getTime() - now.getTime()) / 1000))));
      return c.html(html`<!doctype html>${<LoginPage token={loginToken(c)} values={{ email }} message={loginBlockedFr(reserved.retryAt, now)} next={next} />}`, 429);
    }
    const user = await repo.userByEmail(email);
    const ok = user ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await (dummyHash ??= hashPassword(randomToken()))), false);
    if (!ok || !user) {
      await repo.audit({ cptsId: user?.cptsId ?? null, actor: `web:${ip}`, action: "admin.connexion_refusee", target: email });
      return c.html(html`<!doctype html>${<LoginPage token={loginToken(c)} values={{ email }} message={BAD_CREDENTIALS_FR} next={next} />}`, 401);
    }
    await repo.markLoginSucceeded(reserved.ids);
    // hashed with weaker parameters (an older coordo): replaced now that the password is known
    if (needsRehash(user.passwordHash)) await repo.rehashPassword(user.id, await hashPassword(password));
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
