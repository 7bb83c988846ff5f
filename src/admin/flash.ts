// One-shot messages carried across a redirect (POST → redirect → GET) in a short-lived cookie.
import type { Context } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";

const COOKIE = "coordo_flash";

export function flash(c: Context, kind: "ok" | "bad", text: string): void {
  setCookie(c, COOKIE, Buffer.from(JSON.stringify({ kind, text })).toString("base64url"), { httpOnly: true, sameSite: "Lax", path: "/admin", maxAge: 60 });
}

export function takeFlash(c: Context): { kind: "ok" | "bad"; text: string } | null {
  const raw = getCookie(c, COOKIE);
  if (!raw) return null;
  deleteCookie(c, COOKIE, { path: "/admin" });
  try {
    const v = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as { kind: string; text: string };
    return { kind: v.kind === "bad" ? "bad" : "ok", text: String(v.text).slice(0, 500) };
  } catch {
    return null;
  }
}

export function redirectWith(c: Context, to: string, kind: "ok" | "bad", text: string): Response {
  flash(c, kind, text);
  return c.redirect(to, 303);
}
