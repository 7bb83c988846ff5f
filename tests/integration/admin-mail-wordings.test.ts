// « Modèles de messages » through the real admin (login, CSRF): a CPTS rewords its dues reminder, the
// real dues-reminders job composes it, the real sender delivers it to a real SMTP server on 127.0.0.1.
// Validation in French, test send once, versions in the journal, restore, reset, tenant isolation.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, type AdminTestEnv } from "./admin-setup.ts";
import { startTestSmtp, type TestSmtp } from "./smtp-test-server.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { AdminRepository } from "../../src/db/repos/admin-repo.ts";
import { hashPassword } from "../../src/app/password.ts";
import { fixedClock } from "../../src/app/context.ts";
import { duesRemindersJob } from "../../jobs/dues-reminders.ts";
import { createSender } from "../../src/mail/component.ts";
import { wordingFor } from "../../src/db/repos/mail-wording-repo.ts";

let env: AdminTestEnv;
let smtp: TestSmtp;
let coord: Client;
const PAGE = "/admin/modeles-de-messages/relance-premiere";
const JANUARY = "2026-01-20"; // only the first reminder (15 days after 1 January) is due

const decode = (s: string) => s.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, "&").replace(/&lt;/g, "<").replace(/&gt;/g, ">");

beforeAll(async () => {
  smtp = await startTestSmtp();
  env = await adminTestEnv({ SMTP_URL: smtp.url, PUBLIC_URL: "https://coordo.exemple.fr" });
  coord = new Client(env.app);
  expect((await coord.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
});
afterAll(async () => {
  await smtp?.close();
  await env?.t.cleanup();
});

async function save(subject: string, body: string, path = PAGE, client = coord) {
  await client.get(path);
  return client.post(path, { subject, body, action: "enregistrer" });
}

/** Runs the real job on a January day for one CPTS, then delivers only that run's reminder to `memberId`. */
async function remindAndDeliver(cptsId: string, memberId: string) {
  const ctx = { ...env.ctx, clock: fixedClock(`${JANUARY}T09:00:00+01:00`) };
  await duesRemindersJob.handler({ ctx, at: JANUARY, dryRun: false, cptsId, payload: {} });
  const key = `relance:${memberId}:2026:1`;
  const row = await env.t.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: key } });
  const { sender } = createSender({ ...env.ctx, clock: { now: () => new Date(), today: () => new Date().toISOString().slice(0, 10) } }, { scope: { keys: [key] } });
  await sender.drainAll();
  return { row, received: smtp.received.find((m) => m.to.includes(row.recipient)) };
}

