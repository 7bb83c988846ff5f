import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, type AdminTestEnv } from "./admin-setup.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";

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
    expect(first).toMatch(new RegExp(`${total} personne\\(s\\)`));
    expect(first).toContain('href="/admin/adherents?page=2"');
    expect(first.length).toBeLessThan(200_000);

    const second = await (await c.get("/admin/adherents?page=2")).text();
    expect(second).toContain(`Page 2 sur ${pages}`);
    expect(rowsOf(second)).toBe(50);
    expect(second).toContain('href="/admin/adherents?page=1"');

    // a search: the count is the search's, the links keep it
    const found = await (await c.get("/admin/adherents?q=Volume&page=2")).text();
    expect(found).toContain("360 personne(s) · 51 à 100 affichées");
    expect(found).toContain("Page 2 sur 8");
    expect(found).toContain('href="/admin/adherents?q=Volume&amp;page=3"');
    expect(found).toContain('href="/admin/adherents?q=Volume&amp;page=1"');
    const narrow = await (await c.get("/admin/adherents?q=Volume1")).text();
    expect(narrow).toContain("100 personne(s)");
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
});
