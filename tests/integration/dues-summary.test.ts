// Issue 17 (admin at 100,000 members): the members list and the dashboard read the dues status from
// columns that database triggers keep (MemberDuesYear, Member.duesYear / duesFirstYear /
// duesPaidCents / duesRole, migration member_dues_summary). After every kind of write — payment by
// the admin or the chat, HelloAsso payment and refund, refund in the admin, raw multi-row insert (CSV
// import, bench), a payment moved to another year or member, a changed amount, roles given and taken
// back, exemption, category and rate changes, a member erased — and across 1 January, the stored
// summary must equal what the payments say, and the status the list filters on must be the status
// the rule (src/rules/dues.ts, through listMembers) gives, for every member of the CPTS.
import { foldSearch } from "../../src/rules/search-fold.ts";
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { chatWorld, TODAY, type ChatWorld } from "./chat-setup.ts";
import { recordPayment, refundPayment } from "../../src/app/services/payments.ts";
import { listMembers } from "../../src/app/services/members.ts";
import { HelloAssoRepository } from "../../src/helloasso/repo.ts";
import { MemberListRepository, type DuesStatusKey } from "../../src/db/repos/member-list-repo.ts";
import { insertRows } from "../../src/db/raw-insert.ts";
import { insertImportedPayments } from "../../src/db/repos/member-import-repo.ts";
import { freshDatabaseUrl } from "../helpers/db.ts";
import { loadMigrations, migrate } from "../../src/db/migrate.ts";
import { createDb, engineOf } from "../../src/db/client.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { loadRulesInputs } from "../../src/db/repos/cpts-rules-repo.ts";

let w: ChatWorld;
const engine = process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite";
const YEAR = Number(TODAY.slice(0, 4));
const STATUSES: DuesStatusKey[] = ["a_jour", "partiel", "en_retard", "jamais_paye", "exonere"];

beforeAll(async () => {
  w = await chatWorld();
});
afterAll(async () => w?.close());

const ids: Record<string, string> = {};
async function member(name: string, extra: { category?: "PROFESSIONNEL" | "STRUCTURE" | "PARTENAIRE"; roles?: ("ADHERENT" | "CA" | "BUREAU" | "COORDONNATEUR" | "PARTENAIRE")[] } = {}) {
  const { roles = ["ADHERENT"], ...rest } = extra;
  const m = await w.t.db.member.create({ data: { cptsId: w.cptsId, lastName: name, firstName: "Test", email: `${name.toLowerCase()}@exemple.fr`, ...rest, roles: { create: roles.map((role) => ({ role })) } } });
  ids[name] = m.id;
  return m.id;
}
const pay = (name: string, amountCents: number, paidOn = "2026-11-02") =>
  recordPayment(w.app, { cptsId: w.cptsId, memberId: ids[name]!, amountCents, paidOn, source: "MANUEL", method: "VIREMENT", actor: "admin:tresorerie" });

/** What the triggers must have kept: recomputed from the payments themselves. */
async function expectSummaryMatchesPayments(label: string) {
  const db = w.t.db;
  const payments = await db.duesPayment.findMany({ where: { amountCents: { gt: 0 }, refundedOn: null }, select: { memberId: true, year: true, amountCents: true } });
  const want = new Map<string, { paidCents: number; paidCount: number }>();
  for (const p of payments) {
    const k = `${p.memberId}/${p.year}`;
    const e = want.get(k) ?? { paidCents: 0, paidCount: 0 };
    e.paidCents += p.amountCents;
    e.paidCount++;
    want.set(k, e);
  }
  const rows = await db.memberDuesYear.findMany({ where: { paidCount: { gt: 0 } } });
  expect(new Map(rows.map((r) => [`${r.memberId}/${r.year}`, { paidCents: r.paidCents, paidCount: r.paidCount }])), `${label}: MemberDuesYear`).toEqual(want);
  const members = await db.member.findMany({ select: { id: true, lastName: true, firstName: true, email: true, organization: true, duesYear: true, duesFirstYear: true, duesPaidCents: true, duesRole: true, searchText: true, roles: { select: { role: true } } } });
  for (const m of members) {
    const years = [...want.keys()].filter((k) => k.startsWith(`${m.id}/`)).map((k) => Number(k.split("/")[1])).sort((a, b) => a - b);
    const last = years.at(-1);
    expect({ duesYear: m.duesYear, duesFirstYear: m.duesFirstYear, duesPaidCents: m.duesPaidCents, duesRole: m.duesRole }, `${label}: ${m.lastName ?? m.id}`).toEqual({
      duesYear: last ?? null,
      duesFirstYear: years[0] ?? null,
      duesPaidCents: last === undefined ? 0 : want.get(`${m.id}/${last}`)!.paidCents,
      duesRole: m.roles.some((r) => ["ADHERENT", "CA", "BUREAU"].includes(r.role)),
    });
    // lower-cased and accent-folded (migration member_search_fold, rules/search-fold.ts)
    expect(m.searchText, `${label}: searchText ${m.id}`).toBe(foldSearch([m.lastName, m.firstName, m.email, m.organization].map((x) => x ?? "").join("\n")));
  }
}

