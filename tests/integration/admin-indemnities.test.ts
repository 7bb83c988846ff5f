// Closing a meeting applies the CPTS's règlement intérieur: a role rate (bureau, CA…) beats the
// profession rate, and the CPTS's own settings (here its PASS ceiling) bound the amounts.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, TODAY, type AdminTestEnv } from "./admin-setup.ts";
import { openMeeting, signAttendance, closeMeeting } from "../../src/app/services/meetings.ts";

let env: AdminTestEnv;
beforeAll(async () => {
  env = await adminTestEnv();
});
afterAll(async () => env?.t.cleanup());

describe(`admin : indemnités selon le rôle et les réglages de la CPTS (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("le taux du bureau l'emporte sur celui de la profession, et le plafond PASS propre à la CPTS s'applique", async () => {
    const cpts = await env.t.db.cpts.create({
      data: { slug: "cpts-indemnites", name: "CPTS Indemnités", population: 45_000, settings: { passCeilings: [{ from: "2026-01-01", cents: 12_000 }] } },
    });
    await env.t.db.indemnityRule.createMany({
      data: [
        { cptsId: cpts.id, validFrom: "2026-01-01", unit: "HEURE", professionGroup: "autre", rateCents: 5_000 },
        { cptsId: cpts.id, validFrom: "2026-01-01", unit: "HEURE", professionGroup: "*", role: "Bureau", rateCents: 9_000 },
      ],
    });
    const mk = (lastName: string, roles: ("ADHERENT" | "BUREAU" | "CA")[]) =>
      env.t.db.member.create({ data: { cptsId: cpts.id, lastName, profession: "infirmier", email: `${lastName.toLowerCase()}@indemnites.fr`, roles: { create: roles.map((role) => ({ role })) } } });
    const tresoriere = await mk("Tresoriere", ["ADHERENT", "BUREAU"]);
    const infirmier = await mk("Infirmier", ["ADHERENT"]);
    const elu = await mk("Elu", ["ADHERENT", "CA"]);
    // all three paid their 2026 dues (unpaid members are not indemnified by default)
    for (const m of [tresoriere, infirmier, elu]) await env.t.db.duesPayment.create({ data: { cptsId: cpts.id, memberId: m.id, year: 2026, amountCents: 3000, paidOn: "2026-02-01" } });
    // The nurse already received 100 € this year: the CPTS's PASS of 120 € leaves 20 €.
    await env.t.db.indemnity.create({ data: { cptsId: cpts.id, memberId: infirmier.id, mission: "parcours", year: 2026, amountCents: 10_000, computedOn: "2026-03-01", explanation: "réunion de mars" } });

    const meeting = await openMeeting(env.ctx, { cptsId: cpts.id, title: "Groupe parcours", mission: "parcours", durationMin: 60, heldOn: TODAY, openedBy: "test" });
    for (const m of [tresoriere, infirmier, elu]) await signAttendance(env.ctx, cpts.id, meeting.id, m.id, "admin");
    const closed = await closeMeeting(env.ctx, cpts.id, meeting.id, "test", { force: true });

    const byMember = Object.fromEntries(closed.lines.map((l) => [l.memberId, l]));
    expect(byMember[tresoriere.id]!.amountCents).toBe(9_000);
    expect(byMember[elu.id]!.amountCents).toBe(5_000); // no CA rate in these rules: the profession rate
    expect(byMember[infirmier.id]!.amountCents).toBe(2_000);
    expect(byMember[infirmier.id]!.explanation).toContain("PASS");
    const stored = await env.t.db.indemnity.findMany({ where: { meetingId: meeting.id }, select: { memberId: true, amountCents: true } });
    expect(Object.fromEntries(stored.map((s) => [s.memberId, s.amountCents]))).toEqual({ [tresoriere.id]: 9_000, [elu.id]: 5_000, [infirmier.id]: 2_000 });
  });
});
