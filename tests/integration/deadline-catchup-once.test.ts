// coordo down for days, then started: the deadline alerts job is caught up once, as of today — one alert
// per deadline, with today's countdown (not one per missed day with stale countdowns).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { contextAt } from "./jobs-context.ts";
import { listDeadlines } from "../../src/app/services/deadlines.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { aciDeadlineAlertsJob } from "../../jobs/aci-deadline-alerts.ts";
import { addDays } from "../../src/rules/index.ts";

const TODAY = "2026-03-20";
let t: TestDb;
let cptsId: string;

beforeAll(async () => {
  t = await createTestDb();
  cptsId = (await loadDemo(t.db, TODAY)).cptsId;
});
afterAll(async () => t?.cleanup());

describe(`rattrapage des alertes d'échéance (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("après 5 jours d'arrêt couvrant l'alerte à 30 jours : une seule alerte par échéance, avec le compte à rebours du jour", async () => {
    const list = await listDeadlines(contextAt(t, TODAY), cptsId, TODAY);
    const target = list.find((d) => d.state !== "fait" && addDays(d.dueDate, -31) > TODAY)!;
    const d30 = addDays(target.dueDate, -30);
    // up to date the day before the outage: what was due then went out
    const before = contextAt(t, addDays(d30, -3));
    await new Scheduler(before, [aciDeadlineAlertsJob]).runManual(aciDeadlineAlertsJob, { at: addDays(d30, -3) });
    const alertsBefore = await t.db.deadlineAlert.count({ where: { cptsId } });
    const mailsBefore = await t.db.outboxMessage.count({ where: { cptsId, kind: "alerte", channel: "MAIL" } });

    // down from d30-2 to d30+2; started at 10:00 on d30+2 (the 08:00 slot of that day was missed too)
    const restart = addDays(d30, 2);
    const now = new Date(`${restart}T10:00:00+01:00`);
    const s = new Scheduler(contextAt(t, restart), [aciDeadlineAlertsJob]);
    const ran = await s.catchUp(now, 5);
    expect(ran.map((r) => r.status)).toEqual(["termine"]);

    const fresh = await t.db.deadlineAlert.findMany({ where: { cptsId }, orderBy: { alertOn: "asc" } });
    const newAlerts = fresh.length - alertsBefore;
    const keys = new Set(fresh.slice(alertsBefore).map((a) => a.key));
    expect(newAlerts).toBe(keys.size); // one per deadline
    const mine = await t.db.outboxMessage.findMany({ where: { cptsId, kind: "alerte", channel: "MAIL", refId: target.key }, select: { bodyText: true, idempotencyKey: true } });
    const caughtUp = mine.filter((m) => m.idempotencyKey.includes(`:${d30}:`));
    expect(caughtUp.length).toBeGreaterThan(0);
    for (const m of caughtUp) {
      expect(m.bodyText).toContain("dans 28 jours");
      expect(m.bodyText).not.toMatch(/dans (29|30|31|32) jours/);
    }
    // a second start the same day runs nothing more
    expect(await s.catchUp(new Date(now.getTime() + 60_000), 5)).toEqual([]);
  });
});
