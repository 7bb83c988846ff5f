import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { contextAt } from "./jobs-context.ts";
import { newsletterStats, runNewsletterSends } from "../../src/app/services/newsletters.ts";
import { crisisPlanOverview, crisisReviewSettings, sendCrisisReviewRequests, REVIEW_LEAD_DAYS, REVIEW_REPEAT_DAYS } from "../../src/app/services/crisis-plan.ts";
import { addDays } from "../../src/rules/index.ts";

const TODAY = "2026-03-20";
let t: TestDb;
let demoId: string;

beforeAll(async () => {
  t = await createTestDb();
  demoId = (await loadDemo(t.db, TODAY)).cptsId;
});
afterAll(async () => t?.cleanup());

describe(`réglages des envois périodiques (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("une CPTS qui n'a jamais envoyé de lettre a une échéance (création + période), la même pour les statistiques et le rappel", async () => {
    const nouvelle = await t.db.cpts.create({
      data: { slug: "nouvelle", name: "CPTS Nouvelle", population: 30_000, newsletterCadence: "TRIMESTRIELLE", createdAt: new Date("2025-11-10T10:00:00Z") },
    });
    await t.db.member.create({ data: { cptsId: nouvelle.id, firstName: "Nina", lastName: "Coord", email: "coord@cpts-nouvelle.fr", roles: { create: [{ role: "COORDONNATEUR" }] } } });

    const before = contextAt(t, "2026-02-10");
    const early = await newsletterStats(before, nouvelle.id);
    expect(early.lastSentOn).toBeNull();
    expect(early.nextDueOn).toBe("2026-02-10");
    expect(early.overdue).toBe(false);
    expect((await runNewsletterSends(before, { cptsId: nouvelle.id })).nudges).toBe(0);

    const after = contextAt(t, "2026-02-11");
    const late = await newsletterStats(after, nouvelle.id);
    expect(late.nextDueOn).toBe("2026-02-10");
    expect(late.overdue).toBe(true);
    expect((await runNewsletterSends(after, { cptsId: nouvelle.id })).nudges).toBe(1);
    const nudge = await t.db.outboxMessage.findFirstOrThrow({ where: { cptsId: nouvelle.id, kind: "rappel_lettre" } });
    expect(nudge.recipient).toBe("coord@cpts-nouvelle.fr");
    expect(nudge.idempotencyKey).toContain(":2026-02-10:");
  });

  it("lit les délais de relecture du plan de crise dans les réglages de la CPTS, avec les valeurs par défaut sinon", () => {
    expect(crisisReviewSettings(null)).toEqual({ leadDays: REVIEW_LEAD_DAYS, repeatDays: REVIEW_REPEAT_DAYS });
    expect(crisisReviewSettings({ crisisReview: { leadDays: 30 } })).toEqual({ leadDays: 30, repeatDays: REVIEW_REPEAT_DAYS });
    expect(crisisReviewSettings({ crisisReview: { leadDays: -3, repeatDays: 7 } })).toEqual({ leadDays: REVIEW_LEAD_DAYS, repeatDays: 7 });
    expect(crisisReviewSettings({ crisisReview: { leadDays: "30", repeatDays: 2.5 } })).toEqual({ leadDays: REVIEW_LEAD_DAYS, repeatDays: REVIEW_REPEAT_DAYS });
    expect(crisisReviewSettings({ alertLeadDays: [90] })).toEqual({ leadDays: REVIEW_LEAD_DAYS, repeatDays: REVIEW_REPEAT_DAYS });
  });

  it("une CPTS qui règle la relecture à 30 jours puis tous les 7 jours est sollicitée selon ses réglages", async () => {
    await t.db.cpts.update({ where: { id: demoId }, data: { settings: { crisisReview: { leadDays: 30, repeatDays: 7 } } } });
    const due = (await crisisPlanOverview(contextAt(t, TODAY), demoId, TODAY)).nextRefresh!.dueDate;
    const run = (day: string) => sendCrisisReviewRequests(contextAt(t, day), demoId, day);
    expect((await run(addDays(due, -REVIEW_LEAD_DAYS + 1))).requested).toBe(0); // inside the default window, outside this CPTS's
    expect((await run(addDays(due, -31))).requested).toBe(0);
    expect((await run(addDays(due, -30))).requested).toBe(4);
    expect((await run(addDays(due, -24))).requested).toBe(0); // same 7-day period
    expect((await run(addDays(due, -23))).requested).toBe(4); // next period
  });
});