/** The list's status filter (database) gives, for every status, exactly the members the rule puts there. */
async function expectListMatchesRule(label: string, at: string) {
  const rule = await listMembers(w.app, w.cptsId, {}, at);
  const repo = new MemberListRepository(w.t.db);
  for (const status of STATUSES) {
    const { total, ids: got } = await repo.page({ cptsId: w.cptsId, today: at, dues: status, sort: "nom", desc: false, skip: 0, take: 100_000 });
    const want = rule.filter((r) => r.dues === status).map((r) => r.id).sort();
    expect([...got].sort(), `${label} (${at}): ${status}`).toEqual(want);
    expect(total, `${label} (${at}): count ${status}`).toBe(want.length);
  }
  // sorted by status: the rule's order of statuses, never paid first
  const { ids: sorted } = await repo.page({ cptsId: w.cptsId, today: at, sort: "cotisation", desc: false, skip: 0, take: 100_000 });
  const byId = new Map(rule.map((r) => [r.id, r.dues]));
  const order = ["jamais_paye", "en_retard", "partiel", "a_jour", "exonere"];
  const seq = sorted.map((id) => order.indexOf(byId.get(id)!));
  expect(seq, `${label}: sort by status`).toEqual([...seq].sort((a, b) => a - b));
  // dashboard: counts and balances per status are the rule's
  const groups = await repo.duesByProfession(w.cptsId, at);
  const active = await listMembers(w.app, w.cptsId, { status: "ACTIF" }, at);
  for (const status of STATUSES) {
    const mine = active.filter((r) => r.dues === status);
    expect(groups.filter((g) => g.status === status).reduce((s, g) => s + g.count, 0), `${label}: dashboard ${status}`).toBe(mine.length);
    expect(groups.filter((g) => g.status === status).reduce((s, g) => s + g.balanceCents, 0), `${label}: dashboard balance ${status}`).toBe(mine.reduce((s, r) => s + r.balanceCents, 0));
  }
}

