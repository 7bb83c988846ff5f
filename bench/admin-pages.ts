// Admin page times at the bench's scale: every list and page of the web admin, as a logged-in
// coordinator asks for it through the real HTTP app (session, CSRF, layout, rendering), for
//  - the biggest CPTS of the national data set (100,000 members over 800 CPTS), and
//  - one national-scale CPTS holding all 100,000 members (the worst case of every list), with a
//    year of activity at that scale: a newsletter to everyone in the outbox, the journal, HelloAsso
//    payments to check, meetings, votes, crises and newsletters.
// Reported as p50/p95 per page (ms); target p95 < 200 ms.
//
//   node --import tsx bench/admin-pages.ts [--quick]   measures alone (builds both data sets)
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hono } from "hono";
import { createDb, engineOf, type Db } from "../src/db/client.ts";
import { loadConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import { systemClock, type AppContext } from "../src/app/context.ts";
import { createHttpApp } from "../src/http/server.ts";
import { adminComponent } from "../src/admin/index.ts";
import { BENCH_ADMIN_PASSWORD, createDataset, insertRows, benchToday, type BenchCpts } from "./dataset.ts";
import { percentile } from "./proc.ts";

export interface PageLatency {
  n: number;
  p50: number;
  p95: number;
  max: number;
  /** CPU time of the process per request (ms; SQLite runs in it): what the machine's load does not inflate. */
  cpu_p50: number;
  cpu_p95: number;
  /** Size of the HTML (kB), to see a page that grows with the data. */
  kb: number;
  errors: number;
}

export interface AdminPagesResult {
  target_p95_ms: number;
  samples: number;
  /** scenario → page → latency */
  scenarios: Record<string, { cpts_members: number; build_s?: number; pages: Record<string, PageLatency> }>;
  worst_p95_ms: number;
  worst_page: string;
}

/** The pages a coordinator uses every day: each list plain, searched, filtered, sorted, and far in. */
function pagesOf(memberId: string, lastPage: number): Record<string, string> {
  return {
    tableau_de_bord: "/admin",
    adherents: "/admin/adherents",
    adherents_recherche: "/admin/adherents?q=mart",
    adherents_non_payes: "/admin/adherents?cotisation=non_paye",
    adherents_tri_cotisation: "/admin/adherents?tri=cotisation&sens=desc",
    adherents_derniere_page: `/admin/adherents?page=${lastPage}`,
    adherent_fiche: `/admin/adherents/${memberId}`,
    paiements_a_verifier: "/admin/paiements-a-verifier",
    envois: "/admin/envois",
    envois_echecs: "/admin/envois?etat=ECHEC",
    journal: "/admin/journal",
    journal_filtre: "/admin/journal?auteur=tresorier",
    reunions: "/admin/reunions",
    votes: "/admin/votes",
    crises: "/admin/crises",
    newsletters: "/admin/newsletters",
    echeances: "/admin/echeances",
    financement: "/admin/financement",
    cpts: "/admin/cpts",
    plan_de_crise: "/admin/plan-de-crise",
    plan_de_crise_suggestions: "/admin/plan-de-crise/adherents?q=mart",
    reunions_page_2: "/admin/reunions?page=2",
    newsletters_page_2: "/admin/newsletters?page=2",
    crises_page_2: "/admin/crises?page=2",
  };
}

class Browser {
  cookies = new Map<string, string>();
  constructor(private readonly app: Hono) {}
  async get(path: string): Promise<Response> {
    const res = await this.app.request(path, { headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } }, { incoming: { socket: { remoteAddress: "10.9.9.9", remotePort: 50000, remoteFamily: "IPv4" } } });
    for (const sc of res.headers.getSetCookie()) {
      const pair = sc.split(";")[0]!;
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }
  async login(email: string): Promise<void> {
    const html = await (await this.get("/admin/connexion")).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const body = new URLSearchParams({ email, password: BENCH_ADMIN_PASSWORD, _csrf: csrf });
    const res = await this.app.request("/admin/connexion", { method: "POST", body, headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") } }, { incoming: { socket: { remoteAddress: "10.9.9.9", remotePort: 50000, remoteFamily: "IPv4" } } });
    for (const sc of res.headers.getSetCookie()) {
      const pair = sc.split(";")[0]!;
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    if (res.status !== 303) throw new Error(`connexion du coordonnateur refusée (${res.status})`);
  }
}

export async function measureCpts(url: string, cpts: BenchCpts, samples: number): Promise<Record<string, PageLatency>> {
  const db = createDb(url);
  const ctx: AppContext = { config: loadConfig({ DATABASE_URL: url }), db, engine: engineOf(url), log: silentLogger, clock: systemClock };
  const http = createHttpApp(ctx);
  await adminComponent.start(ctx, http);
  try {
    const admin = await db.adminUser.findFirstOrThrow({ where: { cptsId: cpts.id, role: "COORDONNATEUR" }, select: { email: true } });
    const browser = new Browser(http);
    await browser.login(admin.email);
    const member = await db.member.findFirstOrThrow({ where: { cptsId: cpts.id, roles: { some: { role: "ADHERENT" } } }, select: { id: true } });
    const pages = pagesOf(member.id, Math.ceil(cpts.members / 50));
    const out: Record<string, PageLatency> = {};
    const only = process.env.BENCH_ADMIN_PAGES?.split(","); // development: measure only these pages
    for (const [name, path] of Object.entries(pages)) {
      if (only && !only.includes(name)) continue;
      let errors = 0;
      let bytes = 0;
      const times: number[] = [];
      const cpu: number[] = [];
      for (let i = 0; i < samples + 2; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const res = await browser.get(path);
        const body = await res.text();
        const ms = performance.now() - t0;
        const c1 = process.cpuUsage(c0);
        if (i >= 2) cpu.push((c1.user + c1.system) / 1000);
        if (res.status !== 200) errors++;
        bytes = body.length;
        if (i >= 2) times.push(ms); // two warm-up requests (query plans, JIT)
      }
      times.sort((a, b) => a - b);
      cpu.sort((a, b) => a - b);
      if (process.env.BENCH_VERBOSE) process.stderr.write(`${name} ${times.map((t) => t.toFixed(0)).join(" ")}\n`);
      out[name] = { n: times.length, p50: +percentile(times, 50).toFixed(1), p95: +percentile(times, 95).toFixed(1), max: +times.at(-1)!.toFixed(1), cpu_p50: +percentile(cpu, 50).toFixed(1), cpu_p95: +percentile(cpu, 95).toFixed(1), kb: Math.round(bytes / 1024), errors };
    }
    return out;
  } finally {
    await db.$disconnect();
  }
}

/** A year of activity at national scale in one CPTS: what makes its lists long. */
async function addActivity(db: Db, url: string, cpts: BenchCpts, today: string): Promise<void> {
  const engine = engineOf(url);
  const members = await db.member.findMany({ where: { cptsId: cpts.id }, select: { id: true, email: true }, orderBy: { id: "asc" } });
  const at = new Date(`${today}T08:00:00Z`);
  const iso = (d: Date) => d.toISOString();
  await db.$transaction(async (tx) => {
    const states = ["ENVOYE", "ENVOYE", "ENVOYE", "ENVOYE", "ENVOYE", "ENVOYE", "ENVOYE", "EN_ATTENTE", "ECHEC", "ANNULE"];
    await insertRows(tx, engine, "OutboxMessage", members.map((m, i) => ({
      id: `bo${i.toString(36).padStart(9, "0")}`, cptsId: cpts.id, idempotencyKey: `bench-newsletter-${i}`, channel: "MAIL", kind: "newsletter", recipient: m.email ?? `x${i}@exemple.fr`,
      memberId: m.id, subject: "Lettre d'information de novembre", bodyText: "Bonjour,\n\nles nouvelles de la CPTS.", state: states[i % states.length]!, attempts: 1,
      nextAttemptAt: iso(at), lastError: i % 10 === 8 ? "550 5.1.1 boîte inconnue" : null, createdAt: iso(new Date(at.getTime() - i * 1000)),
    })));
    await insertRows(tx, engine, "AuditLog", Array.from({ length: 50_000 }, (_, i) => ({
      id: `ba${i.toString(36).padStart(9, "0")}`, cptsId: cpts.id, actor: i % 3 ? "admin:tresorier@exemple.fr" : "job:dues-reminders", action: i % 2 ? "cotisation.enregistree" : "dues.reminders",
      target: members[i % members.length]!.id, at: iso(new Date(at.getTime() - i * 600_000)),
    })));
    await insertRows(tx, engine, "PendingPayment", Array.from({ length: 2_000 }, (_, i) => ({
      id: `bp${i.toString(36).padStart(9, "0")}`, cptsId: cpts.id, source: "HELLOASSO", externalId: `ha-${i}`, payerName: `Payeur ${i}`, payerEmail: `payeur${i}@exemple.fr`,
      amountCents: 3000, paidOn: today, reason: "payeur inconnu", resolvedAt: i % 4 ? iso(at) : null, createdAt: iso(new Date(at.getTime() - i * 60_000)),
    })));
    await insertRows(tx, engine, "Meeting", Array.from({ length: 600 }, (_, i) => ({
      id: `bm${i.toString(36).padStart(9, "0")}`, cptsId: cpts.id, title: `Réunion de mission ${i}`, mission: "fir", heldOn: today, durationMin: 120, closedAt: i % 2 ? iso(at) : null, createdAt: iso(new Date(at.getTime() - i * 86_400_000)),
    })));
    await insertRows(tx, engine, "Newsletter", Array.from({ length: 300 }, (_, i) => ({
      id: `bn${i.toString(36).padStart(9, "0")}`, cptsId: cpts.id, subject: `Lettre n° ${i}`, body: "Bonjour", template: "newsletter", audience: "ADHERENTS", professions: "",
      state: "ENVOYEE", sentAt: iso(at), recipientCount: members.length, createdAt: iso(new Date(at.getTime() - i * 86_400_000)), updatedAt: iso(at),
    })));
    // An open vote among every member (its turnout is counted on the votes page), 3,000 ballots cast.
    const vote = await tx.vote.create({
      data: {
        cptsId: cpts.id, question: "Approuvez-vous les comptes de l'exercice ?", options: ["Pour", "Contre", "Abstention"], state: "OUVERT",
        opensAt: new Date(at.getTime() - 14 * 86_400_000), closesAt: new Date(at.getTime() + 7 * 86_400_000),
        eligibilityCutoff: new Date(at.getTime() - 16 * 86_400_000).toISOString().slice(0, 10),
      },
      select: { id: true },
    });
    const voters = members.slice(0, 3_000);
    await insertRows(tx, engine, "VoteParticipation", voters.map((m, i) => ({ id: `bvp${i.toString(36).padStart(8, "0")}`, voteId: vote.id, memberId: m.id, college: "deliberatif", at: iso(at) })));
    await insertRows(tx, engine, "VoteBallot", voters.map((_, i) => ({ id: `bvb${i.toString(36).padStart(8, "0")}`, voteId: vote.id, choice: ["Pour", "Contre", "Abstention"][i % 3]!, college: "deliberatif" })));
  }, { timeout: 600_000, maxWait: 60_000 });
}

/** A second, empty database beside `url` for the one-CPTS data set. */
async function siblingUrl(url: string): Promise<string> {
  if (engineOf(url) === "sqlite") return `file:${join(mkdtempSync(join(tmpdir(), "coordo-bench-admin-")), "bench.db")}`;
  const db = createDb(url);
  const name = `coordo_bench_admin_${Date.now()}`;
  try {
    await db.$executeRawUnsafe(`CREATE DATABASE ${name}`);
  } finally {
    await db.$disconnect();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function measureAdminPages(url: string, cpts: BenchCpts[], today: string, opts: { members: number; samples: number }): Promise<AdminPagesResult> {
  const biggest = [...cpts].sort((a, b) => b.members - a.members)[0]!;
  const scenarios: AdminPagesResult["scenarios"] = {};
  scenarios.plus_grande_cpts = { cpts_members: biggest.members, pages: await measureCpts(url, biggest, opts.samples) };
  const soloUrl = await siblingUrl(url);
  const t0 = performance.now();
  const solo = await createDataset(soloUrl, { cpts: 1, members: opts.members, years: 5, seed: 20261201, today });
  const one = solo.cpts[0]!;
  const db = createDb(soloUrl);
  try {
    await addActivity(db, soloUrl, one, today);
  } finally {
    await db.$disconnect();
  }
  const build_s = +((performance.now() - t0) / 1000).toFixed(1);
  scenarios.cpts_nationale = { cpts_members: one.members, build_s, pages: await measureCpts(soloUrl, one, opts.samples) };
  let worst = { p95: 0, page: "" };
  for (const [s, r] of Object.entries(scenarios)) for (const [p, l] of Object.entries(r.pages)) if (l.p95 > worst.p95) worst = { p95: l.p95, page: `${s}.${p}` };
  return { target_p95_ms: 200, samples: opts.samples, scenarios, worst_p95_ms: worst.p95, worst_page: worst.page };
}

/** Lines for the bench's table: one per page, the two scenarios side by side. */
export function adminPagesLines(r: AdminPagesResult): string[] {
  const [a, b] = [r.scenarios.plus_grande_cpts!, r.scenarios.cpts_nationale!];
  const lines = [
    `| page d'admin / admin page (ms) | plus grande CPTS (${a.cpts_members}) p50 / p95 (CPU p95) | CPTS nationale (${b.cpts_members}) p50 / p95 (CPU p95) | cible p95 | |`,
    "|---|---|---|---|---|",
  ];
  for (const page of Object.keys(a.pages)) {
    const x = a.pages[page]!;
    const y = b.pages[page]!;
    const ok = x.p95 < r.target_p95_ms && y.p95 < r.target_p95_ms && !x.errors && !y.errors;
    lines.push(`| ${page} | ${x.p50} / ${x.p95} (${x.cpu_p95}) | ${y.p50} / ${y.p95} (${y.cpu_p95})${y.errors ? ` (${y.errors} erreurs)` : ""} | < ${r.target_p95_ms} | ${ok ? "OK" : "MANQUÉ / MISSED"} |`);
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  const only = process.argv.includes("--solo");
  const today = benchToday();
  const url = process.env.DATABASE_URL?.startsWith("postgres") ? process.env.DATABASE_URL : `file:${join(mkdtempSync(join(tmpdir(), "coordo-bench-")), "bench.db")}`;
  const members = quick ? 10_000 : 100_000;
  let result: AdminPagesResult;
  if (only) {
    // the one-CPTS case alone (development): the national set is skipped
    const soloUrl = await siblingUrl(url);
    const solo = await createDataset(soloUrl, { cpts: 1, members, years: 5, seed: 20261201, today });
    process.stderr.write(`jeu construit en ${solo.summary.buildSeconds} s\n`);
    const db = createDb(soloUrl);
    await addActivity(db, soloUrl, solo.cpts[0]!, today);
    process.stderr.write(`activité ajoutée\n`);
    await db.$disconnect();
    const pages = await measureCpts(soloUrl, solo.cpts[0]!, quick ? 5 : 20);
    console.log(JSON.stringify(pages, null, 1));
    process.exit(0);
  }
  const { cpts } = await createDataset(url, { cpts: quick ? 80 : 800, members, years: 5, seed: 20261123, today });
  result = await measureAdminPages(url, cpts, today, { members, samples: quick ? 5 : 20 });
  for (const l of adminPagesLines(result)) console.log(l);
  console.log(JSON.stringify(result));
}
