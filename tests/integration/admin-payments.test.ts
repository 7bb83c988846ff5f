// Dues payments across sources and tenants: external ids are per CPTS, one payment seen by HelloAsso
// and by the CSV export counts once, paying cancels every reminder still to go out, and a CSV row
// (member + payment) is written entirely or not at all.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { adminTestEnv, type AdminTestEnv } from "./admin-setup.ts";
import { importValidRows } from "../../src/app/services/member-import.ts";
import { recordPayment } from "../../src/app/services/payments.ts";
import { handleNotification } from "../../src/helloasso/service.ts";
import { notificationSchema } from "../../src/helloasso/payload.ts";
import { listMembers } from "../../src/app/services/members.ts";

let env: AdminTestEnv;
let otherId: string;
beforeAll(async () => {
  env = await adminTestEnv();
  otherId = (await env.t.db.cpts.create({ data: { slug: "cpts-b", name: "CPTS B", population: 40_000 } })).id;
});
afterAll(async () => env?.t.cleanup());

const HEADER = "nom,prenom,email,montant,date_paiement,reference";

describe(`admin : paiements (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("une référence déjà utilisée par une autre CPTS est enregistrée dans la sienne, et un doublon de la même CPTS est signalé", async () => {
    const a = await importValidRows(env.ctx, env.cptsId, [HEADER, "Aval,Alice,alice.a@exemple-sante.fr,30,2026-11-02,VIR-2026-001"].join("\n"), "generique", "admin:a");
    expect(a).toMatchObject({ created: 1, payments: 1, alreadyRecorded: [], failed: [] });
    const b = await importValidRows(env.ctx, otherId, [HEADER, "Bmont,Bruno,bruno.b@exemple-sante.fr,45,2026-11-03,VIR-2026-001"].join("\n"), "generique", "admin:b");
    expect(b).toMatchObject({ created: 1, payments: 1, alreadyRecorded: [], failed: [] });
    const rows = await env.t.db.duesPayment.findMany({ where: { externalId: "VIR-2026-001" }, select: { cptsId: true, amountCents: true, member: { select: { email: true } } } });
    expect(rows.map((r) => [r.cptsId, r.amountCents, r.member.email]).sort()).toEqual(
      [
        [env.cptsId, 3000, "alice.a@exemple-sante.fr"],
        [otherId, 4500, "bruno.b@exemple-sante.fr"],
      ].sort(),
    );
    const again = await importValidRows(env.ctx, otherId, [HEADER, "Bmont,Bruno,bruno.b@exemple-sante.fr,45,2026-11-03,VIR-2026-001"].join("\n"), "generique", "admin:b");
    expect(again).toMatchObject({ payments: 0, alreadyRecorded: [{ line: 2, email: "bruno.b@exemple-sante.fr" }] });
    expect(await env.t.db.duesPayment.count({ where: { cptsId: otherId } })).toBe(1);
  });

  it("un paiement HelloAsso notifié puis importé depuis l'export CSV ne compte qu'une fois", async () => {
    const m = await env.t.db.member.create({ data: { cptsId: env.cptsId, firstName: "Nina", lastName: "Notifiée", email: "nina.notifiee@exemple-sante.fr", roles: { create: { role: "ADHERENT" } } } });
    const n = notificationSchema.parse({
      eventType: "Payment",
      data: {
        id: 770001,
        amount: 3000,
        date: "2026-10-09T18:42:11.52+02:00",
        state: "Authorized",
        paymentMeans: "Card",
        order: { id: 990001, formSlug: "cotisation", formType: "Membership" },
        payer: { email: "nina.notifiee@exemple-sante.fr", firstName: "Nina", lastName: "Notifiée" },
        items: [{ id: 500001, amount: 3000, shareAmount: 3000, type: "Membership", state: "Processed" }],
      },
    });
    expect(await handleNotification(env.ctx, env.cptsId, n)).toEqual([{ paymentId: "770001", outcome: "enregistre" }]);
    const csv =
      "\uFEFF" +
      [
        "Référence commande;Date de la commande;Statut de la commande;Nom adhérent;Prénom adhérent;Email payeur;Moyen de paiement;Tarif;Montant tarif",
        "990001;09/10/2026 18:42:11;Validé;Notifiée;Nina;nina.notifiee@exemple-sante.fr;Carte bancaire;Cotisation professionnel;30,00",
      ].join("\r\n");
    const r = await importValidRows(env.ctx, env.cptsId, csv, "auto", "admin:test");
    expect(r).toMatchObject({ payments: 0, alreadyRecorded: [{ line: 2, email: "nina.notifiee@exemple-sante.fr" }], failed: [] });
    const payments = await env.t.db.duesPayment.findMany({ where: { memberId: m.id } });
    expect(payments.map((p) => [p.source, p.externalId, p.amountCents, p.paidOn])).toEqual([["HELLOASSO", "770001", 3000, "2026-10-09"]]);
  });

  it("l'export HelloAsso importé d'abord, la notification du même paiement ne compte pas une seconde fois", async () => {
    const m = await env.t.db.member.create({ data: { cptsId: env.cptsId, firstName: "Ilan", lastName: "Importé", email: "ilan.importe@exemple-sante.fr", roles: { create: { role: "ADHERENT" } } } });
    const csv = ["Référence commande;Date de la commande;Statut de la commande;Nom adhérent;Prénom adhérent;Email payeur;Montant tarif", "990002;12/10/2026;Validé;Importé;Ilan;ilan.importe@exemple-sante.fr;30,00"].join("\n");
    expect(await importValidRows(env.ctx, env.cptsId, csv, "auto", "admin:test")).toMatchObject({ payments: 1 });
    const stored = await env.t.db.duesPayment.findFirstOrThrow({ where: { memberId: m.id } });
    expect([stored.source, stored.externalId]).toEqual(["CSV", "helloasso-commande:990002"]);
    const n = notificationSchema.parse({
      eventType: "Payment",
      data: { id: 770002, amount: 3000, date: "2026-10-12T11:00:00+02:00", state: "Authorized", order: { id: 990002, formType: "Membership" }, payer: { email: "ilan.importe@exemple-sante.fr", firstName: "Ilan", lastName: "Importé" }, items: [{ id: 500002, amount: 3000, shareAmount: 3000, type: "Membership" }] },
    });
    expect(await handleNotification(env.ctx, env.cptsId, n)).toEqual([{ paymentId: "770002", outcome: "deja_compte" }]);
    expect(await env.t.db.duesPayment.count({ where: { memberId: m.id } })).toBe(1);
  });

  it("un paiement annule aussi les relances en attente de nouvel essai après un échec temporaire", async () => {
    const m = await env.t.db.member.create({ data: { cptsId: env.cptsId, lastName: "Relancé", email: "relance.retry@exemple-sante.fr", roles: { create: { role: "ADHERENT" } } } });
    const relance = (step: number, state: "EN_ATTENTE" | "ECHEC_TEMPORAIRE" | "ENVOYE") =>
      env.t.db.outboxMessage.create({ data: { cptsId: env.cptsId, idempotencyKey: `relance:${m.id}:2026:${step}`, channel: "MAIL", kind: "relance", recipient: m.email!, memberId: m.id, subject: "Relance", bodyText: "Payez", state, attempts: state === "EN_ATTENTE" ? 0 : 1 } });
    await relance(1, "ENVOYE");
    await relance(2, "ECHEC_TEMPORAIRE");
    await relance(3, "EN_ATTENTE");
    await env.t.db.reminderLedger.create({ data: { cptsId: env.cptsId, memberId: m.id, year: 2026, step: 2 } });
    const r = await recordPayment(env.ctx, { cptsId: env.cptsId, memberId: m.id, amountCents: 3000, paidOn: "2026-11-22", source: "MANUEL", method: "CHEQUE", actor: "admin:test" });
    expect(r.cancelledReminders).toBe(2);
    const states = await env.t.db.outboxMessage.findMany({ where: { memberId: m.id }, orderBy: { idempotencyKey: "asc" }, select: { state: true } });
    expect(states.map((s) => s.state)).toEqual(["ENVOYE", "ANNULE", "ANNULE"]);
    // The ledger row stays: the reminder job does not send that step again.
    expect(await env.t.db.reminderLedger.count({ where: { memberId: m.id } })).toBe(1);
  });

  it("le filtre de cotisation de l'admin compte les membres du CA et du bureau, pas la coordination ni les partenaires", async () => {
    const mk = (lastName: string, roles: ("ADHERENT" | "CA" | "BUREAU" | "COORDONNATEUR" | "PARTENAIRE")[], duesExempt = false) =>
      env.t.db.member.create({ data: { cptsId: otherId, lastName, email: `${lastName.toLowerCase()}@beta.fr`, duesExempt, roles: { create: roles.map((role) => ({ role })) } } });
    const ca = await mk("Conseil", ["CA"]);
    const bureau = await mk("Tresor", ["BUREAU", "ADHERENT"]);
    const coord = await mk("Coordo", ["COORDONNATEUR"]);
    const partner = await mk("Labo", ["PARTENAIRE"]);
    const exempt = await mk("Exempte", ["ADHERENT"], true);
    const names = async (dues: string) => (await listMembers(env.ctx, otherId, { dues, q: "" }, "2026-11-23")).map((r) => r.id).filter((id) => [ca.id, bureau.id, coord.id, partner.id, exempt.id].includes(id)).sort();
    expect(await names("jamais_paye")).toEqual([ca.id, bureau.id].sort());
    expect(await names("exonere")).toEqual([coord.id, partner.id, exempt.id].sort());
  });

  it("une ligne dont le paiement est refusé par la base n'écrit ni l'adhérent ni le paiement, et elle est signalée", async () => {
    // A database-level refusal of one payment (as a constraint or a disk error would do).
    if (env.t.engine === "sqlite") {
      await env.t.db.$executeRawUnsafe(`CREATE TRIGGER refuse_4242 BEFORE INSERT ON "DuesPayment" WHEN NEW."amountCents" = 4242 BEGIN SELECT RAISE(ABORT, 'paiement refusé'); END`);
    } else {
      await env.t.db.$executeRawUnsafe(`CREATE FUNCTION refuse_4242() RETURNS trigger AS $$ BEGIN IF NEW."amountCents" = 4242 THEN RAISE EXCEPTION 'paiement refusé'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`);
      await env.t.db.$executeRawUnsafe(`CREATE TRIGGER refuse_4242 BEFORE INSERT ON "DuesPayment" FOR EACH ROW EXECUTE FUNCTION refuse_4242()`);
    }
    try {
      const csv = [
        HEADER,
        "Avant,Ava,ava.avant@exemple-sante.fr,30,2026-11-02,T-1",
        "Panne,Paul,paul.panne@exemple-sante.fr,\"42,42\",2026-11-02,T-2",
        "Apres,Alix,alix.apres@exemple-sante.fr,30,2026-11-02,T-3",
      ].join("\n");
      const r = await importValidRows(env.ctx, env.cptsId, csv, "generique", "admin:test");
      expect(r).toMatchObject({ created: 2, payments: 2, alreadyRecorded: [] });
      expect(r.failed).toHaveLength(1);
      expect(r.failed[0]).toMatchObject({ line: 3, email: "paul.panne@exemple-sante.fr" });
      expect(r.failed[0]!.error).toMatch(/^erreur de la base de données \(référence /);
      expect(await env.t.db.member.count({ where: { email: "paul.panne@exemple-sante.fr" } })).toBe(0);
      expect(await env.t.db.duesPayment.count({ where: { externalId: "T-2" } })).toBe(0);
      expect(await env.t.db.member.count({ where: { email: { in: ["ava.avant@exemple-sante.fr", "alix.apres@exemple-sante.fr"] } } })).toBe(2);
      const audit = await env.t.db.auditLog.findFirstOrThrow({ where: { action: "adherents.import" }, orderBy: { at: "desc" } });
      expect(audit.details).toMatchObject({ failedLines: [3] });
    } finally {
      if (env.t.engine === "sqlite") await env.t.db.$executeRawUnsafe(`DROP TRIGGER refuse_4242`);
      else await env.t.db.$executeRawUnsafe(`DROP FUNCTION refuse_4242() CASCADE`);
    }
  });
});
