// The coordinator sets, in the admin, who is indemnified and the PASS of a year; a member's fiche
// shows « partiel » with the balance; « Paiements à vérifier » accepts and rejects.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, type AdminTestEnv } from "./admin-setup.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { CptsSettingsRepository } from "../../src/db/repos/cpts-settings-repo.ts";

let env: AdminTestEnv;
let c: Client;
beforeAll(async () => {
  env = await adminTestEnv();
  c = new Client(env.app);
  expect((await c.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
});
afterAll(async () => env?.t.cleanup());

describe(`admin : réglages d'indemnisation, solde de cotisation (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("enregistre qui est indemnisé et le PASS d'une année, sans toucher aux autres réglages", async () => {
    await env.t.db.cpts.update({ where: { id: env.cptsId }, data: { settings: { votes: { maxProxiesPerHolder: 3 } } } });
    await c.get("/admin/reunions");
    expect(c.lastHtml).toContain("PASS 2026 : <strong>48 060,00 €</strong>");
    expect((await c.post("/admin/reunions/reglages", { partnersEligible: "on" })).status).toBe(303);
    expect((await c.post("/admin/reunions/pass", { year: "2027", amount: "49 000" })).status).toBe(303);
    const bad = await c.post("/admin/reunions/pass", { year: "2027", amount: "0" });
    expect(bad.status).toBe(422);
    const s = await new CptsSettingsRepository(env.ctx.db).resolved(env.cptsId);
    expect(s.indemnityEligibility).toEqual({ partnersEligible: true, unpaidDuesExcluded: false });
    expect(s.passCeilings.map((p) => [p.from, p.cents])).toEqual([["2023-01-01", 4_399_200], ["2024-01-01", 4_636_800], ["2025-01-01", 4_710_000], ["2026-01-01", 4_806_000], ["2027-01-01", 4_900_000]]);
    expect((await new CptsSettingsRepository(env.ctx.db).overrides(env.cptsId)) as object).toMatchObject({ votes: { maxProxiesPerHolder: 3 } });
  });

  it("la fiche d'un adhérent montre « partiel » et le reste ; la saisie refuse le 30 février en français", async () => {
    const m = await env.t.db.member.create({ data: { cptsId: env.cptsId, organization: "MSP Partielle", kind: "MORALE", category: "STRUCTURE", email: "msp.partielle@exemple-sante.fr", roles: { create: { role: "ADHERENT" } } } });
    await c.get(`/admin/adherents/${m.id}`);
    expect((await c.post(`/admin/adherents/${m.id}/paiements`, { amount: "30", paidOn: "2026-11-02", method: "VIREMENT" })).status).toBe(303);
    await c.get(`/admin/adherents/${m.id}`);
    expect(c.lastHtml).toContain("partiel — reste 70,00 €");
    expect(c.lastHtml).toContain("réglé 30,00 € sur 100,00 €");
    const bad = await c.post(`/admin/adherents/${m.id}/paiements`, { amount: "70", paidOn: "2026-02-30", method: "VIREMENT" });
    expect(bad.status).toBe(422);
    expect(c.lastHtml).toContain("ce jour n&#39;existe pas dans le calendrier");
    expect(await env.t.db.duesPayment.count({ where: { memberId: m.id } })).toBe(1);
    await c.get("/admin");
    expect(c.lastHtml).toMatch(/[1-9]\d* cotisation\(s\) partielle\(s\), non comptée\(s\) à jour · reste à encaisser : <strong>[\d ]+,\d\d €<\/strong>/);
  });
});
