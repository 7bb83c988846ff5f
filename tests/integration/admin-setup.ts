// Shared setup of the admin route tests: a migrated test database with the demo CPTS, the HTTP app
// with the admin component mounted, and a tiny cookie-keeping client over `app.request()`.
import type { Hono } from "hono";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { createHttpApp } from "../../src/http/server.ts";
import { adminComponent } from "../../src/admin/index.ts";

export const TODAY = "2026-11-23";

export interface AdminTestEnv {
  t: TestDb;
  ctx: AppContext;
  app: Hono;
  cptsId: string;
}

export async function adminTestEnv(env: Record<string, string> = {}): Promise<AdminTestEnv> {
  const t = await createTestDb();
  const ctx: AppContext = { config: loadConfig({ DATABASE_URL: t.url, ...env }), db: t.db, engine: t.engine, log: silentLogger, clock: fixedClock(`${TODAY}T10:00:00+01:00`) };
  const demo = await loadDemo(t.db, TODAY);
  const app = createHttpApp(ctx);
  await adminComponent.start(ctx, app);
  return { t, ctx, app, cptsId: demo.cptsId };
}

let clients = 0;
/** A new address per client (counted, not drawn: two random ones could be equal and share a login limit). */
const nextAddress = () => (clients++, `10.0.${(clients >> 8) & 255}.${clients & 255}`);

/** A browser-like client: keeps cookies, follows nothing, reads the CSRF token of the last page. */
export class Client {
  cookies = new Map<string, string>();
  lastHtml = "";
  /** Each client comes from its own address (what @hono/node-server's getConnInfo reads). */
  constructor(
    readonly app: Hono,
    readonly ip = nextAddress(),
  ) {}

  private env() {
    return { incoming: { socket: { remoteAddress: this.ip, remotePort: 50000, remoteFamily: "IPv4" } } };
  }

  private keep(res: Response) {
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(";");
      const i = pair!.indexOf("=");
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (/max-age=0/i.test(sc) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  async get(path: string, headers: Record<string, string> = {}) {
    const res = await this.app.request(path, { headers: { cookie: this.cookieHeader(), ...headers } }, this.env());
    this.keep(res);
    if ((res.headers.get("content-type") ?? "").includes("html")) this.lastHtml = await res.clone().text();
    return res;
  }

  async post(path: string, fields: Record<string, string | string[]> | FormData, opts: { csrf?: string | null } = {}) {
    let body: URLSearchParams | FormData;
    if (fields instanceof FormData) body = fields;
    else {
      body = new URLSearchParams();
      for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    }
    const token = opts.csrf === undefined ? this.csrf() : opts.csrf;
    if (token !== null) body.append("_csrf", token);
    const res = await this.app.request(path, { method: "POST", body, headers: { cookie: this.cookieHeader() } }, this.env());
    this.keep(res);
    if ((res.headers.get("content-type") ?? "").includes("html")) this.lastHtml = await res.clone().text();
    return res;
  }

  csrf(): string {
    const m = /name="_csrf" value="([^"]+)"/.exec(this.lastHtml);
    if (!m) throw new Error("no CSRF token on the last page");
    return m[1]!;
  }

  async login(email: string, password: string) {
    await this.get("/admin/connexion");
    return this.post("/admin/connexion", { email, password });
  }
}