describe(`dues summary kept by the database (${engine})`, () => {
  const steps: { name: string; at?: string; run: () => Promise<unknown> }[] = [
    { name: "members created (with and without a role that owes dues)", run: async () => {
      await member("Plein");
      await member("Deux");
      await member("Partiel");
      await member("Rembourse");
      await member("Avance");
      await member("Ancien");
      await member("Double");
      await member("Structure", { category: "STRUCTURE" });
      await member("Partenaire", { category: "PARTENAIRE", roles: ["PARTENAIRE"] });
      await member("Salarie", { roles: ["COORDONNATEUR"] });
      await member("Bureau", { roles: ["BUREAU", "CA"] });
    } },
    { name: "payments recorded (admin form, chat)", run: async () => {
      await pay("Plein", 3000);
      await pay("Deux", 1000, "2026-02-01");
      await pay("Deux", 2000, "2026-03-01");
      await pay("Partiel", 1000);
      await pay("Rembourse", 3000, "2026-02-01");
      await pay("Rembourse", 3000, "2025-02-01");
      await pay("Ancien", 3000, "2024-05-01");
      await pay("Structure", 3000);
      await pay("Bureau", 3000);
      await pay("Double", 3000, "2026-01-15");
    } },
    { name: "refund in the admin", run: async () => {
      const p = await w.t.db.duesPayment.findFirstOrThrow({ where: { memberId: ids.Rembourse, year: YEAR } });
      await refundPayment(w.app, { cptsId: w.cptsId, paymentId: p.id, refundedOn: TODAY, actor: "admin:tresorerie" });
    } },
    { name: "HelloAsso payment then its refund", run: async () => {
      const r = await recordPayment(w.app, { cptsId: w.cptsId, memberId: ids.Partiel!, amountCents: 2000, paidOn: "2026-11-10", source: "HELLOASSO", method: "CARTE", externalId: "ha-17-1", actor: "helloasso" });
      await expectListMatchesRule("HelloAsso payment", TODAY);
      expect(await new HelloAssoRepository(w.t.db).markRefunded(r.paymentId, "2026-11-20")).toBe(true);
    } },
    { name: "CSV import (multi-row insert) and other raw inserts", run: async () => {
      await w.t.db.$transaction(async (tx) => {
        await insertImportedPayments(tx, [{ cptsId: w.cptsId, memberId: ids.Structure!, amountCents: 7000, paidOn: "2026-11-21", method: "VIREMENT", externalId: "csv-17-b", actor: "admin:import" }]);
        await insertRows(tx, "DuesPayment", ["id", "cptsId", "memberId", "year", "amountCents", "paidOn", "source", "method", "externalId", "refundedOn", "createdAt"], [
          ["raw17a", w.cptsId, ids.Avance!, YEAR + 1, 3000, "2026-11-20", "CSV", "VIREMENT", "csv-17-a", null, new Date()],
          ["raw17d", w.cptsId, ids.Double!, YEAR + 1, 3000, "2026-11-20", "CSV", "VIREMENT", "csv-17-d", null, new Date()],
          ["raw17c", w.cptsId, ids.Ancien!, YEAR - 1, 3500, "2025-06-01", "CSV", "VIREMENT", "csv-17-c", "2025-07-01", new Date()],
        ]);
      });
    } },
    { name: "a payment's amount corrected, another moved to another year and member", run: async () => {
      await w.t.db.duesPayment.updateMany({ where: { externalId: "csv-17-b" }, data: { amountCents: 5000 } });
      const p = await w.t.db.duesPayment.findFirstOrThrow({ where: { memberId: ids.Bureau, year: YEAR } });
      await w.t.db.duesPayment.update({ where: { id: p.id }, data: { memberId: ids.Plein!, year: YEAR - 1, paidOn: "2025-12-30" } });
    } },
    { name: "a payment deleted, a refund cancelled", run: async () => {
      await w.t.db.duesPayment.delete({ where: { id: "raw17a" } });
      const p = await w.t.db.duesPayment.findFirstOrThrow({ where: { memberId: ids.Rembourse, year: YEAR } });
      await w.t.db.duesPayment.update({ where: { id: p.id }, data: { refundedOn: null } });
    } },
    { name: "roles taken back and given, exemption, category changed", run: async () => {
      await w.t.db.memberRole.deleteMany({ where: { memberId: ids.Bureau, role: "BUREAU" } });
      await w.t.db.memberRole.deleteMany({ where: { memberId: ids.Deux } });
      await w.t.db.memberRole.create({ data: { memberId: ids.Salarie!, role: "CA" } });
      await w.t.db.memberRole.update({ where: { memberId_role: { memberId: ids.Partenaire!, role: "PARTENAIRE" } }, data: { role: "ADHERENT" } });
      await w.t.db.member.update({ where: { id: ids.Plein }, data: { duesExempt: true } });
      await w.t.db.member.update({ where: { id: ids.Partiel }, data: { category: "STRUCTURE", lastName: "Partielle", email: "PARTIELLE@Exemple.fr" } });
    } },
    { name: "expected amount changed (the category's rate), then none set", run: async () => {
      await w.t.db.duesRate.updateMany({ where: { cptsId: w.cptsId, year: YEAR, category: "PROFESSIONNEL" }, data: { amountCents: 4000 } });
      await expectListMatchesRule("rate raised", TODAY);
      await w.t.db.duesRate.deleteMany({ where: { cptsId: w.cptsId, year: YEAR, category: "STRUCTURE" } });
    } },
    { name: "a member erased (deleted with its payments and roles)", run: async () => {
      await w.t.db.member.delete({ where: { id: ids.Ancien } });
    } },
    { name: "next year's dues paid in December", run: () => pay("Avance", 3000, "2026-11-22").then(() =>
      w.t.db.duesPayment.updateMany({ where: { memberId: ids.Avance, paidOn: "2026-11-22" }, data: { year: YEAR + 1 } })) },
    { name: "1 January: nobody has paid the new year yet, no job ran", at: `${YEAR + 1}-01-01`, run: async () => {} },
    { name: "31 December still judged on the old year", at: `${YEAR}-12-31`, run: async () => {} },
  ];

  it("after each kind of write, the stored summary is what the payments say and the list's status is the rule's, for every member", async () => {
    await expectSummaryMatchesPayments("demo data (backfill and seed)");
    await expectListMatchesRule("demo data", TODAY);
    for (const step of steps) {
      await step.run();
      await expectSummaryMatchesPayments(step.name);
      await expectListMatchesRule(step.name, step.at ?? TODAY);
    }
    // the members this table built reached every status at some point: spot-check the end state
    const rule = new Map((await listMembers(w.app, w.cptsId, {}, TODAY)).map((r) => [r.id, r.dues]));
    expect([ids.Plein, ids.Deux, ids.Rembourse, ids.Structure, ids.Avance, ids.Salarie, ids.Double].map((id) => rule.get(id!))).toEqual(["exonere", "exonere", "partiel", "a_jour", "jamais_paye", "jamais_paye", "partiel"]);
  }, 120_000);

  it("the search reads the lower-cased search text the database keeps", async () => {
    const repo = new MemberListRepository(w.t.db);
    const found = await repo.page({ cptsId: w.cptsId, today: TODAY, q: "PARTIELLE@exemple", sort: "nom", desc: false, skip: 0, take: 50 });
    expect(found.ids).toEqual([ids.Partiel]);
    const none = await repo.page({ cptsId: w.cptsId, today: TODAY, q: "partiel_", sort: "nom", desc: false, skip: 0, take: 50 });
    expect(none.total).toBe(0);
  });
});

