import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, Client, type AdminTestEnv } from "./admin-setup.ts";
import { DEMO_ADMIN_PASSWORD, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { previewImport, importValidRows } from "../../src/app/services/member-import.ts";
import { recordPayment } from "../../src/app/services/payments.ts";
import { settled } from "../../src/app/services/member-import-jobs.ts";

let env: AdminTestEnv;
let c: Client;
beforeAll(async () => {
  env = await adminTestEnv();
  c = new Client(env.app);
  expect((await c.login(DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD)).status).toBe(303);
});
afterAll(async () => env?.t.cleanup());

const GENERIC = [
  "nom,prenom,email,profession,commune_insee,montant,date_paiement,reference",
  "Nouvelle,Anne,anne.nouvelle@exemple-sante.fr,Infirmière,59901,30,2026-11-02,VIR-1",
  "Sans,Courriel,,pharmacien,59902,30,2026-11-02,VIR-2",
  "Durand,Paul,paul.durand@exemple-sante.fr,orthophoniste,59903,\"30,00\",02/11/2026,VIR-3",
].join("\n");

describe(`admin : données (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("un CSV avec une ligne fautive n'écrit rien avant la confirmation, puis importe seulement les lignes valides", async () => {
    const members0 = await env.t.db.member.count();
    const payments0 = await env.t.db.duesPayment.count();
    await c.get("/admin/adherents/import");
    const form = new FormData();
    form.append("file", new File([GENERIC], "adherents.csv", { type: "text/csv" }));
    form.append("format", "auto");
    const uploaded = await c.post("/admin/adherents/import", form);
    expect(uploaded.status).toBe(303);
    const page = uploaded.headers.get("location")!;
    await settled(page.split("/").pop()!);
    const preview = await c.get(page);
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain("2 ligne(s) valide(s)");
    expect(html).toContain("1 ligne(s) en erreur");
    expect(html).toContain("e-mail manquant");
    expect(html).toContain("CSV, encodage UTF-8");
    expect(html).not.toContain("textarea name=\"text\" hidden"); // the file stays on the server
    expect(await env.t.db.member.count()).toBe(members0);
    expect(await env.t.db.duesPayment.count()).toBe(payments0);

    // confirmed by reference: the browser sends no content
    const done = await c.post(`${page}/confirmer`, {});
    expect(done.status).toBe(303);
    await settled(page.split("/").pop()!);
    expect(await env.t.db.member.count()).toBe(members0 + 2);
    expect(await (await c.get(page)).text()).toContain("2 adhérent(s) créé(s)");
    const anne = await env.t.db.member.findFirstOrThrow({ where: { email: "anne.nouvelle@exemple-sante.fr" }, include: { payments: true, roles: true } });
    expect(anne.profession).toBe("infirmier");
    expect(anne.payments.map((p) => [p.amountCents, p.paidOn, p.source])).toEqual([[3000, "2026-11-02", "CSV"]]);
    expect(anne.roles.map((r) => r.role)).toEqual(["ADHERENT"]);
    expect(await env.t.db.member.count({ where: { lastName: "Sans" } })).toBe(0);
    // confirming twice, or importing the same file again, adds nothing
    await c.post(`${page}/confirmer`, {});
    const again = new FormData();
    again.append("file", new File([GENERIC], "adherents.csv", { type: "text/csv" }));
    await c.get("/admin/adherents/import");
    const second = (await c.post("/admin/adherents/import", again)).headers.get("location")!;
    await settled(second.split("/").pop()!);
    expect(await (await c.get(second)).text()).toContain("0 création(s)");
    await c.post(`${second}/confirmer`, {});
    await settled(second.split("/").pop()!);
    expect(await env.t.db.member.count()).toBe(members0 + 2);
    expect(await env.t.db.duesPayment.count()).toBe(payments0 + 2);
  });

  it("lit l'export HelloAsso : BOM, point-virgule, virgule décimale, colonnes reconnues par leur nom", async () => {
    const csv =
      "\uFEFF" +
      [
        "Référence commande;Date de la commande;Statut de la commande;Nom adhérent;Prénom adhérent;Email payeur;Moyen de paiement;Tarif;Montant tarif;Profession",
        "88001;15/10/2026 09:12:44;Validé;Helloasso;Hugo;hugo.helloasso@exemple-sante.fr;Carte bancaire;Cotisation professionnel;30,00;Masseur-kinésithérapeute",
        "88002;16/10/2026 10:00:00;Remboursé;Rembourse;Rémi;remi@exemple-sante.fr;Carte bancaire;Cotisation;30,00;Pharmacien",
        "88003;17/10/2026;Validé;Structure;;ehpad.nouveau@exemple-sante.fr;Carte bancaire;Cotisation structure;1 000,50;",
        "88004;31/02/2026;Validé;Mauvaise;Date;date@exemple-sante.fr;Carte bancaire;Cotisation;30,00;",
      ].join("\r\n");
    const p = await previewImport(env.ctx, env.cptsId, csv, "auto");
    expect(p.format).toBe("helloasso");
    expect(p.rows[0]).toMatchObject({ email: "hugo.helloasso@exemple-sante.fr", lastName: "Helloasso", firstName: "Hugo", amountCents: 3000, paidOn: "2026-10-15", externalId: "helloasso-commande:88001", method: "CARTE", profession: "masseur_kinesitherapeute", errors: [] });
    // refunded order: no payment counted, nobody made a member from it, and the preview says why
    expect(p.rows[1]).toMatchObject({ action: "ignoree", errors: [] });
    expect(p.rows[1]!.note).toContain("remboursée");
    expect(p.rows[2]).toMatchObject({ amountCents: 100050, paidOn: "2026-10-17" });
    expect(p.rows[3]!.errors.join()).toContain("date invalide");
    expect(p.valid).toBe(2);
    const before = await env.t.db.duesPayment.count({ where: { externalId: { startsWith: "helloasso-commande:8800" } } });
    expect(before).toBe(0);
    const r = await importValidRows(env.ctx, env.cptsId, csv, "auto", "admin:test");
    expect(r).toMatchObject({ created: 2, payments: 2, skippedInvalid: 1, ignored: 1, failed: [] });
    expect(await env.t.db.member.count({ where: { cptsId: env.cptsId, email: "remi@exemple-sante.fr" } })).toBe(0);
    // Source CSV and its own id namespace: a HelloAsso notification uses the payment id, not the order reference.
    const pay = await env.t.db.duesPayment.findUniqueOrThrow({ where: { cptsId_source_externalId: { cptsId: env.cptsId, source: "CSV", externalId: "helloasso-commande:88001" } } });
    expect(pay).toMatchObject({ amountCents: 3000, year: 2026, method: "CARTE" });
    const again = await importValidRows(env.ctx, env.cptsId, csv, "auto", "admin:test");
    expect(again.payments).toBe(0);
    expect(again.alreadyRecorded.map((x) => x.line)).toEqual([2, 4]);
  });

  it("un fichier sans colonne e-mail est refusé en entier avec un message clair", async () => {
    const p = await previewImport(env.ctx, env.cptsId, "nom;prenom\nDupont;Jean\n");
    expect(p.fileError).toContain("Colonne « email » introuvable");
  });

  it("un paiement invalide affiche l'erreur à côté du champ et n'écrit rien", async () => {
    const m = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: { endsWith: "@exemple-sante.fr" } } });
    const before = await env.t.db.duesPayment.count({ where: { memberId: m.id } });
    await c.get(`/admin/adherents/${m.id}`);
    const res = await c.post(`/admin/adherents/${m.id}/paiements`, { amount: "trente", paidOn: "23/11/2026", method: "CHEQUE" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="f-amount-err">montant en euros attendu/);
    expect(html).toMatch(/id="f-paidOn-err">date de paiement au format AAAA-MM-JJ attendue/);
    expect(html).toContain("Corrigez les champs signalés");
    await c.get(`/admin/adherents/${m.id}`);
    const future = await c.post(`/admin/adherents/${m.id}/paiements`, { amount: "30", paidOn: "2027-01-05", method: "CHEQUE" });
    expect(future.status).toBe(422);
    expect(await future.text()).toContain("05/01/2027 est dans le futur");
    expect(await env.t.db.duesPayment.count({ where: { memberId: m.id } })).toBe(before);
  });

  it("un paiement annule les relances en attente de l'adhérent et ne compte qu'une fois par référence", async () => {
    const m = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: { endsWith: "@exemple-sante.fr" }, payments: { none: { year: 2026 } } } });
    await env.t.db.outboxMessage.create({ data: { cptsId: env.cptsId, idempotencyKey: `relance:${m.id}:2026:2`, channel: "MAIL", kind: "relance", recipient: m.email!, memberId: m.id, subject: "Relance", bodyText: "Payez" } });
    const input = { cptsId: env.cptsId, memberId: m.id, amountCents: 3000, paidOn: "2026-11-22", source: "MANUEL" as const, method: "VIREMENT" as const, externalId: "manuel-test-1", actor: "admin:test" };
    const r1 = await recordPayment(env.ctx, input);
    const r2 = await recordPayment(env.ctx, input);
    expect([r1.created, r1.cancelledReminders, r2.created]).toEqual([true, 1, false]);
    expect((await env.t.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: `relance:${m.id}:2026:2` } })).state).toBe("ANNULE");
    expect(await env.t.db.duesPayment.count({ where: { memberId: m.id, year: 2026 } })).toBe(1);
  });

  it("une commune d'une autre CPTS est refusée avec le message de conflit à côté du champ", async () => {
    const other = await env.t.db.cpts.create({ data: { slug: "voisine", name: "CPTS Voisine", population: 20_000, communes: { create: { inseeCode: "59350", name: "Lille" } } } });
    await c.get("/admin/cpts");
    const res = await c.post("/admin/cpts/communes", { inseeCode: "59350", name: "Lille", postalCode: "", population: "" });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/id="commune-inseeCode-err">La commune Lille \(59350\) appartient déjà à la CPTS « CPTS Voisine »/);
    expect(await env.t.db.commune.count({ where: { inseeCode: "59350", cptsId: other.id } })).toBe(1);
    expect(await env.t.db.commune.count({ where: { inseeCode: "59350", cptsId: env.cptsId } })).toBe(0);
  });

  it("compose, programme une newsletter et la montre dans les envois programmés ; l'audience se compte en direct", async () => {
    const count = await c.get("/admin/newsletters/audience?audience=PROFESSIONS&professions=infirmier", { accept: "application/json" });
    const j = (await count.json()) as { count: number; label: string };
    expect(j.count).toBeGreaterThan(0);
    expect(j.count).toBe(await env.t.db.member.count({ where: { cptsId: env.cptsId, profession: "infirmier", status: "ACTIF", prefNewsletter: true, emailInvalid: false, roles: { some: { role: "ADHERENT" } } } }));
    await c.get("/admin/newsletters");
    const bad = await c.post("/admin/newsletters", { subject: "x", body: "court", audience: "PROFESSIONS" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("choisissez au moins une profession");
    await c.get("/admin/newsletters");
    const created = await c.post("/admin/newsletters", { subject: "Lettre de décembre", body: "Bonjour,\n\nVoici les nouvelles de décembre.", audience: "ADHERENTS" });
    expect(created.status).toBe(303);
    const id = created.headers.get("location")!.split("/").pop()!;
    await c.get(`/admin/newsletters/${id}`);
    expect((await c.post(`/admin/newsletters/${id}/programmer`, { at: "2026-11-01T09:00" })).status).toBe(422);
    await c.get(`/admin/newsletters/${id}`);
    expect((await c.post(`/admin/newsletters/${id}/programmer`, { at: "2026-12-01T09:30" })).status).toBe(303);
    const n = await env.t.db.newsletter.findUniqueOrThrow({ where: { id } });
    expect(n.state).toBe("PROGRAMMEE");
    expect(n.scheduledAt!.toISOString()).toBe("2026-12-01T08:30:00.000Z");
    const envois = await c.get("/admin/envois");
    expect(await envois.text()).toContain("Newsletter « Lettre de décembre »");
    await c.get(`/admin/newsletters/${id}`);
    expect((await c.post(`/admin/newsletters/${id}/test`, { email: "moi@exemple.fr" })).status).toBe(303);
    expect(await env.t.db.outboxMessage.count({ where: { recipient: "moi@exemple.fr", kind: "newsletter_test" } })).toBe(1);
    expect(await env.t.db.auditLog.count({ where: { action: "newsletter.test", target: id } })).toBe(1);
  });

  it("l'export CSV des adhérents suit les filtres et neutralise les formules", async () => {
    await env.t.db.member.create({ data: { cptsId: env.cptsId, lastName: "=HYPERLINK(\"x\")", email: "formule@exemple-sante.fr", profession: "orthoptiste", roles: { create: { role: "ADHERENT" } } } });
    const res = await c.get("/admin/adherents/export.csv?profession=orthoptiste");
    expect(res.headers.get("content-type")).toContain("text/csv");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM: Excel opens accents right
    const body = new TextDecoder().decode(bytes);
    const lines = body.trim().split("\r\n");
    expect(lines[0]).toBe("nom;email;telephone;profession;commune_insee;categorie;statut;roles;cotisation;paye_annee_euros;du_annee_euros;reste_du_euros");
    expect(lines.slice(1).every((l) => l.includes("Orthoptiste"))).toBe(true);
    expect(body).toContain("'=HYPERLINK");
  });
});
