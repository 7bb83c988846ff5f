// POST /helloasso/<Cpts.helloassoToken>: the notification URL a CPTS pastes in its HelloAsso
// account (association accounts get no signature, so the secret URL is the credential).
// Order of checks: secret URL → source address (HELLOASSO_ALLOWED_IPS) → JSON → zod → act.
// A forged request (unknown token, address not allowed, invalid payload) writes nothing.
import type { Context, Hono } from "hono";
import { clientAddress, normalizeIp, trustedProxies } from "../http/client-address.ts";
import { bodyLimit } from "hono/body-limit";
import type { AppContext } from "../app/context.ts";
import type { Component } from "../app/components.ts";
import { zodIssuesFr } from "../app/errors.ts";
import { envelopeSchema, notificationSchema } from "./payload.ts";
import { handleNotification } from "./service.ts";
import { HelloAssoRepository } from "./repo.ts";

const MAX_BODY_BYTES = 512 * 1024;

export function parseIpList(list: string | undefined): Set<string> {
  return new Set((list ?? "").split(",").map((s) => normalizeIp(s)).filter((s): s is string => !!s));
}

/** The address the request comes from (see src/http/client-address.ts; TRUSTED_PROXY). */
export function sourceAddress(c: Context, config: AppContext["config"]): string | undefined {
  return clientAddress(c, trustedProxies(config));
}

export function mountHelloAsso(ctx: AppContext, http: Hono): void {
  const allowed = parseIpList(ctx.config.HELLOASSO_ALLOWED_IPS);
  // stops reading a body past the limit (a chunked or lying Content-Length included) instead of buffering it
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ erreur: `Notification trop volumineuse (plus de ${MAX_BODY_BYTES / 1024} Ko).` }, 413) });
  http.post("/helloasso/:token", limit, async (c) => {
    const token = c.req.param("token");
    const cpts = /^[A-Za-z0-9_-]{8,64}$/.test(token) ? await new HelloAssoRepository(ctx.db).cptsByToken(token) : null;
    if (!cpts) return c.json({ erreur: "Adresse de notification inconnue." }, 404);
    const ip = sourceAddress(c, ctx.config);
    if (allowed.size && (!ip || !allowed.has(ip))) {
      ctx.log.warn("helloasso: source address refused", { cpts: cpts.slug, ip });
      return c.json({ erreur: "Adresse d'origine non autorisée." }, 403);
    }
    const raw = await c.req.text();
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return c.json({ erreur: "Notification illisible : JSON attendu." }, 400);
    }
    const envelope = envelopeSchema.safeParse(body);
    if (!envelope.success) return c.json({ erreur: `Notification invalide — ${zodIssuesFr(envelope.error.issues)}.` }, 400);
    if (envelope.data.eventType !== "Order" && envelope.data.eventType !== "Payment") {
      return c.json({ statut: "ignoré", raison: `événement ${envelope.data.eventType} sans effet sur les cotisations` });
    }
    const parsed = notificationSchema.safeParse(body);
    if (!parsed.success) {
      ctx.log.warn("helloasso: invalid notification", { cpts: cpts.slug, issues: zodIssuesFr(parsed.error.issues) });
      return c.json({ erreur: `Notification invalide — ${zodIssuesFr(parsed.error.issues)}.` }, 400);
    }
    const results = await handleNotification(ctx, cpts.id, parsed.data);
    ctx.log.info("helloasso: notification handled", { cpts: cpts.slug, eventType: parsed.data.eventType, results });
    return c.json({ statut: "traité", paiements: results });
  });
}

export const helloAssoComponent: Component = {
  name: "helloasso",
  async start(ctx, http) {
    mountHelloAsso(ctx, http);
  },
};