describe(`migration member_dues_summary on a database in use (${engine})`, () => {
  it("keeps every member's roles and payments and backfills the summary the list reads", async () => {
    const { url, drop } = await freshDatabaseUrl();
    const all = loadMigrations(engineOf(url));
    const at = all.findIndex((m) => m.name.endsWith("_member_dues_summary"));
    expect(at).toBeGreaterThan(0);
    await migrate(url, all.slice(0, at));
    const db = createDb(url);
    try {
      const ts = "'2026-11-01T00:00:00.000Z'";
      const run = (sql: string) => db.$executeRawUnsafe(sql);
      await run(`INSERT INTO "Cpts" ("id", "slug", "name", "population", "icalToken", "helloassoToken", "updatedAt") VALUES ('c17', 'c17', 'CPTS 17', 40000, 'ical17', 'ha17', ${ts})`);
      await run(`INSERT INTO "DuesRate" ("id", "cptsId", "year", "category", "amountCents") VALUES ('r17', 'c17', ${YEAR}, 'PROFESSIONNEL', 3000)`);
      const people = [["m1", "Durand", "ADHERENT"], ["m2", "Martin", "ADHERENT"], ["m3", "Petit", "BUREAU"], ["m4", "Salarié", "COORDONNATEUR"], ["m5", "Nouveau", "ADHERENT"]];
      for (const [id, name, role] of people) {
        await run(`INSERT INTO "Member" ("id", "cptsId", "lastName", "email", "unsubscribeToken", "updatedAt") VALUES ('${id}', 'c17', '${name}', '${id}@Exemple.fr', 'u${id}', ${ts})`);
        await run(`INSERT INTO "MemberRole" ("id", "memberId", "role") VALUES ('role${id}', '${id}', '${role}')`);
      }
      const pays: [string, number, number, string, string | null][] = [
        ["m1", YEAR, 3000, `${YEAR}-02-01`, null], ["m1", YEAR - 1, 3000, `${YEAR - 1}-02-01`, null],
        ["m2", YEAR, 1000, `${YEAR}-03-01`, null], ["m2", YEAR, 2000, `${YEAR}-04-01`, `${YEAR}-04-10`],
        ["m3", YEAR - 2, 3000, `${YEAR - 2}-05-01`, null], ["m4", YEAR, 3000, `${YEAR}-05-01`, null],
      ];
      for (const [i, [m, y, c, d, r]] of pays.entries()) {
        await run(`INSERT INTO "DuesPayment" ("id", "cptsId", "memberId", "year", "amountCents", "paidOn", "refundedOn") VALUES ('p${i}', 'c17', '${m}', ${y}, ${c}, '${d}', ${r ? `'${r}'` : "NULL"})`);
      }
      expect(await migrate(url)).toEqual(all.slice(at).map((m) => m.name));
      expect(await db.memberRole.count()).toBe(people.length);
      expect(await db.duesPayment.count()).toBe(pays.length);
      expect(await db.memberDuesYear.findMany({ orderBy: [{ memberId: "asc" }, { year: "asc" }] })).toEqual([
        { memberId: "m1", year: YEAR - 1, paidCents: 3000, paidCount: 1 }, { memberId: "m1", year: YEAR, paidCents: 3000, paidCount: 1 },
        { memberId: "m2", year: YEAR, paidCents: 1000, paidCount: 1 }, { memberId: "m3", year: YEAR - 2, paidCents: 3000, paidCount: 1 },
        { memberId: "m4", year: YEAR, paidCents: 3000, paidCount: 1 },
      ]);
      const ctx: AppContext = { config: loadConfig({}), db, engine: engineOf(url), log: silentLogger, clock: fixedClock(`${TODAY}T10:00:00+01:00`) };
      const rule = await listMembers(ctx, "c17", {}, TODAY);
      expect(Object.fromEntries(rule.map((r) => [r.id, r.dues]))).toEqual({ m1: "a_jour", m2: "partiel", m3: "en_retard", m4: "exonere", m5: "jamais_paye" });
      const repo = new MemberListRepository(db);
      for (const status of STATUSES) {
        const { ids: got } = await repo.page({ cptsId: "c17", today: TODAY, dues: status, sort: "nom", desc: false, skip: 0, take: 50 });
        expect(got, status).toEqual(rule.filter((r) => r.dues === status).map((r) => r.id));
      }
      expect((await repo.page({ cptsId: "c17", today: TODAY, q: "m2@exemple", sort: "nom", desc: false, skip: 0, take: 50 })).ids).toEqual(["m2"]);
    } finally {
      await db.$disconnect();
      await drop();
    }
  }, 60_000);
});

