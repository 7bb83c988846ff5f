// Issue 17: the crisis-plan owner is picked by a search (never a dropdown of every member), and the
// meetings of a year, the newsletters and the crisis activations are paginated by the database.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, TODAY, type AdminTestEnv } from "./admin-setup.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";

const YEAR = Number(TODAY.slice(0, 4));
let env: AdminTestEnv;
let c: Client;
let sectionId = "";
beforeAll(async () => {
  env = await adminTestEnv();
  c = new Client(env.app);
  expect((await c.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
  // 300 more members, 30 of them named « Lemarchand »: a search must narrow, never list them all
  await env.t.db.member.createMany({
    data: Array.from({ length: 300 }, (_, i) => ({
      cptsId: env.cptsId, firstName: `Prénom${i}`, lastName: i < 30 ? "Lemarchand" : `Volume${String(i).padStart(3, "0")}`, email: `vol${i}@exemple-sante.fr`, profession: "infirmier",
    })),
  });
  sectionId = (await env.t.db.crisisPlanSection.findFirstOrThrow({ where: { version: { cptsId: env.cptsId }, kind: "ANTICIPER" }, select: { id: true } })).id;
}, 60_000);
afterAll(async () => env?.t.cleanup());

const rowsOf = (html: string, id: string) => (new RegExp(`<table class="cards" id="${id}">[\\s\\S]*?</table>`).exec(html)?.[0].match(/<tr>/g) ?? []).length - 1;
const unescape = (html: string) => html.replace(/&#39;/g, "'");
const ownerOf = async () => (await env.t.db.crisisPlanSection.findUniqueOrThrow({ where: { id: sectionId }, select: { ownerId: true } })).ownerId;

describe(`admin : responsable d'une partie du plan de crise par recherche (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("la page montre le responsable actuel dans un champ de recherche, sans liste de tous les adhérents", async () => {
    const html = await (await c.get("/admin/plan-de-crise")).text();
    const current = await env.t.db.member.findUniqueOrThrow({ where: { id: (await ownerOf())! }, select: { email: true } });
    expect(html).toContain(`id="responsable-${sectionId}-responsable"`);
    expect(html).toContain(`(${current.email})`);
    expect(html).toContain('data-member-search="/admin/plan-de-crise/adherents"');
    expect(html).not.toContain("vol299@exemple-sante.fr"); // no option per member
    expect(html).not.toContain("<select name=\"ownerId\"");
  });

  it("les suggestions (JSON) : 20 au plus, filtrées par le nom, réservées au coordonnateur", async () => {
    const many = (await (await c.get("/admin/plan-de-crise/adherents?q=lemarch", { accept: "application/json" })).json()) as { suggestions: { id: string; label: string }[] };
    expect(many.suggestions).toHaveLength(20);
    expect(many.suggestions.every((s) => s.label.startsWith("Prénom") && s.label.includes("Lemarchand"))).toBe(true);
    const one = (await (await c.get("/admin/plan-de-crise/adherents?q=volume123")).json()) as { suggestions: { label: string }[] };
    expect(one.suggestions.map((s) => s.label)).toEqual(["Prénom123 Volume123 (vol123@exemple-sante.fr)"]);
    expect(((await (await c.get("/admin/plan-de-crise/adherents?q=%25")).json()) as { suggestions: unknown[] }).suggestions).toEqual([]);
  });

  it("un adhérent inconnu : 422, erreur en français à côté du champ, rien d'enregistré", async () => {
    const before = await ownerOf();
    const res = await c.post(`/admin/plan-de-crise/sections/${sectionId}/responsable`, { responsable: "Personne Inconnue" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain(`id="responsable-${sectionId}-responsable-err"`);
    expect(html).toContain("Aucun adhérent actif de votre CPTS ne correspond à « Personne Inconnue »");
    expect(html).toMatch(/aria-invalid="true"[^>]*data-member-search|data-member-search[^>]*aria-invalid="true"|aria-invalid="true"/);
    expect(html).toContain('value="Personne Inconnue"');
    expect(await ownerOf()).toBe(before);
    // an id from another CPTS or made up is refused too
    const forged = await c.post(`/admin/plan-de-crise/sections/${sectionId}/responsable`, { responsable: "", responsableChoix: "inconnu-123" });
    expect(forged.status).toBe(422);
    expect(unescape(await forged.text())).toContain("Cet adhérent n'existe pas ou n'est plus actif dans votre CPTS.");
    expect(await ownerOf()).toBe(before);
  });

  it("sans JavaScript : un nom partagé propose les adhérents trouvés, le choix enregistre", async () => {
    const res = await c.post(`/admin/plan-de-crise/sections/${sectionId}/responsable`, { responsable: "Lemarchand" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("Plus de 20 adhérents correspondent à « Lemarchand »");
    expect(html.match(/name="responsableChoix"/g)).toHaveLength(20);
    const narrow = await c.post(`/admin/plan-de-crise/sections/${sectionId}/responsable`, { responsable: "Lemarchand Prénom1" });
    expect(narrow.status).toBe(422); // Prénom1, Prénom10…Prénom19
    expect(await narrow.text()).toContain("11 adhérents correspondent");
    const picked = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: "vol17@exemple-sante.fr" }, select: { id: true } });
    const ok = await c.post(`/admin/plan-de-crise/sections/${sectionId}/responsable`, { responsable: "Lemarchand Prénom1", responsableChoix: picked.id });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toContain(`#responsable-${sectionId}`);
    expect(await ownerOf()).toBe(picked.id);
  });

  it("une suggestion choisie (« Nom (adresse) ») ou une adresse seule enregistre ; vide retire le responsable", async () => {
    const m = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: "vol200@exemple-sante.fr" }, select: { id: true } });
    expect((await c.post(`/admin/plan-de-crise/sections/${sectionId}/responsable`, { responsable: "Prénom200 Volume200 (vol200@exemple-sante.fr)" })).status).toBe(303);
    expect(await ownerOf()).toBe(m.id);
    await c.get("/admin/plan-de-crise");
    expect((await c.post(`/admin/plan-de-crise/sections/${sectionId}/responsable`, { responsable: "VOL201@exemple-sante.fr" })).status).toBe(303);
    expect((await env.t.db.member.findUniqueOrThrow({ where: { id: (await ownerOf())! }, select: { email: true } })).email).toBe("vol201@exemple-sante.fr");
    await c.get("/admin/plan-de-crise");
    expect((await c.post(`/admin/plan-de-crise/sections/${sectionId}/responsable`, { responsable: "" })).status).toBe(303);
    expect(await ownerOf()).toBeNull();
  });

  it("émargement d'une réunion : même recherche, adhérent inconnu refusé en français", async () => {
    const meeting = await env.t.db.meeting.findFirstOrThrow({ where: { cptsId: env.cptsId, closedAt: null }, select: { id: true } });
    const page = await (await c.get(`/admin/reunions/${meeting.id}`)).text();
    expect(page).toContain('id="present-adherent"');
    expect(page).not.toContain("vol299@exemple-sante.fr");
    const bad = await c.post(`/admin/reunions/${meeting.id}/presents`, { adherent: "Zzz Introuvable" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("Aucun adhérent actif de votre CPTS ne correspond à « Zzz Introuvable »");
    const ok = await c.post(`/admin/reunions/${meeting.id}/presents`, { adherent: "vol42@exemple-sante.fr" });
    expect(ok.status).toBe(303);
    const m = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: "vol42@exemple-sante.fr" }, select: { id: true } });
    expect(await env.t.db.attendance.count({ where: { meetingId: meeting.id, memberId: m.id } })).toBe(1);
  });
});