describe(`admin : modèles de messages (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("montre le texte par défaut, les variables décrites en français et un aperçu avec un vrai adhérent", async () => {
    const list = decode(await (await coord.get("/admin/modeles-de-messages")).text());
    expect(list).toContain("Relance de cotisation — dernier rappel");
    expect(list).toContain("Alerte de crise (activation du plan)");
    const html = decode(await (await coord.get(PAGE)).text());
    expect(html).toContain("Votre cotisation {{annee}} à la {{cpts}}");
    expect(html).toContain("{{reste-a-regler}}");
    expect(html).toContain("le reste à régler en cas de paiement partiel");
    const member = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, status: "ACTIF", lastName: { not: null } }, orderBy: { lastName: "desc" } });
    const res = await coord.post(PAGE, { subject: "Cotisation {{annee}}", body: "Bonjour {{nom}},\n\nIl vous reste à régler {{montant}}.", memberId: member.id, action: "apercu" });
    expect(res.status).toBe(200);
    const preview = decode(await res.text());
    expect(preview).toMatch(/id="apercu"/);
    expect(preview).toContain(`Bonjour ${[member.firstName, member.lastName].filter(Boolean).join(" ")},`);
    expect(preview).toContain("Objet : <strong>Cotisation 2026</strong>");
    expect(await env.t.db.mailWording.count()).toBe(0); // a preview saves nothing
  });

  it("refuse une variable inconnue, des accolades mal fermées, un objet vide, un texte trop long, en français à côté du champ, sans rien enregistrer", async () => {
    let res = await save("Cotisation {{foo}}", "Bonjour {{nom}},");
    expect(res.status).toBe(422);
    let html = decode(await res.text());
    expect(html).toMatch(/id="modele-subject-err"[^>]*>[^<]*variable inconnue \{\{foo\}\}\. Variables possibles : \{\{nom\}\}, \{\{cpts\}\}, \{\{annee\}\}/);
    expect(html).toMatch(/<input[^>]*id="modele-subject"[^>]*aria-invalid="true"/);
    expect(html).toContain('value="Cotisation {{foo}}"'); // typed values kept
    expect(html).toMatch(/form-summary[\s\S]*?href="#modele-subject"/);

    res = await save("Cotisation", "Bonjour {{nom},\n\nà bientôt");
    html = decode(await res.text());
    expect(res.status).toBe(422);
    expect(html).toMatch(/id="modele-body-err"[^>]*>[^<]*accolades mal fermées/);

    res = await save("   ", "Bonjour");
    expect(decode(await res.text())).toContain("L'objet est vide");
    res = await save("Cotisation", "x".repeat(5001));
    expect(decode(await res.text())).toContain("Le texte est trop long : 5000 caractères au plus (5001 saisis)");
    expect(await env.t.db.mailWording.count()).toBe(0);
  });

  it("la relance reformulée part par le vrai job vers un vrai serveur SMTP : variables échappées, objet sans injection d'en-tête ; une autre CPTS garde le texte par défaut", async () => {
    const res = await save("Cotisation {{annee}} : {{nom}}", "Chère consœur, cher confrère {{nom}},\n\nMerci de régler {{montant}} pour {{annee}}.\n\nLe bureau de la {{cpts}}");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`${PAGE}#texte`);
    const member = await env.t.db.member.create({
      data: { cptsId: env.cptsId, firstName: "Zoé <b>&", lastName: "Durand\r\nBcc: pirate@exemple.fr", email: "zoe.durand@exemple-sante.fr", category: "PROFESSIONNEL", profession: "infirmier", roles: { create: { role: "ADHERENT" } } },
    });
    const { row, received } = await remindAndDeliver(env.cptsId, member.id);
    expect(row.subject).toBe("Cotisation 2026 : Zoé <b>& Durand Bcc: pirate@exemple.fr");
    expect(row.bodyHtml).toContain("Chère consœur, cher confrère Zoé &lt;b&gt;&amp; Durand");
    expect(row.bodyHtml).not.toContain("<b>&");
    expect(row.bodyHtml).toContain("Régler ma cotisation"); // the payment button is always added
    expect(row.bodyText).toMatch(/Merci de régler \d+,\d\d € pour 2026\./);
    expect(received, "the SMTP server received the reminder").toBeDefined();
    expect(received!.headers.subject).toBe("Cotisation 2026 : Zoé <b>& Durand Bcc: pirate@exemple.fr");
    expect(received!.headers.bcc).toBeUndefined();
    expect(received!.to).toEqual(["zoe.durand@exemple-sante.fr"]);

    // Another CPTS: its members get coordo's default wording, its admin sees the default text.
    const b = await env.t.db.cpts.create({ data: { slug: "cpts-beta", name: "CPTS Bêta", population: 30_000, reminderPolicy: { create: { offsetsDays: "15,45,90", maxCount: 3 } } } });
    const bm = await env.t.db.member.create({ data: { cptsId: b.id, firstName: "Bruno", lastName: "Bêta", email: "bruno@beta-sante.fr", category: "PROFESSIONNEL", roles: { create: { role: "ADHERENT" } } } });
    const other = await remindAndDeliver(b.id, bm.id);
    expect(other.row.subject).toBe("Votre cotisation 2026 à la CPTS Bêta");
    expect(other.row.bodyText).not.toContain("Chère consœur");
    await new AdminRepository(env.t.db).createUser({ cptsId: b.id, email: "coord@beta.fr", passwordHash: await hashPassword("beta-coordo-2026!"), role: "COORDONNATEUR", actor: "test" });
    const bc = new Client(env.app);
    expect((await bc.login("coord@beta.fr", "beta-coordo-2026!")).status).toBe(303);
    const bPage = decode(await (await bc.get(PAGE)).text());
    expect(bPage).not.toContain("Chère consœur");
    expect(bPage).toContain("texte par défaut de coordo");
    expect(await wordingFor(env.t.db, b.id, "relance-premiere")).toBeNull();
  });

  it("envoie un test à l'adresse du coordinateur par la file d'envoi, une seule fois pour le même texte", async () => {
    await coord.get(PAGE);
    const fields = { subject: "Essai {{annee}}", body: "Bonjour {{nom}},\n\nCeci est un essai.", action: "test" };
    const first = decode(await (await coord.post(PAGE, fields)).text());
    expect(first).toContain(`Test placé dans la file d'envoi pour ${DEMO_COORDINATOR_EMAIL}`);
    const second = decode(await (await coord.post(PAGE, fields)).text());
    expect(second).toContain("Ce test a déjà été envoyé");
    const rows = await env.t.db.outboxMessage.findMany({ where: { cptsId: env.cptsId, kind: "modele_test" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.recipient).toBe(DEMO_COORDINATOR_EMAIL);
    expect(rows[0]!.subject).toBe("[TEST] Essai 2026");
    expect(await env.t.db.auditLog.count({ where: { cptsId: env.cptsId, action: "modele.test" } })).toBe(1);
  });

  it("chaque enregistrement est une version au journal (auteur) ; une ancienne version se rétablit ; le texte par défaut revient", async () => {
    expect((await save("Version deux {{annee}}", "Texte deux pour {{nom}}")).status).toBe(303);
    const history = await env.t.db.mailWording.findMany({ where: { cptsId: env.cptsId, key: "relance-premiere" }, orderBy: { version: "asc" } });
    expect(history.map((h) => [h.version, h.author])).toEqual([[1, `admin:${DEMO_COORDINATOR_EMAIL}`], [2, `admin:${DEMO_COORDINATOR_EMAIL}`]]);
    const page = decode(await (await coord.get(PAGE)).text());
    expect(page).toContain("Rétablir la version 1");
    expect((await coord.post(`${PAGE}/restaurer/1`, {})).status).toBe(303);
    expect((await wordingFor(env.t.db, env.cptsId, "relance-premiere"))?.subject).toBe("Cotisation {{annee}} : {{nom}}");
    await coord.get(PAGE);
    const reset = await coord.post(`${PAGE}/reinitialiser`, {});
    expect(reset.status).toBe(303);
    expect(await wordingFor(env.t.db, env.cptsId, "relance-premiere")).toBeNull();
    const journal = decode(await (await coord.get("/admin/journal")).text());
    expect(journal).toContain("Modèle de message enregistré");
    expect(journal).toContain("Modèle de message remis par défaut");
    expect(journal).toContain(">Relance de cotisation — premier envoi</td>");
    expect(journal).not.toMatch(/<td[^>]*>(modele\.|relance-premiere)/);
    expect(await env.t.db.auditLog.count({ where: { cptsId: env.cptsId, action: { in: ["modele.enregistre", "modele.restaure", "modele.reinitialise"] } } })).toBe(4);
    // an unknown key or another CPTS's version is not found
    expect((await coord.get("/admin/modeles-de-messages/inconnu")).status).toBe(404);
  });
});