describe(`adherents counted for the majoration (${engine})`, () => {
  it("counted up to the minimum only: reaching it or not is what the full count says", async () => {
    const w2 = await chatWorld();
    try {
      const full = await w2.t.db.member.count({ where: { cptsId: w2.cptsId, status: "ACTIF", roles: { some: { role: "ADHERENT" } } } });
      const inputs = await loadRulesInputs(w2.t.db, w2.cptsId);
      const min = inputs!.settings.majoration.minMembers;
      expect(inputs!.funding!.memberCount).toBe(Math.min(full, min));
      // one adherent fewer than the minimum, then exactly the minimum
      const ids = (await w2.t.db.member.findMany({ where: { cptsId: w2.cptsId, status: "ACTIF", roles: { some: { role: "ADHERENT" } } }, select: { id: true }, orderBy: { id: "asc" } })).map((m) => m.id);
      await w2.t.db.member.updateMany({ where: { id: { in: ids.slice(Math.max(0, min - 1)) } }, data: { status: "ARCHIVE" } });
      expect((await loadRulesInputs(w2.t.db, w2.cptsId))!.funding!.memberCount).toBe(Math.min(full, min - 1));
      if (full >= min) {
        await w2.t.db.member.updateMany({ where: { id: ids[min - 1] }, data: { status: "ACTIF" } });
        expect((await loadRulesInputs(w2.t.db, w2.cptsId))!.funding!.memberCount).toBe(min);
      }
    } finally {
      await w2.close();
    }
  }, 60_000);
});
