// Admin forms that come back to themselves: on an error the page is answered again (422) with the typed
// values, the French error beside the field and a summary linking to it; after a save, back to the
// form's section. Unique ids on every page, consistency checks of date pairs, crisis-plan notes kept.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, type AdminTestEnv } from "./admin-setup.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";

let env: AdminTestEnv;
let coord: Client;

beforeAll(async () => {
  env = await adminTestEnv();
  coord = new Client(env.app);
  expect((await coord.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
});
afterAll(async () => env?.t.cleanup());

const decode = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");

/** Every id of the page, every label's `for`, every aria-describedby target. */
function idsOf(html: string) {
  const ids = [...html.matchAll(/<[a-zA-Z][^>]*?\sid="([^"]*)"/g)].map((m) => m[1]!);
  const fors = [...html.matchAll(/<label[^>]*?\sfor="([^"]*)"/g)].map((m) => m[1]!);
  const described = [...html.matchAll(/\saria-describedby="([^"]*)"/g)].flatMap((m) => m[1]!.split(/\s+/));
  const anchors = [...html.matchAll(/<a[^>]*?\shref="#([^"]+)"/g)].map((m) => decode(m[1]!));
  return { ids, fors, described, anchors };
}

/** The opening tag of the element with this id. */
const tagOf = (html: string, id: string) => new RegExp(`<[a-z]+[^>]*\\sid="${id}"[^>]*>`).exec(html)?.[0] ?? "";

describe(`admin : formulaires, ids uniques, contrôles de cohérence (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("aucune page de l'administration n'a d'id en double ; chaque label for, aria-describedby et ancre vise un id existant", async () => {
    const seen = new Set<string>(["/admin"]);
    const queue = ["/admin"];
    const problems: string[] = [];
    let pages = 0;
    while (queue.length && pages < 80) {
      const path = queue.shift()!;
      const res = await coord.get(path);
      if (!(res.headers.get("content-type") ?? "").includes("html") || res.status !== 200) continue;
      pages++;
      const html = await res.text();
      const { ids, fors, described, anchors } = idsOf(html);
      const count = new Map<string, number>();
      for (const id of ids) count.set(id, (count.get(id) ?? 0) + 1);
      for (const [id, n] of count) if (n > 1) problems.push(`${path} : id « ${id} » ×${n}`);
      const set = new Set(ids);
      for (const f of fors) if (!set.has(f)) problems.push(`${path} : label for « ${f} » sans élément`);
      for (const d of described) if (!set.has(d)) problems.push(`${path} : aria-describedby « ${d} » sans élément`);
      for (const a of anchors) if (!set.has(a)) problems.push(`${path} : ancre #${a} sans élément`);
      for (const m of html.matchAll(/href="(\/admin\/[^"#?]*)"/g)) {
        const next = decode(m[1]!);
        if (/\/(deconnexion|assets|export|ical|ajouter|retour)|\.csv$|\.ics$/.test(next) || seen.has(next)) continue;
        seen.add(next);
        queue.push(next);
      }
    }
    expect(pages).toBeGreaterThanOrEqual(14);
    expect(problems).toEqual([]);
  });

  it("les formulaires de la page CPTS ont des ids préfixés par formulaire (plus de f-name en double)", async () => {
    const html = await (await coord.get("/admin/cpts")).text();
    expect(html).toContain('id="general-name"');
    expect(html).toContain('id="commune-name"');
    expect(html).toMatch(/<label for="general-population">/);
    expect(html).not.toContain('id="f-name"');
  });

  it("refuse une date de déploiement antérieure au démarrage : erreur en français à côté du champ, valeurs gardées, résumé en tête", async () => {
    const mission = await env.t.db.aciMission.findFirstOrThrow({ where: { contract: { cptsId: env.cptsId }, kind: "PREVENTION" } });
    await coord.get("/admin/cpts");
    const res = await coord.post(`/admin/cpts/missions/${mission.id}`, { contracted: "on", startOn: "2026-05-10", deployedOn: "2026-03-01", startDueOn: "", deployDueOn: "" });
    expect(res.status).toBe(422);
    const html = await res.text();
    const fid = `mission-${mission.id}`;
    const input = tagOf(html, `${fid}-deployedOn`);
    expect(input).toContain('value="2026-03-01"');
    expect(input).toContain('aria-invalid="true"');
    expect(input).toContain(`aria-describedby="${fid}-deployedOn-err"`);
    expect(input).toContain("autofocus");
    expect(decode(html)).toMatch(new RegExp(`id="${fid}-deployedOn-err"[^>]*>[^<]*ne peut pas précéder le démarrage`));
    expect(tagOf(html, `${fid}-startOn`)).toContain('value="2026-05-10"');
    // the summary at the top links to the field
    expect(html).toMatch(new RegExp(`form-summary"[\\s\\S]*?href="#${fid}-deployedOn"`));
    const after = await env.t.db.aciMission.findUniqueOrThrow({ where: { id: mission.id } });
    expect(after.deployedOn).toBe(mission.deployedOn);
  });

  it("après un enregistrement, revient à la section du formulaire (ancre), pas en haut de page", async () => {
    const mission = await env.t.db.aciMission.findFirstOrThrow({ where: { contract: { cptsId: env.cptsId }, kind: "PREVENTION" } });
    await coord.get("/admin/cpts");
    const res = await coord.post(`/admin/cpts/missions/${mission.id}`, { contracted: "on", startOn: "2026-03-01", deployedOn: "2026-05-10" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/admin/cpts#mission-${mission.id}`);
    const after = await env.t.db.aciMission.findUniqueOrThrow({ where: { id: mission.id } });
    expect(after.deployedOn).toBe("2026-05-10");
  });

  it("refuse un déploiement prévu avant le démarrage prévu et un avenant antérieur à la signature du contrat", async () => {
    const mission = await env.t.db.aciMission.findFirstOrThrow({ where: { contract: { cptsId: env.cptsId }, kind: "QUALITE" } });
    await coord.get("/admin/cpts");
    const res = await coord.post(`/admin/cpts/missions/${mission.id}`, { startDueOn: "2027-06-01", deployDueOn: "2027-01-15" });
    expect(res.status).toBe(422);
    expect(decode(await res.text())).toMatch(new RegExp(`id="mission-${mission.id}-deployDueOn-err"[^>]*>[^<]*ne peut pas précéder le démarrage prévu`));
    const contract = await env.t.db.aciContract.findFirstOrThrow({ where: { cptsId: env.cptsId } });
    const before = await env.t.db.aciAmendment.count({ where: { contractId: contract.id } });
    const r2 = await coord.post("/admin/cpts/avenants", { effectiveOn: "2019-01-01", description: "Avenant daté d'avant le contrat" });
    expect(r2.status).toBe(422);
    const html = decode(await r2.text());
    expect(html).toMatch(/id="amendment-effectiveOn-err"[^>]*>[^<]*ne peut pas précéder la signature du contrat/);
    expect(tagOf(html, "amendment-description")).toContain("Avenant daté d'avant le contrat");
    expect(await env.t.db.aciAmendment.count({ where: { contractId: contract.id } })).toBe(before);
  });

  it("garde les notes saisies en adoptant le brouillon du plan de crise", async () => {
    await coord.get("/admin/plan-de-crise");
    const res = await coord.post("/admin/plan-de-crise/versions", { adoptedOn: "2026-11-20", notes: "Adopté en CA du 20 novembre, annuaire des pharmacies à jour" });
    expect(res.status).toBe(303);
    const v = await env.t.db.crisisPlanVersion.findFirstOrThrow({ where: { cptsId: env.cptsId }, orderBy: { version: "desc" } });
    expect(v.adoptedOn).toBe("2026-11-20");
    expect(v.notes).toBe("Adopté en CA du 20 novembre, annuaire des pharmacies à jour");
    expect(await (await coord.get("/admin/plan-de-crise")).text()).toContain("annuaire des pharmacies à jour");
  });
});
