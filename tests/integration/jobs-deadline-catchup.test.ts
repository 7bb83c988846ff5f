import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { contextAt } from "./jobs-context.ts";
import { listDeadlines, markDeadlineDone, sendDeadlineAlerts } from "../../src/app/services/deadlines.ts";
import { addDays } from "../../src/rules/index.ts";

const TODAY = "2026-03-20";
let t: TestDb;
let cptsId: string;

beforeAll(async () => {
  t = await createTestDb();
  cptsId = (await loadDemo(t.db, TODAY)).cptsId;
  await t.db.member.create({
    data: { cptsId, firstName: "Claire", lastName: "Conseil", email: "conseil@exemple-sante.fr", roles: { create: [{ role: "ADHERENT" }, { role: "CA" }] } },
  });
});
afterAll(async () => t?.cleanup());

const run = (day: string) => sendDeadlineAlerts(contextAt(t, day), cptsId, day);

describe(`alertes d'échéance rattrapées (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("ordonnanceur arrêté le jour de l'alerte à 30 jours : l'alerte part à l'exécution suivante, une seule fois", async () => {
    const list = await listDeadlines(contextAt(t, TODAY), cptsId, TODAY);
    const target = list.find((d) => d.state !== "fait" && d.alertDates.includes(addDays(d.dueDate, -30)) && addDays(d.dueDate, -31) > TODAY)!;
    const d30 = addDays(target.dueDate, -30);
    await run(addDays(d30, -1)); // earlier slots (90 days) go out here
    const before = await t.db.deadlineAlert.count({ where: { cptsId, key: target.key } });

    // d30: the scheduler is down. Next day:
    const next = await run(addDays(d30, 1));
    expect(next.alerts).toBeGreaterThanOrEqual(1);
    const rows = await t.db.deadlineAlert.findMany({ where: { cptsId, key: target.key }, orderBy: { alertOn: "asc" } });
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)!.alertOn).toBe(d30);
    expect(rows.at(-1)!.level).toBe("rappel");
    const mails = await t.db.outboxMessage.count({ where: { cptsId, kind: "alerte", refId: target.key, channel: "MAIL", idempotencyKey: { contains: `:${d30}:` } } });
    expect(mails).toBe(5);

    // Later runs before the 7-day slot send nothing more for that slot.
    await run(addDays(d30, 2));
    await run(addDays(d30, 10));
    expect(await t.db.deadlineAlert.count({ where: { cptsId, key: target.key } })).toBe(before + 1);
    expect(await t.db.outboxMessage.count({ where: { cptsId, kind: "alerte", refId: target.key, channel: "MAIL", idempotencyKey: { contains: `:${d30}:` } } })).toBe(5);
  });

  it("en retard : rappel tous les 7 jours, étendu au CA, et rattrapé après une panne ; plus rien une fois fait", async () => {
    const list = await listDeadlines(contextAt(t, TODAY), cptsId, TODAY);
    const target = list.find((d) => d.state !== "fait" && d.dueDate > addDays(TODAY, 40))!;
    const due = target.dueDate;
    await run(due);
    expect((await t.db.deadlineAlert.findFirstOrThrow({ where: { cptsId, key: target.key, alertOn: due } })).level).toBe("jour_j");
    const ca = await t.db.member.findMany({ where: { cptsId, roles: { some: { role: "CA" } }, NOT: { roles: { some: { role: { in: ["BUREAU", "COORDONNATEUR"] } } } }, prefAlerts: true, status: "ACTIF", emailInvalid: false, email: { not: null } } });
    const caEmails = new Set(ca.map((m) => m.email!));
    const toCa = async (slot: string) =>
      (await t.db.outboxMessage.findMany({ where: { cptsId, refId: target.key, channel: "MAIL", idempotencyKey: { contains: `:${slot}:` } } })).filter((m) => caEmails.has(m.recipient)).length;
    expect(ca.map((m) => m.email)).toEqual(["conseil@exemple-sante.fr"]);
    expect(await toCa(due)).toBe(0);

    await run(addDays(due, 8)); // the scheduler was down on due + 7
    const late = await t.db.deadlineAlert.findFirstOrThrow({ where: { cptsId, key: target.key, alertOn: addDays(due, 7) } });
    expect(late.level).toBe("retard");
    expect(await toCa(addDays(due, 7))).toBe(ca.length);
    await run(addDays(due, 13));
    await run(addDays(due, 14));
    const slots = (await t.db.deadlineAlert.findMany({ where: { cptsId, key: target.key }, orderBy: { alertOn: "asc" } })).map((r) => r.alertOn);
    expect(slots.filter((s) => s > due)).toEqual([addDays(due, 7), addDays(due, 14)]);

    await markDeadlineDone(contextAt(t, addDays(due, 15)), cptsId, target.key, "admin:test");
    await run(addDays(due, 21));
    expect(await t.db.deadlineAlert.count({ where: { cptsId, key: target.key, alertOn: { gt: addDays(due, 14) } } })).toBe(0);
  });
});
