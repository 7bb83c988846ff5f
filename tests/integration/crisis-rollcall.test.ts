// A crisis exercise with the demo CPTS's 150 professionals, as a coordinator runs it: activation in
// the console chat (with a reminder delay), answers by chat and by the one-click links of the alert
// mail (real HTTP requests to the running app), then the named roll-call — available, unavailable,
// not answered — by profession and commune, in the chat (paged) and in the admin (page, CSV, print
// view); the reminder goes once to those who have not answered; funding is untouched by an exercise.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import type { ServerType } from "@hono/node-server";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadDemo, DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { loadConfig } from "../../src/config.ts";
import type { AppContext, Clock } from "../../src/app/context.ts";
import { fixedClock } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { ConsoleChat, type ConsoleSession } from "../../src/chat/console/adapter.ts";
import { renderText } from "../../src/chat/console/render.ts";
import { createHttpApp, listen } from "../../src/http/server.ts";
import { adminComponent } from "../../src/admin/index.ts";
import { outboxComponent } from "../../src/app/mail-components.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { crisisRemindersJob } from "../../jobs/crisis-reminders.ts";
import { professionLabel } from "../../src/rules/professions.ts";
import { loadRulesInputs } from "../../src/db/repos/cpts-rules-repo.ts";
import { entitlementForYear } from "../../src/rules/funding.ts";
import type { Reply } from "../../commands/types.ts";
import { Client } from "./admin-setup.ts";
import { mailComposer } from "../../src/mail/composer.ts";

const START = "2026-11-23T10:00:00+01:00";
let now = new Date(START);
const clock: Clock = { now: () => new Date(now), today: () => fixedClock(now).today() };

let t: TestDb;
let ctx: AppContext;
let cptsId: string;
let chat: ConsoleChat;
let base: string;
let server: ServerType;
let stopOutbox: (() => Promise<void>) | undefined;
let activationId: string;
type Pro = { id: string; firstName: string | null; lastName: string | null; email: string | null; phone: string | null; profession: string | null; communeInsee: string | null; status: string };
let pros: Pro[];
let communes: Map<string, string>;
const byChat: { pro: Pro; available: boolean }[] = [];
const byMail: { pro: Pro; available: boolean }[] = [];

const name = (p: Pro) => `${p.firstName} ${p.lastName}`;
const say = async (email: string, line: string) => chat.command(await chat.session("demo", email), line);

/** Every crisis variable part of the funding, all contract years. */
async function crisisFundingCents(): Promise<number> {
  const inputs = (await loadRulesInputs(t.db, cptsId))!;
  let total = 0;
  for (let y = 1; y <= 5; y++) total += entitlementForYear(inputs.funding!, y, inputs.settings).lignes.filter((l) => l.mission === "crise" && l.part === "variable").reduce((s, l) => s + l.montant_cents, 0);
  return total;
}

