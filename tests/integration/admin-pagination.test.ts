import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, TODAY, type AdminTestEnv } from "./admin-setup.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { listMembers } from "../../src/app/services/members.ts";
import { duesSummary } from "../../src/app/services/members.ts";

const TODAY_YEAR = TODAY.slice(0, 4);
let env: AdminTestEnv;
let c: Client;
let total = 0;
beforeAll(async () => {
  env = await adminTestEnv();
  c = new Client(env.app);
  expect((await c.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
  await env.t.db.member.createMany({
    data: Array.from({ length: 360 }, (_, i) => ({ cptsId: env.cptsId, firstName: `Prénom${i}`, lastName: `Volume${String(i).padStart(3, "0")}`, email: `m${i}@exemple-sante.fr`, profession: "infirmier" })),
  });
  total = await env.t.db.member.count({ where: { cptsId: env.cptsId, status: { not: "EFFACE" } } });
}, 60_000);
afterAll(async () => env?.t.cleanup());

const rowsOf = (html: string) => (/<table class="cards" id="members">[\s\S]*?<\/table>/.exec(html)?.[0].match(/<tr>/g) ?? []).length - 1;

describe(`admin : liste des adhérents paginée (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("50 par page, « Page 2 sur N », le nombre total, et la recherche gardée dans les liens", async () => {
    const first = await (await c.get("/admin/adherents")).text();
    expect(total).toBeGreaterThan(360);
    const pages = Math.ceil(total / 50);
    expect(rowsOf(first)).toBe(50);
    expect(first).toContain(`Page 1 sur ${pages}`);
    expect(first).toContain(`1–50 sur ${total.toLocaleString("fr-FR")} adhérents`);
    expect(first).toContain('href="/admin/adherents?page=2"');
    expect(first.length).toBeLessThan(200_000);

    const second = await (await c.get("/admin/adherents?page=2")).text();
    expect(second).toContain(`Page 2 sur ${pages}`);
    expect(rowsOf(second)).toBe(50);
    expect(second).toContain('href="/admin/adherents?page=1"');

    // a search: the count is the search's, the links keep it
    const found = await (await c.get("/admin/adherents?q=Volume&page=2")).text();
    expect(found).toContain("51–100 sur 360 adhérents");
    expect(found).toContain("Page 2 sur 8");
    expect(found).toContain('href="/admin/adherents?q=Volume&amp;page=3"');
    expect(found).toContain('href="/admin/adherents?q=Volume&amp;page=1"');
    const narrow = await (await c.get("/admin/adherents?q=Volume1")).text();
    expect(narrow).toContain("1–50 sur 100 adhérents");
    expect(narrow).toContain("Page 1 sur 2");

    // a page past the end shows the last one, a bad one the first
    expect(await (await c.get("/admin/adherents?page=999")).text()).toContain(`Page ${pages} sur ${pages}`);
    expect(await (await c.get("/admin/adherents?page=abc")).text()).toContain(`Page 1 sur ${pages}`);
  });

  it("journal : filtre par dates (heure de Paris), auteur et action, paginé, export CSV des mêmes lignes", async () => {
    await env.t.db.auditLog.createMany({
      data: Array.from({ length: 120 }, (_, i) => ({
        cptsId: env.cptsId,
        actor: i % 2 ? "admin:tresorier@exemple.fr" : "job:dues-reminders",
        action: i % 3 ? "cotisation.enregistree" : "dues.reminders",
        target: `ligne-${i}`,
        at: new Date(Date.UTC(2026, 9, 1 + (i % 30), 22, 30)), // 23:30 or 00:30 the next day in Paris
      })),
    });
    const all = await (await c.get("/admin/journal?action=cotisation.enregistree")).text();
    expect(all).toContain("80 action(s)");
    expect(all).toContain("Page 1 sur 2");
    expect(all).toContain('href="/admin/journal?action=cotisation.enregistree&amp;page=2"');
    const oct10 = await (await c.get("/admin/journal?du=2026-10-11&au=2026-10-11&auteur=tresorier")).text();
    // 2026-10-10 22:30 UTC is 11 October 00:30 in Paris (summer time)
    expect(oct10).toContain("4 action(s)"); // i = 9, 39, 69, 99: all the treasurer's, all reminders
    expect(oct10).toContain("Relances de cotisation");
    expect(oct10).not.toContain("Page 1 sur");
    const csv = await (await c.get("/admin/journal/export.csv?du=2026-10-11&au=2026-10-11&auteur=tresorier")).text();
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toBe("date;auteur;action;objet");
    expect(lines).toHaveLength(5);
    expect(lines[1]).toContain("tresorier@exemple.fr;");
    expect(lines.join("\n")).not.toMatch(/dues\.reminders|admin:/);
    const none = await (await c.get("/admin/journal?du=2030-01-01")).text();
    expect(none).toContain("Aucune action enregistrée pour ces critères.");
  });

  const namesOf = (html: string) => [...(/<table class="cards" id="members">[\s\S]*?<\/table>/.exec(html)?.[0] ?? "").matchAll(/<a href="\/admin\/adherents\/[^"]+">([^<]+)<\/a>/g)].map((m) => m[1]!);
  const countOf = (html: string) => {
    const m = /id="members-count"[^>]*>([^<]*)</.exec(html)?.[1] ?? "";
    const n = /sur ([\d\u202f\u00a0 ]+) adh/.exec(m)?.[1] ?? /^([\d\u202f\u00a0 ]+) adh/.exec(m)?.[1];
    return n === undefined ? (html.includes("Aucun adhérent ne correspond") ? 0 : NaN) : Number(n.replace(/\D/g, ""));
  };

  it("adhérents : tri par nom, profession, cotisation et date d'adhésion, dans les deux sens, lien d'en-tête qui garde les filtres", async () => {
    const asc = namesOf(await (await c.get("/admin/adherents?q=Volume")).text());
    expect(asc.slice(0, 3)).toEqual(["Prénom0 Volume000", "Prénom1 Volume001", "Prénom2 Volume002"]);
    const descHtml = await (await c.get("/admin/adherents?q=Volume&tri=nom&sens=desc")).text();
    expect(namesOf(descHtml).slice(0, 2)).toEqual(["Prénom359 Volume359", "Prénom358 Volume358"]);
    expect(descHtml).toContain('aria-sort="descending"');
    expect(descHtml).toContain('href="/admin/adherents?q=Volume&amp;tri=nom&amp;sens=desc&amp;page=2"');
    // the header of another column keeps the search, drops the page
    expect(descHtml).toContain('href="/admin/adherents?q=Volume&amp;tri=profession&amp;sens=asc"');

    await env.t.db.member.updateMany({ where: { cptsId: env.cptsId, lastName: { in: ["Volume007", "Volume123"] } }, data: { joinedOn: "2001-02-03" } });
    const byDate = namesOf(await (await c.get("/admin/adherents?q=Volume&tri=date&sens=asc")).text());
    const firstTwo = [...byDate.slice(0, 2)].sort();
    // SQLite puts empty dates first, PostgreSQL last: the dated ones are at one end
    const byDateDesc = namesOf(await (await c.get("/admin/adherents?q=Volume&tri=date&sens=desc")).text());
    expect([firstTwo, [...byDateDesc.slice(0, 2)].sort()]).toContainEqual(["Prénom123 Volume123", "Prénom7 Volume007"]);

    await env.t.db.member.updateMany({ where: { cptsId: env.cptsId, lastName: "Volume010" }, data: { profession: "dieteticien" } });
    const byProf = await (await c.get("/admin/adherents?q=Volume&tri=profession")).text();
    expect(namesOf(byProf)[0]).toBe("Prénom10 Volume010"); // « dieteticien » before « infirmier »
  });

  it("adhérents : la recherche trouve par nom, e-mail, profession et commune, sans tenir compte de la casse", async () => {
    const commune = await env.t.db.commune.findFirstOrThrow({ where: { cptsId: env.cptsId }, orderBy: { name: "asc" } });
    await env.t.db.member.updateMany({ where: { cptsId: env.cptsId, lastName: { in: ["Volume200", "Volume201"] } }, data: { communeInsee: commune.inseeCode } });
    const inCommune = await env.t.db.member.count({ where: { cptsId: env.cptsId, status: { not: "EFFACE" }, communeInsee: commune.inseeCode } });
    expect(countOf(await (await c.get(`/admin/adherents?q=${encodeURIComponent(commune.name.toUpperCase())}`)).text())).toBeGreaterThanOrEqual(inCommune);
    expect(countOf(await (await c.get("/admin/adherents?q=M17%40EXEMPLE")).text())).toBe(1);
    expect(countOf(await (await c.get("/admin/adherents?q=volume05")).text())).toBe(10);
    const dietet = await env.t.db.member.count({ where: { cptsId: env.cptsId, status: { not: "EFFACE" }, profession: "dieteticien" } });
    expect(countOf(await (await c.get("/admin/adherents?q=Diététic")).text())).toBe(dietet);
    // « % » and « _ » are letters, not wildcards
    expect(countOf(await (await c.get("/admin/adherents?q=%25")).text())).toBe(0);
    expect(countOf(await (await c.get("/admin/adherents?q=_")).text())).toBe(0);
  });

  it("adhérents : le filtre de cotisation (calculé par la base) donne les mêmes personnes que la règle, y compris remboursés et partiels", async () => {
    const year = Number(TODAY_YEAR);
    const mk = async (name: string, pays: { year: number; amountCents: number; paidOn: string; refundedOn?: string }[], extra: Record<string, unknown> = {}) => {
      const m = await env.t.db.member.create({ data: { cptsId: env.cptsId, lastName: name, roles: { create: { role: "ADHERENT" } }, ...extra } });
      for (const [i, p] of pays.entries()) await env.t.db.duesPayment.create({ data: { cptsId: env.cptsId, memberId: m.id, externalId: `${name}-${i}`, ...p } });
    };
    await mk("CotisPleine", [{ year, amountCents: 3000, paidOn: `${year}-02-01` }]);
    await mk("CotisDeuxFois", [{ year, amountCents: 1000, paidOn: `${year}-02-01` }, { year, amountCents: 2000, paidOn: `${year}-03-01` }]);
    await mk("CotisPartielle", [{ year, amountCents: 1000, paidOn: `${year}-02-01` }]);
    await mk("CotisRemboursee", [{ year, amountCents: 3000, paidOn: `${year}-02-01`, refundedOn: `${year}-03-01` }, { year: year - 1, amountCents: 3000, paidOn: `${year - 1}-02-01` }]);
    await mk("CotisJamais", [{ year: year - 1, amountCents: 3000, paidOn: `${year - 1}-02-01`, refundedOn: `${year - 1}-02-10` }]);
    await mk("CotisAnneeProchaine", [{ year: year + 1, amountCents: 3000, paidOn: `${year}-11-20` }]);
    await mk("CotisExonere", [], { duesExempt: true });
    await mk("CotisStructure", [{ year, amountCents: 3000, paidOn: `${year}-02-01` }], { category: "STRUCTURE", kind: "MORALE", organization: "CotisStructure" });
    const expected: Record<string, string> = {
      CotisPleine: "a_jour", CotisDeuxFois: "a_jour", CotisPartielle: "partiel", CotisRemboursee: "en_retard", CotisJamais: "jamais_paye",
      CotisAnneeProchaine: "jamais_paye", CotisExonere: "exonere", CotisStructure: "partiel",
    };
    for (const [name, status] of Object.entries(expected)) {
      const html = await (await c.get(`/admin/adherents?q=${name}&cotisation=${status}`)).text();
      expect(namesOf(html), `${name} ${status}`).toEqual([name]);
    }
    // every status, on the whole CPTS (demo members with five years of payments): the counts of the rule
    const rule = await listMembers(env.ctx, env.cptsId, {}, TODAY);
    for (const status of ["a_jour", "partiel", "en_retard", "jamais_paye", "exonere"]) {
      const html = await (await c.get(`/admin/adherents?cotisation=${status}&tri=cotisation`)).text();
      expect(countOf(html), status).toBe(rule.filter((r) => r.dues === status).length);
      expect(html).not.toMatch(new RegExp(`<td data-label="Cotisation">(?!<span class="badge[^"]*">${status === "partiel" ? "partiel" : ({ a_jour: "à jour", en_retard: "en retard", jamais_paye: "jamais payé", exonere: "exonéré" } as Record<string, string>)[status]})`));
    }
    const unpaid = rule.filter((r) => r.dues === "en_retard" || r.dues === "jamais_paye").length;
    expect(countOf(await (await c.get("/admin/adherents?cotisation=non_paye")).text())).toBe(unpaid);
    // sorted by status: the never paid first
    const sorted = await (await c.get("/admin/adherents?tri=cotisation")).text();
    expect(/<td data-label="Cotisation"><span class="badge[^"]*">([^<]+)</.exec(sorted)?.[1]).toBe("jamais payé");
  });

  it("adhérents : une autre CPTS n'apparaît jamais et n'est jamais comptée", async () => {
    const other = await env.t.db.cpts.create({ data: { slug: "cpts-voisine-pagination", name: "CPTS Voisine", population: 40_000 } });
    await env.t.db.member.createMany({ data: Array.from({ length: 60 }, (_, i) => ({ cptsId: other.id, firstName: "Intrus", lastName: `Volume${900 + i}`, email: `intrus${i}@exemple-sante.fr`, profession: "infirmier" })) });
    const html = await (await c.get("/admin/adherents?q=Volume")).text();
    expect(countOf(html)).toBe(360);
    for (const status of ["", "jamais_paye", "exonere", "non_paye"]) {
      const h = await (await c.get(`/admin/adherents?q=Intrus&cotisation=${status}`)).text();
      expect(countOf(h)).toBe(0);
      expect(h).not.toContain("intrus");
    }
    const last = await (await c.get("/admin/adherents?q=Volume&tri=nom&sens=desc")).text();
    expect(last).not.toContain("Volume9");
  });

  it("adhérents : paramètres trafiqués → message en français, jamais d'erreur 500", async () => {
    const cases: [string, RegExp][] = [
      ["tri=password&sens=asc", /Tri inconnu : la liste est triée par nom\./],
      ["sens=haut", /Sens de tri inconnu/],
      ["page=-3", /Numéro de page invalide/],
      ["page=1e9", /Numéro de page invalide/],
      ["cotisation=%27%20OR%201%3D1--", /Cotisation inconnu\(e\) : ce filtre est ignoré\./],
      ["role=ROOT", /Rôle inconnu\(e\)/],
      ["commune=%27%3B%20DROP", /Commune inconnue/],
      ["profession=%27", /Profession inconnue/],
      [`q=${"x".repeat(500)}`, /Recherche trop longue/],
    ];
    for (const [qs, message] of cases) {
      const res = await c.get(`/admin/adherents?${qs}`);
      expect(res.status, qs).toBe(200);
      expect(await res.text(), qs).toMatch(message);
    }
    const res = await c.get("/admin/adherents?page=999999999&q=Volume");
    expect(await res.text()).toContain("351–360 sur 360 adhérents");
    expect((await c.get("/admin/adherents?q[]=a&page=2&page=3")).status).toBe(200);
  });

  it("tableau de bord : les chiffres de cotisation calculés par la base sont ceux de la règle", async () => {
    const rule = await listMembers(env.ctx, env.cptsId, { status: "ACTIF" }, TODAY);
    const owing = rule.filter((r) => r.dues !== "exonere");
    const paid = owing.filter((r) => r.dues === "a_jour").length;
    const s = await duesSummary(env.ctx, env.cptsId, TODAY);
    expect(s.due).toBe(owing.length);
    expect(s.paid).toBe(paid);
    expect(s.partial).toBe(owing.filter((r) => r.dues === "partiel").length);
    expect(s.balanceCents).toBe(owing.reduce((a, r) => a + r.balanceCents, 0));
    expect(s.byProfession.reduce((a, p) => a + p.due, 0)).toBe(owing.length);
    const html = await (await c.get("/admin")).text();
    expect(html).toContain(`(${paid} sur ${owing.length})`);
  });

  it("envois : 50 par page, nombre total, filtre d'état et de type, recherche, autre CPTS jamais comptée", async () => {
    const other = await env.t.db.cpts.create({ data: { slug: "cpts-voisine-envois", name: "CPTS Voisine Envois", population: 40_000 } });
    const base = await env.t.db.outboxMessage.count({ where: { cptsId: env.cptsId } });
    const mk = (cptsId: string, i: number, state: "ENVOYE" | "ECHEC") => ({
      cptsId, idempotencyKey: `pag-${cptsId}-${i}`, channel: "MAIL" as const, kind: i % 2 ? "newsletter" : "relance", recipient: `dest${i}@pagination.fr`,
      subject: `Objet pagination ${i}`, bodyText: "x", state, createdAt: new Date(Date.UTC(2026, 10, 1, 8, i)),
    });
    await env.t.db.outboxMessage.createMany({ data: Array.from({ length: 130 }, (_, i) => mk(env.cptsId, i, i < 10 ? "ECHEC" : "ENVOYE")) });
    await env.t.db.outboxMessage.createMany({ data: Array.from({ length: 70 }, (_, i) => mk(other.id, 1000 + i, "ECHEC")) });
    const total = base + 130;
    const all = await (await c.get("/admin/envois")).text();
    expect(all).toContain(`1–50 sur ${total.toLocaleString("fr-FR")} messages`);
    expect(all).not.toContain("pagination.fr\">");
    const searched = await (await c.get("/admin/envois?q=PAGINATION&page=3")).text();
    expect(searched).toContain("101–130 sur 130 messages");
    expect(searched).toContain('href="/admin/envois?q=PAGINATION&amp;page=2"');
    expect(searched).not.toMatch(/dest10\d\d@/);
    const failed = await (await c.get("/admin/envois?etat=ECHEC&q=pagination")).text();
    expect(failed).toContain("10 messages");
    const newsletters = await (await c.get("/admin/envois?type=newsletter&q=pagination")).text();
    expect(newsletters).toContain("1–50 sur 65 messages");
    const oldest = await (await c.get("/admin/envois?q=pagination&sens=asc")).text();
    expect(oldest.indexOf("dest0@pagination.fr")).toBeGreaterThan(0);
    expect(oldest.indexOf("dest0@pagination.fr")).toBeLessThan(oldest.indexOf("dest1@pagination.fr"));
    for (const [qs, msg] of [["etat=PIRATE", /État inconnu/], ["type=%27--", /Type de message inconnu/], ["page=x", /Numéro de page invalide/], ["sens=haut", /Sens de tri inconnu/]] as const) {
      const res = await c.get(`/admin/envois?${qs}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(msg);
    }
    expect(await (await c.get("/admin/envois?q=pagination&page=99")).text()).toContain("101–130 sur 130 messages");
    expect(await (await c.get("/admin/envois?q=dest1000")).text()).toContain("Aucun message pour ces critères.");
  });

  it("paiements à vérifier : 50 par page, les plus anciens d'abord, recherche du payeur, autre CPTS jamais comptée", async () => {
    const other = await env.t.db.cpts.create({ data: { slug: "cpts-voisine-paiements", name: "CPTS Voisine Paiements", population: 40_000 } });
    const open = await env.t.db.pendingPayment.count({ where: { cptsId: env.cptsId, resolvedAt: null } });
    const mk = (cptsId: string, i: number) => ({
      cptsId, source: "HELLOASSO" as const, externalId: `pag-${cptsId}-${i}`, payerName: `Payeur Pagination ${i}`, payerEmail: `payeur${i}@pagination.fr`,
      amountCents: 3000, paidOn: "2026-11-02", reason: "payeur inconnu", createdAt: new Date(Date.UTC(2026, 10, 2, 8, i)),
    });
    await env.t.db.pendingPayment.createMany({ data: Array.from({ length: 75 }, (_, i) => mk(env.cptsId, i)) });
    await env.t.db.pendingPayment.createMany({ data: Array.from({ length: 30 }, (_, i) => mk(other.id, 500 + i)) });
    await env.t.db.pendingPayment.create({ data: { ...mk(env.cptsId, 99), externalId: "pag-resolved", resolvedAt: new Date() } });
    const total = open + 75;
    const first = await (await c.get("/admin/paiements-a-verifier")).text();
    expect(first).toContain(`1–50 sur ${total} paiements à vérifier`);
    const found = await (await c.get("/admin/paiements-a-verifier?q=PAYEUR%20PAGINATION&page=2")).text();
    expect(found).toContain("51–75 sur 75 paiements à vérifier");
    expect(found).toContain("Payeur Pagination 74");
    expect(found).toContain("Payeur Pagination 50<");
    expect(found).not.toContain("Payeur Pagination 49<");
    expect(found).toContain('href="/admin/paiements-a-verifier?q=PAYEUR+PAGINATION&amp;page=1"');
    const newest = await (await c.get("/admin/paiements-a-verifier?q=pagination&sens=desc")).text();
    expect(newest.indexOf("Payeur Pagination 74<")).toBeLessThan(newest.indexOf("Payeur Pagination 73<"));
    expect(newest).not.toContain("Payeur Pagination 99<"); // resolved: not in the queue
    const elsewhere = await (await c.get("/admin/paiements-a-verifier?q=payeur510")).text();
    expect(elsewhere).toContain("Aucun paiement à vérifier pour cette recherche.");
    expect((await c.get("/admin/paiements-a-verifier?page=-1&sens=x&tri=y")).status).toBe(200);
    expect(await (await c.get("/admin/paiements-a-verifier?tri=y")).text()).toContain("Tri inconnu");
  });

  it("votes : 50 par page, les plus récents d'abord, nombre total, autre CPTS jamais comptée", async () => {
    const other = await env.t.db.cpts.create({ data: { slug: "cpts-voisine-votes", name: "CPTS Voisine Votes", population: 40_000 } });
    const base = await env.t.db.vote.count({ where: { cptsId: env.cptsId, state: { in: ["OUVERT", "CLOS", "PURGE"] } } });
    const mk = (cptsId: string, i: number) => ({
      cptsId, question: `Question pagination ${i} ?`, options: ["Pour", "Contre"], opensAt: new Date(Date.UTC(2026, 9, 1)), closesAt: new Date(Date.UTC(2026, 9, 2)),
      eligibilityCutoff: "2026-10-01", state: "CLOS" as const, createdAt: new Date(Date.UTC(2026, 9, 1, 8, i)),
    });
    await env.t.db.vote.createMany({ data: Array.from({ length: 55 }, (_, i) => mk(env.cptsId, i)) });
    await env.t.db.vote.createMany({ data: Array.from({ length: 5 }, (_, i) => mk(other.id, 900 + i)) });
    const total = base + 55;
    const first = await (await c.get("/admin/votes")).text();
    expect(first).toContain(`1–50 sur ${total} votes`);
    expect(first).toContain("Question pagination 54 ?");
    expect(first).not.toContain("Question pagination 90");
    const last = await (await c.get("/admin/votes?page=99")).text();
    expect(last).toContain(`51–${total} sur ${total} votes`);
    expect(last).toContain('href="/admin/votes?page=1"');
    expect(await (await c.get("/admin/votes?sens=bas")).text()).toContain("Sens de tri inconnu");
  });
});
