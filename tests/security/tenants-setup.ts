// Two CPTS side by side in one database (the federation case): each with a coordinator admin, a bureau
// admin, members with recognisable names, and a console chat workspace. Used by the security tests.
import { loadConfig, type Config } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { hashPassword } from "../../src/app/password.ts";
import { silentLogger, type Logger } from "../../src/log.ts";
import type { TestDb } from "../helpers/db.ts";

export const PASSWORD = "mot-de-passe-solide-2026";

export interface Tenant {
  id: string;
  slug: string;
  icalToken: string;
  coordinatorEmail: string;
  bureauEmail: string;
  coordinatorMemberId: string;
  memberIds: string[];
  /** A string that appears only in this tenant's data (member last names). */
  marker: string;
  workspaceExternalId: string;
}

let hash: Promise<string> | undefined;

export async function seedTenant(db: TestDb["db"], slug: string, marker: string, insee: string): Promise<Tenant> {
  const passwordHash = await (hash ??= hashPassword(PASSWORD));
  const cpts = await db.cpts.create({
    data: {
      slug,
      name: `CPTS ${marker}`,
      population: 50_000,
      stage: "ACI_SIGNE",
      communes: { create: [{ inseeCode: insee, name: `Commune ${marker}` }] },
      reminderPolicy: { create: {} },
      duesRates: { create: [{ year: 2026, category: "PROFESSIONNEL", amountCents: 3000 }] },
      workspaces: { create: { platform: "CONSOLE", externalId: `console-${slug}`, name: `Console ${slug}` } },
    },
  });
  const coordinatorEmail = `coordination@${slug}.fr`;
  const bureauEmail = `bureau@${slug}.fr`;
  const coordinator = await db.member.create({
    data: { cptsId: cpts.id, firstName: "Coord", lastName: `${marker}Coord`, email: coordinatorEmail, roles: { create: [{ role: "COORDONNATEUR" }] } },
  });
  const memberIds: string[] = [];
  for (let i = 0; i < 5; i++) {
    const m = await db.member.create({
      data: {
        cptsId: cpts.id, firstName: `Prenom${i}`, lastName: `${marker}${i}`, email: `adherent${i}@${slug}.fr`, profession: "infirmier",
        joinedOn: "2024-01-01", roles: { create: [{ role: "ADHERENT" }] },
      },
    });
    memberIds.push(m.id);
  }
  await db.adminUser.create({ data: { cptsId: cpts.id, email: coordinatorEmail, passwordHash, role: "COORDONNATEUR", memberId: coordinator.id } });
  await db.adminUser.create({ data: { cptsId: cpts.id, email: bureauEmail, passwordHash, role: "BUREAU" } });
  const ws = await db.chatWorkspace.findFirstOrThrow({ where: { cptsId: cpts.id } });
  await db.chatIdentity.create({ data: { workspaceId: ws.id, userId: "coord", memberId: coordinator.id } });
  await db.chatIdentity.create({ data: { workspaceId: ws.id, userId: "adherent0", memberId: memberIds[0] } });
  return {
    id: cpts.id, slug, icalToken: cpts.icalToken, coordinatorEmail, bureauEmail, coordinatorMemberId: coordinator.id, memberIds, marker,
    workspaceExternalId: `console-${slug}`,
  };
}

export function securityConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ PUBLIC_URL: "https://coordo.exemple.fr", ...overrides });
}

export function securityContext(t: TestDb, log: Logger = silentLogger, config: Config = securityConfig()): AppContext {
  return { config, db: t.db, engine: t.engine, log, clock: fixedClock("2026-03-20") };
}

export type Requester = (path: string, init?: RequestInit, env?: object) => Response | Promise<Response>;

let nextIp = 10;

/** A minimal cookie jar over a Hono app's `request`, from its own client IP address. */
export class Browser {
  private cookies = new Map<string, string>();
  readonly ip: string;
  constructor(private readonly request: Requester, ip?: string) {
    this.ip = ip ?? `192.0.2.${nextIp++}`;
  }

  async go(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    // the node-server bindings the app reads the client address from
    const res = await this.request(path, { ...init, headers, redirect: "manual" }, { incoming: { socket: { remoteAddress: this.ip, remoteFamily: "IPv4" } } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair!.indexOf("=");
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (value === "" || /max-age=0/i.test(c)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  post(path: string, form: Record<string, string>): Promise<Response> {
    return this.go(path, { method: "POST", body: new URLSearchParams(form), headers: { "content-type": "application/x-www-form-urlencoded" } });
  }

  /** Logs in through the real login form (its CSRF cookie and field included). */
  async login(email: string, password = PASSWORD): Promise<Response> {
    const page = await this.go("/admin/connexion");
    const token = csrfOf(await page.text());
    return this.post("/admin/connexion", { _csrf: token, email, password });
  }
}

export function csrfOf(html: string): string {
  const m = /name="_csrf"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="_csrf"/.exec(html);
  if (!m) throw new Error("pas de champ _csrf dans la page");
  return (m[1] ?? m[2])!;
}
