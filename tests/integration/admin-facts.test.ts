// Dated facts entered in the admin (issue 16): each one shows up with the right deadline on the
// Échéances page, in the iCal feed and in the deadline-alert job, and stops alerting once done.
// Also: CPAM receipts recorded on the Financement page (received / expected / late, never from the
// calendar) and the 153 000 € basis. Runs on SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminTestEnv, Client, TODAY, type AdminTestEnv } from "./admin-setup.ts";
import { contextAt } from "./jobs-context.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { seedTenant, PASSWORD, type Tenant } from "../security/tenants-setup.ts";
import { Scheduler } from "../../src/scheduler/scheduler.ts";
import { aciDeadlineAlertsJob } from "../../jobs/aci-deadline-alerts.ts";
import { addDays, formatDateFr, formatEuros, matchReceipts, paymentCalendar, summarize } from "../../src/rules/index.ts";
import { loadRulesInputs } from "../../src/db/repos/cpts-rules-repo.ts";

let env: AdminTestEnv;
let demo: Client;
let other: Tenant;
let otherClient: Client;

beforeAll(async () => {
  env = await adminTestEnv();
  demo = new Client(env.app);
  expect((await demo.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
  // a CPTS before its ACI (mission précoce, projet de santé)
  other = await seedTenant(env.t.db, "cpts-naissante", "Naissante", "91001");
  otherClient = new Client(env.app);
  expect((await otherClient.login(other.coordinatorEmail, PASSWORD)).status).toBe(303);
}, 60_000);
afterAll(async () => env?.t.cleanup());

const unfold = (ics: string) => ics.replace(/\r\n /g, "");

async function ical(cptsId: string): Promise<string> {
  const { icalToken } = await env.t.db.cpts.findUniqueOrThrow({ where: { id: cptsId } });
  const res = await env.app.request(`/ical/${icalToken}.ics`);
  expect(res.status).toBe(200);
  return unfold(await res.text());
}

/** Runs the deadline-alert job on `day` for the CPTS; true when it alerted `key` (a new alert row). */
async function alertedOn(cptsId: string, key: string, day: string): Promise<boolean> {
  const before = await env.t.db.deadlineAlert.count({ where: { cptsId, key } });
  const outcome = await new Scheduler(contextAt(env.t, day), [aciDeadlineAlertsJob]).runManual(aciDeadlineAlertsJob, { at: day, cptsId });
  expect(outcome.status).toBe("termine");
  return (await env.t.db.deadlineAlert.count({ where: { cptsId, key } })) > before;
}

interface FactCase {
  name: string;
  tenant: () => { client: Client; cptsId: string };
  path: string;
  fields: Record<string, string>;
  /** The deadline key, once the fact is in the database. */
  key: () => Promise<string>;
  due: string;
  labelPart: string;
}

const demoTenant = () => ({ client: demo, cptsId: env.cptsId });
const otherTenant = () => ({ client: otherClient, cptsId: other.id });

const CASES: FactCase[] = [
  {
    name: "changement de gouvernance → déclaration au greffe sous 3 mois",
    tenant: demoTenant,
    path: "/admin/echeances/gouvernance",
    fields: { date: "2026-11-10", detail: "nouveau bureau élu en AG" },
    key: async () => "governance:2026-11-10",
    due: "2027-02-10",
    labelPart: "nouveau bureau élu en AG",
  },
  {
    name: "embauche → déclaration du salarié à l'URSSAF sous 8 jours",
    tenant: demoTenant,
    path: "/admin/echeances/faits",
    fields: { kind: "EMBAUCHE", date: "2026-11-20", detail: "coordonnatrice" },
    key: async () => `hire:${(await env.t.db.cptsFact.findFirstOrThrow({ where: { cptsId: env.cptsId, kind: "EMBAUCHE" } })).id}:urssaf_salarie`,
    due: "2026-11-28",
    labelPart: "Déclarer le salarié à l'URSSAF",
  },
  {
    name: "lettre de résiliation reçue → résiliation effective 2 mois après",
    tenant: demoTenant,
    path: "/admin/echeances/faits",
    fields: { kind: "RESILIATION_RECUE", date: "2026-11-16" },
    key: async () => "termination:2026-11-16",
    due: "2027-01-16",
    labelPart: "Résiliation de l'ACI effective",
  },
  {
    name: "aide mission précoce reçue → projet de santé et ACI sous 9 mois",
    tenant: otherTenant,
    path: "/admin/echeances/faits",
    fields: { kind: "AIDE_MISSION_PRECOCE", date: "2026-10-01", montant: "17 500,00" },
    key: async () => "mission_precoce",
    due: "2027-07-01",
    labelPart: "Déposer le projet de santé et signer l'ACI",
  },
  {
    name: "projet de santé déposé → réponse de l'ARS et de la CPAM sous 2 mois",
    tenant: otherTenant,
    path: "/admin/echeances/faits",
    fields: { kind: "PROJET_SANTE_DEPOT", date: "2026-11-02" },
    key: async () => "projet_sante",
    due: "2027-01-02",
    labelPart: "Réponse de l'ARS et de la CPAM",
  },
];

describe(`faits datés saisis dans l'administration (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it.each(CASES)("$name : page Échéances, iCal, alertes jusqu'à « faite »", async (c) => {
    const { client, cptsId } = c.tenant();
    await client.get("/admin/echeances");
    const res = await client.post(c.path, c.fields);
    expect(res.status).toBe(303);
    const page = await (await client.get("/admin/echeances")).text();
    expect(page).toContain("enregistré");
    const key = await c.key();
    // the Échéances page: the label and the due date, in the list item of the key
    const item = new RegExp(`id="e-${key.replace(/[^a-z0-9]/gi, "-")}"[\\s\\S]*?</li>`).exec(page)?.[0] ?? "";
    expect(item).toContain(formatDateFr(c.due));
    expect(item.replace(/&#39;/g, "'")).toContain(c.labelPart);
    // the iCal feed
    const feed = await ical(cptsId);
    expect(feed).toContain(`UID:${key}@`);
    const event = feed.slice(feed.indexOf(`UID:${key}@`));
    expect(event.slice(0, event.indexOf("END:VEVENT"))).toContain(`DTSTART;VALUE=DATE:${c.due.replace(/-/g, "")}`);
    // the deadline-alert job: alerted 7 days before (or on the day, when that is already past)
    const firstDay = addDays(c.due, -7) >= TODAY ? addDays(c.due, -7) : c.due;
    expect(await alertedOn(cptsId, key, firstDay)).toBe(true);
    // marked done in the admin: no alert any more, « faite » in the feed
    await client.get("/admin/echeances");
    expect((await client.post("/admin/echeances/fait", { key })).status).toBe(303);
    expect(await alertedOn(cptsId, key, c.due)).toBe(false);
    expect(await alertedOn(cptsId, key, addDays(c.due, 7))).toBe(false);
    const after = await ical(cptsId);
    const doneEvent = after.slice(after.indexOf(`UID:${key}@`));
    expect(doneEvent.slice(0, doneEvent.indexOf("END:VEVENT"))).toContain("STATUS:CONFIRMED");
  });

  it("une embauche liste les 7 obligations de l'employeur du guide", async () => {
    const page = (await (await demo.get("/admin/echeances")).text()).replace(/&#39;/g, "'");
    for (const text of ["Déclarer l'association comme employeur à l'URSSAF", "registre unique du personnel", "document unique d'évaluation des risques", "retraite complémentaire", "OPCO", "complémentaire santé et de prévoyance"]) {
      expect(page).toContain(text);
    }
  });

  it("la réponse au projet de santé clôt son échéance", async () => {
    await otherClient.get("/admin/echeances");
    await env.t.db.deadlineState.deleteMany({ where: { cptsId: other.id, key: "projet_sante" } });
    expect((await otherClient.post("/admin/echeances/faits", { kind: "PROJET_SANTE_REPONSE", date: "2026-11-20", detail: "validé" })).status).toBe(303);
    const inputs = (await loadRulesInputs(env.t.db, other.id))!;
    expect(inputs.deadlines.projetSanteValidatedDate).toBe("2026-11-20");
    const page = await (await otherClient.get("/admin/echeances?passees=1")).text();
    expect(/id="e-projet-sante"[\s\S]*?<\/li>/.exec(page)?.[0]).toContain("Annuler « fait »");
  });

  it("refuse en français une saisie invalide, sans rien écrire", async () => {
    const before = await env.t.db.cptsFact.count();
    await demo.get("/admin/echeances");
    const invalid: Record<string, string>[] = [
      { kind: "EMBAUCHE", date: "2026-11-20" }, // no role
      { kind: "AIDE_FIR", date: "2026-11-20" }, // no amount
      { kind: "AIDE_FIR", date: "2025-01-32", montant: "1000" },
      { kind: "INCONNU", date: "2026-11-20" },
      { kind: "AIDE_FIR", date: "2026-11-20", montant: "douze" },
    ];
    for (const fields of invalid) {
      await demo.get("/admin/echeances");
      const res = await demo.post("/admin/echeances/faits", fields);
      expect(res.status).toBe(422); // the page answered again, with what was typed and the error beside the field
      const page = await res.text();
      expect(page).toContain("rien n&#39;a été enregistré");
      expect(page).toMatch(/<select[^>]*id="fait-kind"/);
      if (fields.montant) expect(page).toContain(`value="${fields.montant}"`);
    }
    expect(await env.t.db.cptsFact.count()).toBe(before);
  });

  it("refuse une réponse au projet de santé antérieure à son dépôt, l'erreur à côté de la date", async () => {
    await demo.get("/admin/echeances");
    expect((await demo.post("/admin/echeances/faits", { kind: "PROJET_SANTE_DEPOT", date: "2026-06-10" })).status).toBe(303);
    await demo.get("/admin/echeances");
    const res = await demo.post("/admin/echeances/faits", { kind: "PROJET_SANTE_REPONSE", date: "2026-05-02", detail: "validé" });
    expect(res.status).toBe(422);
    const page = (await res.text()).replace(/&#39;/g, "'");
    const input = /<input[^>]*id="fait-date"[^>]*>/.exec(page)?.[0] ?? "";
    expect(input).toContain('value="2026-05-02"');
    expect(input).toContain('aria-invalid="true"');
    expect(page).toMatch(/id="fait-date-err">La réponse au projet de santé ne peut pas précéder son dépôt \(10\/06\/2026\)/);
    expect(await env.t.db.cptsFact.count({ where: { cptsId: env.cptsId, kind: "PROJET_SANTE_REPONSE" } })).toBe(0);
  });
});

describe("entrées des règles sans le financement (échéances, alertes, plan de crise)", () => {
  it("mêmes échéances et mêmes réglages qu'avec le financement ; les indicateurs et le compte d'adhérents ne sont pas lus", async () => {
    const full = (await loadRulesInputs(env.t.db, env.cptsId))!;
    const lean = (await loadRulesInputs(env.t.db, env.cptsId, { funding: false }))!;
    // the demo CPTS has a signed ACI with indicator results: the full load has them
    expect(Object.keys(full.funding!.indicatorAchievement ?? {}).length).toBeGreaterThan(0);
    expect(full.funding!.memberCount).toBeGreaterThan(0);
    expect(lean.funding).toBeNull();
    expect(lean.deadlines).toEqual(full.deadlines);
    expect(lean.settings).toEqual(full.settings);
    expect(lean.contractId).toBe(full.contractId);
    expect(lean.facts).toEqual(full.facts);
  });
});

describe("versements CPAM reçus, attendus, en retard", () => {
  it("sans versement saisi, la page Financement ne montre rien de reçu ; un versement saisi est rapproché du calendrier", async () => {
    const fin0 = await (await demo.get("/admin/financement")).text();
    expect(fin0).toContain("Aucun versement enregistré");
    expect(fin0).not.toContain("Déjà versé");
    const inputs = (await loadRulesInputs(env.t.db, env.cptsId))!;
    const calendar = paymentCalendar(inputs.funding!, inputs.settings);
    const first = calendar[0]!;
    expect((await demo.post("/admin/financement/versements", { date: first.date, montant: formatEuros(first.montant_cents).replace(" €", "") })).status).toBe(303);
    const fin = await (await demo.get("/admin/financement")).text();
    expect(fin).toContain("enregistré et rapproché");
    const expected = summarize(matchReceipts(calendar, [{ date: first.date, cents: first.montant_cents }], TODAY).payments);
    expect(fin).toContain(`reçu ${formatEuros(expected.recu_cents)}`);
    expect(expected.recu_cents).toBe(first.montant_cents);
    // the dashboard says the same and where to see the rest
    const dash = await (await demo.get("/admin")).text();
    expect(dash).toContain("Versements ACI : reçu, attendu, en retard");
    expect(dash).toContain("Financement détaillé et versements reçus");
  });

  it("une aide FIR saisie entre dans la base du seuil de 153 000 €, affichée", async () => {
    await demo.get("/admin/echeances");
    expect((await demo.post("/admin/echeances/faits", { kind: "AIDE_FIR", date: "2026-03-02", montant: "24 000" })).status).toBe(303);
    const fin = await (await demo.get("/admin/financement")).text();
    expect(fin).toContain("Seuil du commissaire aux comptes (2026)");
    expect(fin).toContain("ARS (FIR) 24 000,00 €");
  });

  it("refuse un versement futur ou nul, sans rien écrire", async () => {
    const before = await env.t.db.cpamReceipt.count();
    for (const fields of [{ date: addDays(TODAY, 3), montant: "100" }, { date: TODAY, montant: "0" }, { date: TODAY, montant: "abc" }]) {
      await demo.get("/admin/financement");
      await demo.post("/admin/financement/versements", fields);
      expect(await (await demo.get("/admin/financement")).text()).toContain("Rien n&#39;a été enregistré");
    }
    expect(await env.t.db.cpamReceipt.count()).toBe(before);
  });
});
