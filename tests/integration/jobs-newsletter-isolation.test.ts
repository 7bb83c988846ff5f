import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { contextAt } from "./jobs-context.ts";
import { createNewsletter, renderNewsletterPreview, scheduleNewsletter, sendNewsletterNow, testSend } from "../../src/app/services/newsletters.ts";

const TODAY = "2026-03-20";
let t: TestDb;
let cptsA: string;
let cptsB: string;

beforeAll(async () => {
  t = await createTestDb();
  cptsA = (await loadDemo(t.db, TODAY)).cptsId;
  cptsB = (await t.db.cpts.create({ data: { slug: "voisine", name: "CPTS Voisine", population: 40_000 } })).id;
  await t.db.member.create({ data: { cptsId: cptsB, firstName: "Basile", lastName: "Voisin", email: "basile@exemple-sante.fr", roles: { create: [{ role: "ADHERENT" }] } } });
});
afterAll(async () => t?.cleanup());

describe(`lettres d'information cloisonnées par CPTS (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("la CPTS B ne peut ni programmer, ni envoyer, ni tester, ni prévisualiser la lettre de la CPTS A", async () => {
    const ctx = contextAt(t, `${TODAY}T10:00:00+01:00`);
    const n = await createNewsletter(ctx, { cptsId: cptsA, subject: "Lettre de A", body: "Un texte réservé aux adhérents de A." });
    const later = new Date("2026-03-25T09:00:00+01:00");

    await expect(renderNewsletterPreview(ctx, cptsB, n.id)).rejects.toThrow(/introuvable/);
    await expect(scheduleNewsletter(ctx, cptsB, n.id, later)).rejects.toThrow(/introuvable/);
    await expect(testSend(ctx, cptsB, n.id, "espion@exemple.fr")).rejects.toThrow(/introuvable/);
    await expect(sendNewsletterNow(ctx, cptsB, n.id, "admin:b")).rejects.toThrow(/introuvable/);

    const row = await t.db.newsletter.findUniqueOrThrow({ where: { id: n.id } });
    expect(row.state).toBe("BROUILLON");
    expect(row.scheduledAt).toBeNull();
    expect(await t.db.outboxMessage.count({ where: { refId: n.id } })).toBe(0);
    expect(await t.db.outboxMessage.count({ where: { cptsId: cptsB } })).toBe(0);

    // Its own CPTS still can.
    expect((await renderNewsletterPreview(ctx, cptsA, n.id)).subject).toContain("Lettre de A");
    await scheduleNewsletter(ctx, cptsA, n.id, later);
    expect((await t.db.newsletter.findUniqueOrThrow({ where: { id: n.id } })).state).toBe("PROGRAMMEE");
    const sent = await sendNewsletterNow(ctx, cptsA, n.id, "admin:a");
    expect(sent.enqueued).toBeGreaterThan(0);
    expect(await t.db.outboxMessage.count({ where: { refId: n.id, cptsId: { not: cptsA } } })).toBe(0);
  });
});
