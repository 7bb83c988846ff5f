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
});
