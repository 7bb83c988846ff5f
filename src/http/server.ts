// The one HTTP server of coordo: /health and /ready, then the routes components mount (admin, Slack,
// HelloAsso...). The port is bound before anything else starts; until the app is set, every request
// gets 503 « démarrage en cours ».
import { Hono } from "hono";
import type { ServerType } from "@hono/node-server";
import { listenServed } from "./bind.ts";
import type { AppContext } from "../app/context.ts";
import { VERSION } from "../version.ts";
import { mailReadiness } from "../db/repos/mail-circuit-repo.ts";

/** One readiness check of /ready (database, SMTP, chat adapters, queue...): ok, and a short French detail. */
export type ReadyCheck = () => Promise<{ ok: boolean; [detail: string]: unknown }>;
const readyChecks = new WeakMap<Hono, Map<string, ReadyCheck>>();

/** Components add their part of /ready (name → check); a check that throws or takes > 3 s is « ko ». */
export function addReadyCheck(app: Hono, name: string, check: ReadyCheck): void {
  readyChecks.get(app)?.set(name, check);
}

async function runCheck(check: ReadyCheck): Promise<{ ok: boolean; [detail: string]: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<{ ok: boolean; erreur: string }>((r) => (timer = setTimeout(() => r({ ok: false, erreur: "pas de réponse en 3 s" }), 3_000))),
    ]);
  } catch (e) {
    return { ok: false, erreur: (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

export function createHttpApp(ctx: AppContext): Hono {
  const app = new Hono();
  const checks = new Map<string, ReadyCheck>();
  readyChecks.set(app, checks);
  checks.set("base", async () => {
    await ctx.db.$queryRawUnsafe("SELECT 1");
    return { ok: true, moteur: ctx.engine };
  });
  // mail: « suspendu » while the relay refuses our sending (circuit breaker open, issue 11)
  checks.set("envois", () => mailReadiness(ctx.db));
  // under https (PUBLIC_URL), browsers must never come back over http (admin cookies, login form)
  if ((ctx.config.PUBLIC_URL ?? "").startsWith("https://")) {
    app.use("*", async (c, next) => {
      await next();
      c.header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    });
  }
  // alive: the process answers and its database does
  app.get("/health", async (c) => {
    try {
      await ctx.db.$queryRawUnsafe("SELECT 1");
      return c.json({ status: "ok", db: "ok", engine: ctx.engine, version: VERSION });
    } catch (e) {
      ctx.log.error("base de données injoignable (/health)", { error: e });
      return c.json({ status: "degraded", db: "injoignable", engine: ctx.engine, version: VERSION }, 503);
    }
  });
  // ready: every dependency, each with its state (503 when one is not ok)
  app.get("/ready", async (c) => {
    const entries = await Promise.all([...checks].map(async ([name, check]) => [name, await runCheck(check)] as const));
    const ok = entries.every(([, r]) => r.ok);
    return c.json({ status: ok ? "pret" : "degrade", version: VERSION, ...Object.fromEntries(entries) }, ok ? 200 : 503);
  });
  app.onError((err, c) => {
    const ref = Math.random().toString(36).slice(2, 8);
    ctx.log.error("erreur interne HTTP", { ref, path: c.req.path, error: err });
    return c.text(`Une erreur interne est survenue (référence ${ref}). Réessayez ou contactez l'équipe technique.`, 500);
  });
  return app;
}

export function listen(app: Hono, port: number, host: string): Promise<{ server: ServerType; port: number }> {
  return listenServed({ app }, port, host);
}
