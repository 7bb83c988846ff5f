// The one HTTP server of coordo: /health, then the routes components mount (admin, Slack, HelloAsso...).
import { Hono } from "hono";
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import type { AppContext } from "../app/context.ts";
import { VERSION } from "../version.ts";

export function createHttpApp(ctx: AppContext): Hono {
  const app = new Hono();
  app.get("/health", async (c) => {
    try {
      await ctx.db.$queryRawUnsafe("SELECT 1");
      return c.json({ status: "ok", db: "ok", engine: ctx.engine, version: VERSION });
    } catch (e) {
      ctx.log.error("health check failed", { error: e });
      return c.json({ status: "degraded", db: "injoignable", engine: ctx.engine, version: VERSION }, 503);
    }
  });
  app.onError((err, c) => {
    const ref = Math.random().toString(36).slice(2, 8);
    ctx.log.error("http handler failed", { ref, path: c.req.path, error: err });
    return c.text(`Une erreur interne est survenue (référence ${ref}). Réessayez ou contactez l'équipe technique.`, 500);
  });
  return app;
}

export function listen(app: Hono, port: number, host: string): Promise<{ server: ServerType; port: number }> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname: host }, (info: AddressInfo) => resolve({ server, port: info.port }));
    server.once("error", reject);
  });
}
