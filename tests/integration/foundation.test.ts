import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { CptsRepository } from "../../src/db/repos/cpts-repo.ts";
import { isUniqueViolation } from "../../src/db/client.ts";
import { UserError } from "../../src/app/errors.ts";
import { loadDemo, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.cleanup());

describe(`fondation (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("refuse une commune déjà rattachée à une autre CPTS en nommant cette CPTS", async () => {
    const repo = new CptsRepository(t.db);
    await repo.create({ slug: "nord", name: "CPTS du Nord", population: 30_000, communes: [{ inseeCode: "59350", name: "Lille" }] });
    const sud = await repo.create({ slug: "sud", name: "CPTS du Sud", population: 50_000 });
    const err = await repo.addCommune(sud.id, { inseeCode: "59350", name: "Lille" }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toContain("CPTS « CPTS du Nord »");
    expect(await t.db.commune.count({ where: { cptsId: sud.id } })).toBe(0);
  });

  it("la base elle-même refuse un doublon de commune (contrainte unique)", async () => {
    const other = await t.db.cpts.create({ data: { slug: "autre", name: "Autre", population: 10 } });
    const err = await t.db.commune.create({ data: { inseeCode: "59350", name: "Lille", cptsId: other.id } }).catch((e) => e);
    expect(isUniqueViolation(err)).toBe(true);
  });

  it("n'écrit rien quand une écriture multiple échoue au milieu (transaction annulée)", async () => {
    const repo = new CptsRepository(t.db);
    const err = await repo
      .create({ slug: "ouest", name: "CPTS de l'Ouest", population: 90_000, communes: [{ inseeCode: "35238", name: "Rennes" }, { inseeCode: "59350", name: "Lille" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(await t.db.cpts.findUnique({ where: { slug: "ouest" } })).toBeNull();
    expect(await t.db.commune.findUnique({ where: { inseeCode: "35238" } })).toBeNull();
  });

  it("refuse des données invalides avec un message en français", async () => {
    const repo = new CptsRepository(t.db);
    const err = await repo.create({ slug: "Pas Bon!", name: "x", population: -3 }).catch((e) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err.message).toMatch(/slug .*minuscules/);
    expect(err.message).toMatch(/population .*positive/);
  });

  it("une clé d'idempotence de l'outbox ne peut servir qu'une fois", async () => {
    const cpts = await t.db.cpts.findUniqueOrThrow({ where: { slug: "nord" } });
    const row = { cptsId: cpts.id, idempotencyKey: "relance:m1:2026:1", channel: "MAIL" as const, kind: "relance", recipient: "a@b.fr", bodyText: "x" };
    await t.db.outboxMessage.create({ data: row });
    const err = await t.db.outboxMessage.create({ data: row }).catch((e) => e);
    expect(isUniqueViolation(err)).toBe(true);
    expect(await t.db.outboxMessage.count({ where: { idempotencyKey: row.idempotencyKey } })).toBe(1);
  });

  it("un créneau de tâche planifiée ne peut être réclamé qu'une fois", async () => {
    const slot = "2026-11-23T07:00:00.000Z";
    await t.db.jobRun.create({ data: { jobId: "dues-reminders", slot } });
    const err = await t.db.jobRun.create({ data: { jobId: "dues-reminders", slot } }).catch((e) => e);
    expect(isUniqueViolation(err)).toBe(true);
  });

  it("charge la CPTS de démonstration une seule fois", async () => {
    const first = await loadDemo(t.db, "2026-11-23");
    expect(first.created).toBe(true);
    expect(first.members).toBeGreaterThanOrEqual(140);
    const counts = async () => ({ members: await t.db.member.count(), payments: await t.db.duesPayment.count(), contracts: await t.db.aciContract.count() });
    const before = await counts();
    const second = await loadDemo(t.db, "2026-11-23");
    expect(second.created).toBe(false);
    expect(await counts()).toEqual(before);
    const demo = await t.db.cpts.findUniqueOrThrow({ where: { slug: "demo" }, include: { contracts: true } });
    expect(demo.contracts[0]!.signedOn).toBe("2025-09-23");
    const coord = await t.db.member.findFirstOrThrow({ where: { email: DEMO_COORDINATOR_EMAIL }, include: { roles: true } });
    expect(coord.roles.map((r) => r.role)).toContain("COORDONNATEUR");
    const unpaid = await t.db.member.count({ where: { cptsId: demo.id, roles: { some: { role: "ADHERENT" } }, payments: { none: { year: 2026 } } } });
    expect(unpaid).toBeGreaterThan(20);
  });
});
