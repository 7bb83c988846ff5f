// The address a request comes from, shared by the admin's login limits and HelloAsso's allow-list.
// The socket's address, unless the socket is one of the configured reverse proxies (TRUSTED_PROXY,
// formerly HELLOASSO_TRUSTED_PROXY): then the LAST entry of X-Forwarded-For (the one our proxy
// appended; earlier entries are whatever the client sent).
import type { Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Config } from "../config.ts";

export function normalizeIp(ip: string | undefined | null): string | undefined {
  if (!ip) return undefined;
  const s = ip.trim().replace(/^\[|\]$/g, "");
  return s.startsWith("::ffff:") && s.includes(".") ? s.slice(7) : s;
}

export function trustedProxies(config: Pick<Config, "TRUSTED_PROXY" | "HELLOASSO_TRUSTED_PROXY">): Set<string> {
  const raw = config.TRUSTED_PROXY ?? config.HELLOASSO_TRUSTED_PROXY ?? "";
  return new Set(raw.split(",").map((s) => normalizeIp(s)).filter((s): s is string => Boolean(s)));
}

export function clientAddress(c: Context, proxies: ReadonlySet<string>): string | undefined {
  let socket: string | undefined;
  try {
    socket = normalizeIp(getConnInfo(c).remote.address);
  } catch {
    socket = undefined;
  }
  if (socket && proxies.has(socket)) {
    const last = c.req.header("x-forwarded-for")?.split(",").map((s) => s.trim()).filter(Boolean).at(-1);
    return normalizeIp(last) ?? socket;
  }
  return socket;
}