describe(`admin : réunions, newsletters et crises paginées par la base (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  beforeAll(async () => {
    const base = Date.parse(`${TODAY}T08:00:00Z`);
    await env.t.db.meeting.createMany({
      data: Array.from({ length: 120 }, (_, i) => ({ cptsId: env.cptsId, title: `Réunion volume ${i}`, mission: "parcours", heldOn: `${YEAR}-${String(1 + (i % 10)).padStart(2, "0")}-10`, durationMin: 60, createdAt: new Date(base - i * 60_000) })),
    });
    await env.t.db.meeting.create({ data: { cptsId: env.cptsId, title: "Réunion de l'an passé", mission: "parcours", heldOn: `${YEAR - 1}-03-10`, durationMin: 60 } });
    await env.t.db.newsletter.createMany({
      data: Array.from({ length: 58 }, (_, i) => ({ cptsId: env.cptsId, subject: `Lettre volume ${i}`, body: "Bonjour, les nouvelles.", state: "BROUILLON", createdAt: new Date(base - i * 60_000) })),
    });
    await env.t.db.crisisActivation.createMany({
      data: Array.from({ length: 55 }, (_, i) => ({ cptsId: env.cptsId, situation: "MALADES" as const, activatedOn: `${YEAR - 1}-01-${String(1 + (i % 28)).padStart(2, "0")}`, closedOn: `${YEAR - 1}-02-01`, exercise: true, createdAt: new Date(base - i * 60_000) })),
    });
    const first = await env.t.db.crisisActivation.findFirstOrThrow({ where: { cptsId: env.cptsId }, orderBy: [{ activatedOn: "desc" }, { createdAt: "desc" }, { id: "desc" }], select: { id: true } });
    const people = await env.t.db.member.findMany({ where: { cptsId: env.cptsId }, take: 5, select: { id: true } });
    await env.t.db.crisisRollCall.createMany({ data: people.map((p, i) => ({ activationId: first.id, memberId: p.id, available: i < 3 })) });
  });

  it("réunions de l'année : 50 par page, le nombre, les liens gardent l'année ; une autre année ; paramètres incompris", async () => {
    const total = await env.t.db.meeting.count({ where: { cptsId: env.cptsId, heldOn: { gte: `${YEAR}-01-01`, lte: `${YEAR}-12-31` } } });
    expect(total).toBeGreaterThanOrEqual(120);
    const one = await (await c.get("/admin/reunions")).text();
    expect(rowsOf(one, "reunions")).toBe(50);
    expect(one).toContain(`1–50 sur ${total} réunions en ${YEAR}`);
    expect(one).toContain(`href="/admin/reunions?annee=${YEAR}&amp;page=2"`);
    const two = await (await c.get(`/admin/reunions?annee=${YEAR}&page=2`)).text();
    expect(rowsOf(two, "reunions")).toBe(50);
    expect(two).toContain(`51–100 sur ${total} réunions en ${YEAR}`);
    expect(two).toContain(`Page 2 sur ${Math.ceil(total / 50)}`);
    const last = await (await c.get(`/admin/reunions?annee=${YEAR}&page=99`)).text();
    expect(last).toContain(`Page ${Math.ceil(total / 50)} sur ${Math.ceil(total / 50)}`);
    const past = await (await c.get(`/admin/reunions?annee=${YEAR - 1}`)).text();
    expect(past).toContain(`1 réunion en ${YEAR - 1}`);
    expect(past).toContain("Réunion de l&#39;an passé");
    const bad = await c.get("/admin/reunions?annee=deux-mille&page=abc");
    expect(bad.status).toBe(200);
    const badHtml = unescape(await bad.text());
    expect(badHtml).toContain("Année invalide : l'année en cours est affichée.");
    expect(badHtml).toContain("Numéro de page invalide : la première page est affichée.");
    expect(badHtml).toContain(`Page 1 sur ${Math.ceil(total / 50)}`);
  });

  it("newsletters : historique paginé avec le nombre ; page au-delà de la fin : la dernière", async () => {
    const total = await env.t.db.newsletter.count({ where: { cptsId: env.cptsId } });
    expect(total).toBe(60);
    const one = await (await c.get("/admin/newsletters")).text();
    expect(rowsOf(one, "newsletters")).toBe(50);
    expect(one).toContain("1–50 sur 60 lettres");
    const two = await (await c.get("/admin/newsletters?page=2")).text();
    expect(rowsOf(two, "newsletters")).toBe(10);
    expect(two).toContain("51–60 sur 60 lettres");
    expect(two).toContain('href="/admin/newsletters?page=1"');
    expect(await (await c.get("/admin/newsletters?page=7")).text()).toContain("Page 2 sur 2");
    const bad = await c.get("/admin/newsletters?page=-1&tri=xyz");
    expect(bad.status).toBe(200);
    expect(await bad.text()).toContain("Tri inconnu");
  });

  it("crises : activations paginées, disponibles et indisponibles comptés par la base", async () => {
    const one = await (await c.get("/admin/crises")).text();
    expect(rowsOf(one, "crises")).toBe(50);
    expect(one).toContain("1–50 sur 55 activations");
    // the newest activation's counts: 3 available, 2 unavailable
    const firstRow = /<table class="cards" id="crises">[\s\S]*?<tbody>\s*<tr>([\s\S]*?)<\/tr>/.exec(one)?.[1] ?? "";
    expect(firstRow).toMatch(/data-label="Disponibles" class="num">3</);
    expect(firstRow).toMatch(/data-label="Indisponibles" class="num">2</);
    const two = await (await c.get("/admin/crises?page=2")).text();
    expect(rowsOf(two, "crises")).toBe(5);
    expect(two).toContain("51–55 sur 55 activations");
    const bad = await c.get("/admin/crises?page=x");
    expect(bad.status).toBe(200);
    expect(await bad.text()).toContain("Numéro de page invalide");
  });
});