function rows(html: string, id: string): string[][] {
  const table = new RegExp(`<table[^>]*id="${id}"[^>]*>([\\s\\S]*?)</table>`).exec(html);
  if (!table) return [];
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(table[1]!)![1]!;
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((r) =>
    [...r[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, "").replace(/&#39;/g, "'").replace(/&amp;/g, "&").trim()),
  );
}

async function admin(): Promise<Client> {
  const c = new Client(createAppForAdmin());
  expect((await c.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
  return c;
}
let adminApp: ReturnType<typeof createHttpApp>;
const createAppForAdmin = () => adminApp;

beforeAll(async () => {
  t = await createTestDb();
  cptsId = (await loadDemo(t.db, "2026-11-23")).cptsId;
  ctx = { config: loadConfig({ DATABASE_URL: t.url, PUBLIC_URL: "http://127.0.0.1:1" }), db: t.db, engine: t.engine, log: silentLogger, clock };
  chat = new ConsoleChat(ctx);
  adminApp = createHttpApp(ctx);
  await adminComponent.start(ctx, adminApp);
  const out = await outboxComponent.start(ctx, adminApp);
  stopOutbox = out?.stop ? () => Promise.resolve(out.stop!()) : undefined;
  const l = await listen(adminApp, 0, "127.0.0.1");
  server = l.server;
  base = `http://127.0.0.1:${l.port}`;
  pros = (await t.db.member.findMany({ where: { cptsId, kind: "PHYSIQUE", status: "ACTIF" }, orderBy: { id: "asc" } })) as Pro[];
  communes = new Map((await t.db.commune.findMany({ where: { cptsId } })).map((c) => [c.inseeCode, c.name]));
}, 60_000);
afterAll(async () => {
  await stopOutbox?.();
  await new Promise((r) => server?.close(r));
  await t?.cleanup();
});

describe(`appel nominatif d'un exercice de crise, 150 professionnels (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("la coordination active un exercice depuis le chat avec un rappel à 30 minutes ; le financement ne bouge pas", async () => {
    const before = await crisisFundingCents();
    expect(pros.length).toBeGreaterThanOrEqual(140);
    const r = await say(DEMO_COORDINATOR_EMAIL, "/plan-crise activer blesses Exercice annuel : afflux simulé aux urgences exercice=oui rappel=30");
    expect(renderText(r)).toContain("EXERCICE");
    const a = await t.db.crisisActivation.findFirstOrThrow({ where: { cptsId, closedOn: null } });
    activationId = a.id;
    expect(a).toMatchObject({ exercise: true, reminderAfterMinutes: 30, description: "Exercice annuel : afflux simulé aux urgences" });
    const messages = await t.db.outboxMessage.findMany({ where: { refType: "crise", refId: a.id } });
    expect(messages.length).toBeGreaterThan(140);
    for (const m of messages) {
      expect(m.bodyText, m.recipient).toContain("EXERCICE");
      if (m.channel === "MAIL") {
        expect(m.subject).toContain("EXERCICE");
        expect(m.bodyHtml).toContain("EXERCICE");
      }
    }
    expect(await crisisFundingCents()).toBe(before);
  });

  it("des professionnels répondent dans le chat, d'autres par les liens du mail, depuis un téléphone sans connexion", async () => {
    const answering = pros.filter((p) => p.email !== DEMO_COORDINATOR_EMAIL).slice(0, 40);
    for (const [i, p] of answering.slice(0, 20).entries()) {
      const available = i % 4 !== 3;
      const reply = await say(p.email!, `/plan-crise ${available ? "disponible" : "indisponible"}`);
      expect(reply.text).toContain(available ? "disponible" : "indisponible");
      byChat.push({ pro: p, available });
    }
    for (const [i, p] of answering.slice(20).entries()) {
      const available = i % 3 !== 0;
      const mail = await t.db.outboxMessage.findFirstOrThrow({ where: { refId: activationId, channel: "MAIL", memberId: p.id } });
      const links = [...mail.bodyText.matchAll(/https?:\/\/\S+\/crise\/reponse\/([A-Za-z0-9_-]{22,})\?dispo=(oui|non)/g)];
      expect(links.map((l) => l[2])).toEqual(["oui", "non"]);
      expect(links[0]![1]).toBe(links[1]![1]);
      expect(mail.bodyHtml).toContain("Je suis disponible");
      expect(mail.bodyHtml).toContain("Je ne suis pas disponible");
      const path = `/crise/reponse/${links[0]![1]}?dispo=${available ? "oui" : "non"}`;
      // A mail scanner or the phone opens the link: a confirmation page, nothing recorded yet.
      const page = await fetch(base + path, { headers: { "user-agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)" } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("EXERCICE");
      expect(html).toContain(available ? "Je suis disponible" : "Je ne suis pas disponible");
      expect(await t.db.crisisRollCall.count({ where: { activationId, memberId: p.id } })).toBe(0);
      const post = await fetch(base + path, { method: "POST" });
      expect(post.status).toBe(200);
      expect(await post.text()).toContain("Merci");
      // Pressed twice: same answer, one row.
      expect((await fetch(base + path, { method: "POST" })).status).toBe(200);
      byMail.push({ pro: p, available });
    }
    const rc = await t.db.crisisRollCall.findMany({ where: { activationId } });
    expect(rc).toHaveLength(40);
    expect(rc.filter((r) => r.via === "mail")).toHaveLength(20);
    expect(rc.filter((r) => r.via === "chat")).toHaveLength(20);
    // A member archived since the alert gets a French page, not an error, and nothing is recorded.
    const gone = answering[0]!;
    const goneMail = await t.db.outboxMessage.findFirstOrThrow({ where: { refId: activationId, channel: "MAIL", memberId: gone.id } });
    const goneLink = /\/crise\/reponse\/[A-Za-z0-9_-]+/.exec(goneMail.bodyText)![0];
    await t.db.member.update({ where: { id: gone.id }, data: { status: "ARCHIVE" } });
    const refused = await fetch(`${base}${goneLink}?dispo=non`, { method: "POST" });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("Seuls les professionnels de la CPTS");
    await t.db.member.update({ where: { id: gone.id }, data: { status: "ACTIF" } });
    // A forged or unknown token changes nothing.
    expect((await fetch(`${base}/crise/reponse/${"A".repeat(43)}?dispo=oui`, { method: "POST" })).status).toBe(404);
    expect(await t.db.crisisRollCall.count({ where: { activationId } })).toBe(40);
  }, 180_000); // 60 real HTTP requests: ~10 s alone, more on a loaded CI machine

  it("/plan-crise appel nomme disponibles, indisponibles et sans réponse, par profession et commune, page par page", async () => {
    const all = [...byChat, ...byMail];
    const r = await say(DEMO_COORDINATOR_EMAIL, "/plan-crise appel");
    const text = renderText(r);
    expect(text).toContain("EXERCICE");
    const available = all.filter((x) => x.available).length;
    expect(text).toContain(`${available} disponible(s), ${all.length - available} indisponible(s)`);
    const audience = pros.length + (await t.db.member.count({ where: { cptsId, OR: [{ kind: "MORALE", status: "ACTIF" }, { status: "NON_ADHERENT", prefAlerts: true }] } }));
    expect(text).toContain(`${audience - all.length} sans réponse`);
    const first = all.filter((x) => x.available).map((x) => x.pro).find((p) => text.includes(`${name(p)} — ${professionLabel(p.profession!)} — ${communes.get(p.communeInsee!)}`));
    expect(first).toBeDefined();
    expect(r.buttons?.some((b) => b.label === "Page suivante")).toBe(true);
    // Every name is reachable by paging.
    const seen: string[] = [text];
    let replies: Reply[] = [r];
    const s: ConsoleSession = await chat.session("demo", DEMO_COORDINATOR_EMAIL);
    for (let i = 0; i < 20 && replies.at(-1)!.buttons?.some((b) => b.label === "Page suivante"); i++) {
      const next = await chat.click(s, replies, "Page suivante");
      replies = [...replies, next];
      seen.push(renderText(next));
    }
    const joined = seen.join("\n");
    for (const p of pros) if (p.email !== DEMO_COORDINATOR_EMAIL) expect(joined, name(p)).toContain(name(p));

    // Filtered by profession and commune.
    const target = byMail.find((x) => x.pro.profession && x.pro.communeInsee)!.pro;
    const filtered = renderText(await say(DEMO_COORDINATOR_EMAIL, `/plan-crise appel profession=${target.profession} commune="${communes.get(target.communeInsee!)}"`));
    expect(filtered).toContain(name(target));
    if (target.phone) expect(filtered).toContain(target.phone);
    const others = pros.filter((p) => p.profession !== target.profession || p.communeInsee !== target.communeInsee);
    for (const p of others) expect(filtered).not.toContain(`${name(p)} — ${p.profession ? professionLabel(p.profession) : "profession non renseignée"} — ${p.communeInsee ? communes.get(p.communeInsee) : "commune non renseignée"}`);
    const noAnswer = pros.find((p) => p.profession === target.profession && p.communeInsee === target.communeInsee && !all.some((x) => x.pro.id === p.id));
    if (noAnswer) expect(filtered).toMatch(new RegExp(`Sans réponse[\\s\\S]*${name(noAnswer)}`));
    // A plain member cannot read the roll-call.
    expect((await say(pros.find((p) => p.email !== DEMO_COORDINATOR_EMAIL && !p.email!.startsWith("presidence") && !p.email!.startsWith("tresorerie") && !p.email!.startsWith("secretariat") && !p.email!.startsWith("vice"))!.email!, "/plan-crise appel")).text).toContain("réservé");
  });

  it("l'admin « Crises » nomme chacun, filtre, se rafraîchit, exporte en CSV et s'imprime", async () => {
    const c = await admin();
    const all = [...byChat, ...byMail];
    const list = await (await c.get("/admin/crises")).text();
    expect(rows(list, "crises")[0]![0]).toContain("EXERCICE");
    const res = await c.get(`/admin/crises/${activationId}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<meta http-equiv="refresh" content="\d+"/);
    const dispo = rows(html, "disponibles");
    const indispo = rows(html, "indisponibles");
    const sans = rows(html, "sans-reponse");
    expect(dispo).toHaveLength(all.filter((x) => x.available).length);
    expect(indispo).toHaveLength(all.filter((x) => !x.available).length);
    expect(sans.length).toBeGreaterThan(100);
    const m = byMail[0]!;
    const row = (m.available ? dispo : indispo).find((r) => r[0] === name(m.pro))!;
    expect(row.slice(1, 4)).toEqual([professionLabel(m.pro.profession!), communes.get(m.pro.communeInsee!)!, m.pro.phone ?? "—"]);
    expect(row[4]).toMatch(/\d{2}:\d{2}/);
    expect(row[5]).toBe("lien du mail");
    const silent = pros.find((p) => p.email !== DEMO_COORDINATOR_EMAIL && !all.some((x) => x.pro.id === p.id))!;
    expect(sans.some((r) => r[0] === name(silent))).toBe(true);

    const target = byChat[0]!.pro;
    const filtered = await (await c.get(`/admin/crises/${activationId}?profession=${target.profession}&commune=${target.communeInsee}`)).text();
    for (const id of ["disponibles", "indisponibles", "sans-reponse"]) {
      for (const r of rows(filtered, id)) expect(r.slice(1, 3)).toEqual([professionLabel(target.profession!), communes.get(target.communeInsee!)]);
    }

    const csvRes = await c.get(`/admin/crises/${activationId}/appel.csv`);
    expect(csvRes.headers.get("content-type")).toContain("text/csv");
    const csv = await csvRes.text();
    const lines = csv.trim().split(/\r\n/);
    expect(lines[0]).toContain("Réponse");
    expect(lines.length - 1).toBe(dispo.length + indispo.length + sans.length);
    expect(csv).toContain(name(silent));
    expect(csv).toContain("sans réponse");

    const print = await c.get(`/admin/crises/${activationId}/impression`);
    expect(print.status).toBe(200);
    const printed = await print.text();
    expect(printed).toContain("EXERCICE");
    expect(printed).toContain(name(m.pro));
    expect(printed).not.toContain('class="nav');
  });

  it("le rappel part une seule fois, après le délai, vers ceux qui n'ont pas répondu", async () => {
    const scheduler = new Scheduler(ctx, [crisisRemindersJob]);
    const answered = new Set([...byChat, ...byMail].map((x) => x.pro.id));
    const early = await scheduler.runSlot(crisisRemindersJob, new Date(new Date(START).getTime() + 10 * 60_000));
    expect(early.status).toBe("termine");
    expect(await t.db.outboxMessage.count({ where: { refId: activationId, kind: "crise_rappel" } })).toBe(0);
    const due = await scheduler.runSlot(crisisRemindersJob, new Date(new Date(START).getTime() + 31 * 60_000));
    expect(due.status).toBe("termine");
    const reminders = await t.db.outboxMessage.findMany({ where: { refId: activationId, kind: "crise_rappel", channel: "MAIL" } });
    expect(reminders.length).toBeGreaterThan(90);
    expect(reminders.some((r) => answered.has(r.memberId!))).toBe(false);
    for (const r of reminders.slice(0, 5)) {
      expect(r.subject).toContain("EXERCICE");
      expect(r.bodyText).toMatch(/\/crise\/reponse\/[A-Za-z0-9_-]{22,}\?dispo=oui/);
    }
    const a = await t.db.crisisActivation.findUniqueOrThrow({ where: { id: activationId } });
    expect(a.reminderSentAt).not.toBeNull();
    const again = await scheduler.runSlot(crisisRemindersJob, new Date(new Date(START).getTime() + 40 * 60_000));
    expect(again.status).toBe("termine");
    expect(await t.db.outboxMessage.count({ where: { refId: activationId, kind: "crise_rappel" } })).toBe(reminders.length + (await t.db.outboxMessage.count({ where: { refId: activationId, kind: "crise_rappel", channel: "CHAT" } })));
    const run = await t.db.jobRun.findMany({ where: { jobId: crisisRemindersJob.id }, orderBy: { startedAt: "asc" } });
    expect(run).toHaveLength(3);
  });

  it("le mail d'alerte répond à la coordination (Reply-To) et ne part jamais deux fois", async () => {
    const mails = await t.db.outboxMessage.findMany({ where: { refId: activationId, kind: "crise", channel: "MAIL" } });
    const cpts = await t.db.cpts.findUniqueOrThrow({ where: { id: cptsId } });
    expect(cpts.contactEmail).toBeTruthy();
    // The sender composes every mail with the CPTS's identity: Reply-To its coordination.
    const composed = await mailComposer(ctx)(mails[0] as never);
    expect(composed.replyTo).toBe(cpts.contactEmail);
    expect(composed.headers?.["Auto-Submitted"]).toBe("auto-generated");
    await t.db.cpts.update({ where: { id: cptsId }, data: { mailReplyTo: "cellule-crise@cpts-demo.fr" } });
    expect((await mailComposer(ctx)(mails[1] as never)).replyTo).toBe("cellule-crise@cpts-demo.fr");
    expect(new Set(mails.map((m) => m.memberId)).size).toBe(mails.length);
  });

  it("seule une activation réelle ouvre la part variable « crise » : la coordination corrige exercice ⇄ réelle dans l'admin", async () => {
    const exerciseFunding = await crisisFundingCents();
    const fin = async () => renderText(await say(DEMO_COORDINATOR_EMAIL, "/financement"));
    const finExercise = await fin();
    const c = await admin();
    await c.get(`/admin/crises/${activationId}`);
    expect((await c.post(`/admin/crises/${activationId}/type`, { exercice: "non" })).status).toBe(303);
    expect((await t.db.crisisActivation.findUniqueOrThrow({ where: { id: activationId } })).exercise).toBe(false);
    const realFunding = await crisisFundingCents();
    expect(realFunding).toBeGreaterThan(exerciseFunding);
    expect(await fin()).not.toBe(finExercise);
    await c.get(`/admin/crises/${activationId}`);
    expect((await c.post(`/admin/crises/${activationId}/type`, { exercice: "oui" })).status).toBe(303);
    expect(await crisisFundingCents()).toBe(exerciseFunding);
    expect(await fin()).toBe(finExercise);
    const audit = await t.db.auditLog.findMany({ where: { target: activationId, action: { in: ["crise.marquee_exercice", "crise.marquee_reelle"] } }, orderBy: [{ at: "asc" }, { id: "asc" }] }); // same millisecond: ids (cuid) keep the creation order
    expect(audit.map((a) => a.action)).toEqual(["crise.marquee_reelle", "crise.marquee_exercice"]);
    // A bureau account reads but cannot correct.
    const other = await t.db.cpts.create({ data: { slug: "autre-crise", name: "Autre CPTS", population: 10_000 } });
    expect((await c.post(`/admin/crises/${other.id}/type`, { exercice: "non" })).status).toBe(404);
  });

  it("à la clôture, les liens du mail expirent : plus aucune réponse enregistrée", async () => {
    const silent = pros.find((p) => p.email !== DEMO_COORDINATOR_EMAIL && ![...byChat, ...byMail].some((x) => x.pro.id === p.id))!;
    const mail = await t.db.outboxMessage.findFirstOrThrow({ where: { refId: activationId, channel: "MAIL", kind: "crise", memberId: silent.id } });
    const link = /https?:\/\/\S+(\/crise\/reponse\/[A-Za-z0-9_-]+)\?dispo=oui/.exec(mail.bodyText)![1]!;
    const closed = await say(DEMO_COORDINATOR_EMAIL, '/plan-crise cloturer texte="Exercice réussi : 40 réponses en 10 minutes, rappel utile."');
    expect(renderText(closed)).toContain("EXERCICE");
    const res = await fetch(`${base}${link}?dispo=oui`, { method: "POST" });
    expect(res.status).toBe(410);
    expect(await res.text()).toContain("close");
    expect(await t.db.crisisRollCall.count({ where: { activationId, memberId: silent.id } })).toBe(0);
    const closing = await t.db.outboxMessage.findMany({ where: { refId: activationId, idempotencyKey: { contains: ":cloture:" } } });
    for (const m of closing) expect(m.bodyText).toContain("EXERCICE");
  });

  it("l'admin active aussi le plan, en exercice, avec un rappel ; un délai invalide est refusé sans rien écrire", async () => {
    const c = await admin();
    const page = await (await c.get("/admin/crises")).text();
    expect(page).toContain('action="/admin/crises/activer"');
    const before = await t.db.crisisActivation.count();
    const bad = await c.post("/admin/crises/activer", { situation: "malades", description: "Canicule : texte gardé", rappel: "trois", exercice: "oui" });
    expect(bad.status).toBe(422); // the form comes back with what was typed and the error beside the delay
    const badPage = (await bad.text()).replace(/&#39;/g, "'");
    expect(badPage).toMatch(/id="activer-rappel-err"[^>]*>Le délai du rappel se donne en minutes/);
    expect(badPage).toContain("Canicule : texte gardé</textarea>");
    expect(await t.db.crisisActivation.count()).toBe(before);
    await c.get("/admin/crises");
    const ok = await c.post("/admin/crises/activer", { situation: "malades", description: "Exercice canicule", rappel: "15", exercice: "oui" });
    expect(ok.status).toBe(303);
    const a = await t.db.crisisActivation.findFirstOrThrow({ where: { cptsId, closedOn: null } });
    expect(ok.headers.get("location")).toBe(`/admin/crises/${a.id}`);
    expect(a).toMatchObject({ exercise: true, reminderAfterMinutes: 15, situation: "MALADES", activatedBy: `admin:${DEMO_COORDINATOR_EMAIL}` });
    const chatAlert = await t.db.outboxMessage.findFirstOrThrow({ where: { refId: a.id, channel: "CHAT" } });
    expect(chatAlert.bodyText).toContain("EXERCICE");
    const detail = await (await c.get(`/admin/crises/${a.id}`)).text();
    expect(detail).toContain("EXERCICE");
    expect(rows(detail, "sans-reponse").length).toBeGreaterThan(140);
    // Someone calls the coordination: their answer is noted from the page (channel « admin »), audited.
    const caller = pros.find((p) => p.email !== DEMO_COORDINATOR_EMAIL)!;
    const noted = await c.post(`/admin/crises/${a.id}/reponse`, { membre: caller.id, dispo: "oui" });
    expect(noted.status).toBe(303);
    const after = await (await c.get(`/admin/crises/${a.id}`)).text();
    const row = rows(after, "disponibles").find((r) => r[0] === name(caller))!;
    expect(row[5]).toBe("admin");
    expect(await t.db.auditLog.count({ where: { action: "crise.reponse_notee", target: a.id } })).toBe(1);
    // A member of another CPTS cannot be noted here.
    const elsewhere = await t.db.cpts.findUniqueOrThrow({ where: { slug: "autre-crise" } });
    const foreign = await t.db.member.create({ data: { cptsId: elsewhere.id, firstName: "Ailleurs", lastName: "Test", email: "ailleurs@exemple-sante.fr" } });
    await c.post(`/admin/crises/${a.id}/reponse`, { membre: foreign.id, dispo: "oui" });
    expect(await t.db.crisisRollCall.count({ where: { activationId: a.id, memberId: foreign.id } })).toBe(0);
  });
});
