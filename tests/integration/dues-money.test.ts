// Issue 12 (money): dues are « à jour » only when the year's payments less refunds reach the due of the
// member's category; less is « partiel » with the balance everywhere (chat, admin list and CSV, dashboard,
// reminders). HelloAsso payments that do not fit wait in « Paiements à vérifier ». Closing an attendance
// sheet indemnifies only the people DOMAIN §7 and the CPTS's settings allow, and says why for the others.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { chatWorld, TODAY, type ChatWorld } from "./chat-setup.ts";
import { recordPayment } from "../../src/app/services/payments.ts";
import { duesSummary, listMembers, membersCsv } from "../../src/app/services/members.ts";
import { enqueueReminders } from "../../src/app/services/dues-reminders.ts";
import { handleNotification, listPendingPayments, rejectPendingPayment, resolvePendingPayment } from "../../src/helloasso/service.ts";
import { notificationSchema } from "../../src/helloasso/payload.ts";
import { closeMeeting, openMeeting, signAttendance } from "../../src/app/services/meetings.ts";
import { electorate } from "../../src/app/services/votes.ts";

let w: ChatWorld;
const engine = process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite";

beforeAll(async () => {
  w = await chatWorld();
});
afterAll(async () => w?.close());

async function member(data: { email: string; firstName?: string; lastName?: string; organization?: string; kind?: "PHYSIQUE" | "MORALE"; category?: "PROFESSIONNEL" | "STRUCTURE" | "PARTENAIRE"; profession?: string; roles?: ("ADHERENT" | "COORDONNATEUR" | "PARTENAIRE")[] }) {
  const { roles = ["ADHERENT"], ...rest } = data;
  return w.t.db.member.create({ data: { cptsId: w.cptsId, ...rest, roles: { create: roles.map((role) => ({ role })) } } });
}

const pay = (memberId: string, amountCents: number, paidOn = "2026-11-02") =>
  recordPayment(w.app, { cptsId: w.cptsId, memberId, amountCents, paidOn, source: "MANUEL", method: "VIREMENT", actor: "admin:tresorerie" });

function helloasso(o: { id: number; email: string; firstName: string; lastName: string; amount: number; date?: string; formula?: string }) {
  return notificationSchema.parse({
    eventType: "Payment",
    data: {
      id: o.id,
      amount: o.amount,
      date: o.date ?? "2026-11-20T10:00:00+01:00",
      state: "Authorized",
      order: { id: o.id + 900_000, formSlug: "cotisation", formType: "Membership" },
      payer: { email: o.email, firstName: o.firstName, lastName: o.lastName },
      items: [{ id: o.id + 500_000, amount: o.amount, shareAmount: o.amount, type: "Membership", state: "Processed", ...(o.formula ? { name: o.formula } : {}) }],
    },
  });
}

describe(`cotisations : solde et statut « partiel » (${engine})`, () => {
  it("un paiement de 0,01 € laisse un reste à régler dans /cotisation", async () => {
    const m = await member({ email: "centime@exemple-sante.fr", firstName: "Céline", lastName: "Centime", profession: "infirmier" });
    await pay(m.id, 1);
    const r = await w.say("centime@exemple-sante.fr", "/cotisation");
    expect(r.text).toContain("réglée en partie : 0,01 € reçus sur 30,00 €");
    expect(r.text).toContain("Reste à régler : 29,99 €");
    expect(r.text).not.toContain("est à jour");
    expect(r.reply.fields).toContainEqual({ name: "Statut", value: "partiel" });
  });

  it("un adhérent « partiel » ne vote pas en AG ; à jour, il vote", async () => {
    const m = await member({ email: "votant.partiel@exemple-sante.fr", firstName: "Victor", lastName: "Partiel", profession: "infirmier" });
    await pay(m.id, 2000);
    const voters = () => electorate(w.app, { cptsId: w.cptsId, eligibilityCutoff: TODAY, federation: false });
    expect((await voters()).colleges.has(m.id)).toBe(false);
    await pay(m.id, 1000, "2026-11-03");
    expect((await voters()).colleges.has(m.id)).toBe(true);
  });

  it("30 € sur les 100 € d'une structure : « partiel », reste 70 € dans la liste, l'export, le tableau de bord et la relance", async () => {
    const ehpad = await member({ email: "ehpad.partiel@exemple-sante.fr", organization: "EHPAD Partiel", kind: "MORALE", category: "STRUCTURE" });
    const before = await duesSummary(w.app, w.cptsId, TODAY);
    const r = await pay(ehpad.id, 3000);
    expect(r.cancelledReminders).toBe(0);
    const [row] = (await listMembers(w.app, w.cptsId, { q: "EHPAD Partiel" }, TODAY)).filter((x) => x.id === ehpad.id);
    expect(row).toMatchObject({ dues: "partiel", paidThisYearCents: 3000, dueCents: 10_000, balanceCents: 7000 });
    expect(membersCsv([row!])).toContain("EHPAD Partiel;ehpad.partiel@exemple-sante.fr;;Structure;;Structure;Actif;Adhérent;partiel;30,00;100,00;70,00");
    const after = await duesSummary(w.app, w.cptsId, TODAY);
    expect(after.paid).toBe(before.paid);
    expect(after.partial).toBe(before.partial + 1);
    expect(after.balanceCents).toBe(before.balanceCents - 3000);
    await enqueueReminders(w.app, w.cptsId, TODAY, { trigger: "job", actor: "test" });
    const mail = await w.t.db.outboxMessage.findFirstOrThrow({ where: { memberId: ehpad.id, kind: "relance" } });
    expect(mail.bodyText).toContain("il reste 70,00 € à régler");
    expect(mail.bodyText).toContain("Reste à régler : 70,00 € sur 100,00 €");
    // the balance paid: the reminder still waiting is cancelled, the member is up to date
    expect((await pay(ehpad.id, 7000, "2026-11-03")).cancelledReminders).toBe(1);
    const [done] = (await listMembers(w.app, w.cptsId, { q: "EHPAD Partiel" }, TODAY)).filter((x) => x.id === ehpad.id);
    expect(done).toMatchObject({ dues: "a_jour", balanceCents: 0 });
  });

  it.each([
    [0, "2026-11-02", /supérieur à 0 €/],
    [10_000_001, "2026-11-02", /dépasse le maximum accepté pour une cotisation \(100 000,00 €\)/],
    [3000, "2026-02-30", /2026-02-30 n'existe pas dans le calendrier/],
    [3000, "1900-01-01", /trop ancienne/],
    [3000, "9999-01-01", /dans le futur/],
  ])("la saisie de l'admin refuse %i centimes le %s avec un message en français, sans rien écrire", async (amountCents, paidOn, message) => {
    const m = await member({ email: `refus-${amountCents}-${paidOn}@exemple-sante.fr`, lastName: "Refus" });
    await expect(pay(m.id, amountCents, paidOn)).rejects.toThrow(message);
    expect(await w.t.db.duesPayment.count({ where: { memberId: m.id } })).toBe(0);
  });
});

describe(`HelloAsso : « Paiements à vérifier » (${engine})`, () => {
  let helloassoCase = 0;
  it.each([
    ["0 €", { amount: 0 }, /supérieur à 0 €/],
    ["10^15 centimes", { amount: 1e15 }, /dépasse le maximum/],
    ["daté de 9999", { date: "9999-03-01T10:00:00+01:00" }, /dans le futur/],
    ["daté de 1900", { date: "1900-03-01T10:00:00+01:00" }, /trop ancienne/],
    ["daté du 30 février", { date: "2026-02-30T10:00:00+01:00" }, /2026-02-30 n'existe pas/],
    ["d'un montant qui n'est aucune cotisation", { amount: 1234 }, /12,34 € ne correspond ni à la cotisation 2026 de sa catégorie \(30,00 €\)/],
    ["d'une formule inconnue", { formula: "Soutien libre" }, /formule « Soutien libre » inconnue/],
  ])("un paiement %s n'est pas compté et attend avec son motif", async (label, over, reason) => {
    const id = 880_000 + ++helloassoCase; // one payment and payer per case (random ids: two of the seven equal once in ~4,800 runs)
    const email = `ha-${id}@exemple-sante.fr`;
    const m = await member({ email, firstName: "Hugo", lastName: `Asso${id}` });
    const out = await handleNotification(w.app, w.cptsId, helloasso({ id, email, firstName: "Hugo", lastName: `Asso${id}`, amount: 3000, ...over }));
    expect(out).toEqual([{ paymentId: String(id), outcome: "a_verifier" }]);
    expect(await w.t.db.duesPayment.count({ where: { memberId: m.id } })).toBe(0);
    const pending = (await listPendingPayments(w.app, w.cptsId)).find((p) => p.payerEmail === email);
    expect(pending, label).toBeDefined();
    expect(pending!.reason).toMatch(reason);
    expect(pending!.proposed).toMatchObject({ id: m.id, byName: false });
  });

  it("un paiement exact, reconnu par l'e-mail, est compté ; une formule connue passe", async () => {
    const m = await member({ email: "exact@exemple-sante.fr", firstName: "Éva", lastName: "Exacte" });
    const out = await handleNotification(w.app, w.cptsId, helloasso({ id: 870_001, email: "exact@exemple-sante.fr", firstName: "Eva", lastName: "Exacte", amount: 3000, formula: "Adhésion professionnel de santé" }));
    expect(out).toEqual([{ paymentId: "870001", outcome: "enregistre" }]);
    expect(await w.t.db.duesPayment.count({ where: { memberId: m.id, amountCents: 3000 } })).toBe(1);
  });

  it("un payeur reconnu par son nom seulement est proposé, jamais crédité ; la trésorerie accepte ou rejette", async () => {
    const m = await member({ email: "nom.seul@exemple-sante.fr", firstName: "Noémie", lastName: "Nomseul" });
    const out = await handleNotification(w.app, w.cptsId, helloasso({ id: 870_002, email: "autre.adresse@gmail.com", firstName: "Noemie", lastName: "NOMSEUL", amount: 3000 }));
    expect(out).toEqual([{ paymentId: "870002", outcome: "a_verifier" }]);
    expect(await w.t.db.duesPayment.count({ where: { memberId: m.id } })).toBe(0);
    const pending = (await listPendingPayments(w.app, w.cptsId)).find((p) => p.payerEmail === "autre.adresse@gmail.com")!;
    expect(pending.reason).toContain("reconnu par son nom seulement");
    expect(pending.proposed).toMatchObject({ id: m.id, byName: true, email: "nom.seul@exemple-sante.fr" });
    expect(pending.acceptable).toBe(true);
    await resolvePendingPayment(w.app, w.cptsId, pending.id, m.id, "admin:tresorerie");
    expect(await w.t.db.duesPayment.findFirstOrThrow({ where: { memberId: m.id } })).toMatchObject({ amountCents: 3000, externalId: "870002", recordedBy: "admin:tresorerie" });

    const zero = (await listPendingPayments(w.app, w.cptsId)).find((p) => p.amountCents === 0)!;
    expect(zero.acceptable).toBe(false);
    await expect(resolvePendingPayment(w.app, w.cptsId, zero.id, m.id, "admin:tresorerie")).rejects.toThrow(/ne peut pas être compté/);
    await rejectPendingPayment(w.app, w.cptsId, zero.id, "admin:tresorerie", "paiement de test");
    expect((await listPendingPayments(w.app, w.cptsId)).some((p) => p.id === zero.id)).toBe(false);
    expect((await w.t.db.pendingPayment.findUniqueOrThrow({ where: { id: zero.id } })).reason).toContain("rejeté par admin:tresorerie le 23/11/2026 : paiement de test");
    await expect(rejectPendingPayment(w.app, w.cptsId, zero.id, "admin:tresorerie")).rejects.toThrow(/déjà été traité/);
  });
});

describe(`indemnités : qui est indemnisé à la clôture de l'émargement (${engine})`, () => {
  it("exclut la coordinatrice salariée, une personne morale, un partenaire et un adhérent non à jour, avec leurs motifs", async () => {
    const coordinator = await w.t.db.member.findFirstOrThrow({ where: { cptsId: w.cptsId, email: "coordination@cpts-demo.fr" } });
    const ehpad = await member({ email: "ehpad.reunion@exemple-sante.fr", organization: "EHPAD Réunion", kind: "MORALE", category: "STRUCTURE" });
    await pay(ehpad.id, 10_000);
    const partner = await member({ email: "partenaire@exemple-sante.fr", firstName: "Paul", lastName: "Partenaire", profession: "infirmier", category: "PARTENAIRE", roles: ["PARTENAIRE"] });
    const unpaid = await member({ email: "impaye@exemple-sante.fr", firstName: "Inès", lastName: "Impayée", profession: "infirmier" });
    await pay(unpaid.id, 1000);
    const paid = await member({ email: "ajour@exemple-sante.fr", firstName: "Alain", lastName: "Ajour", profession: "infirmier" });
    await pay(paid.id, 3000);

    const close = async (title: string) => {
      const meeting = await openMeeting(w.app, { cptsId: w.cptsId, title, mission: "parcours", durationMin: 90, heldOn: "2026-11-20", openedBy: "test" });
      for (const m of [coordinator, ehpad, partner, unpaid, paid]) await signAttendance(w.app, w.cptsId, meeting.id, m.id, "admin");
      return closeMeeting(w.app, w.cptsId, meeting.id, "test", { force: true });
    };
    const closed = await close("Groupe parcours diabète");
    expect(closed.lines).toEqual([{ memberId: paid.id, name: "Alain Ajour", amountCents: 7500, explanation: "1 h 30 × 50,00 €/h = 75,00 €" }]);
    const why = Object.fromEntries(closed.excluded.map((e) => [e.memberId, e]));
    expect(why[coordinator.id]).toMatchObject({ reason: "salarie", message: expect.stringContaining("Salarié·e de la CPTS") });
    expect(why[ehpad.id]).toMatchObject({ reason: "personne_morale", message: expect.stringContaining("Personne morale") });
    expect(why[partner.id]).toMatchObject({ reason: "partenaire", message: expect.stringContaining("n'indemnise pas les partenaires") });
    expect(why[unpaid.id]).toMatchObject({ reason: "cotisation", message: expect.stringContaining("Cotisation 2026 non à jour (partiel, reste 20,00 €)") });
    expect(await w.t.db.indemnity.count({ where: { memberId: { in: [coordinator.id, ehpad.id, partner.id, unpaid.id] } } })).toBe(0);

    // The CPTS's règlement intérieur may indemnify partners and members whose dues are not paid.
    await w.t.db.cpts.update({ where: { id: w.cptsId }, data: { settings: { indemnityEligibility: { partnersEligible: true, unpaidDuesExcluded: false } } } });
    try {
      const lenient = await close("Groupe parcours BPCO");
      expect(lenient.lines.map((l) => l.memberId).sort()).toEqual([partner.id, unpaid.id, paid.id].sort());
      expect(lenient.excluded.map((e) => e.reason).sort()).toEqual(["personne_morale", "salarie"]);
      // the last reminder says what the settings say
      await w.t.db.outboxMessage.deleteMany({ where: { cptsId: w.cptsId, kind: "relance" } });
      await w.t.db.reminderLedger.deleteMany({ where: { cptsId: w.cptsId } });
      await enqueueReminders(w.app, w.cptsId, TODAY, { trigger: "job", actor: "test" });
      const last = await w.t.db.outboxMessage.findFirstOrThrow({ where: { cptsId: w.cptsId, kind: "relance", memberId: unpaid.id } });
      expect(last.subject).toContain("Dernier rappel");
      expect(last.bodyText).toContain("vous ne pourrez plus voter en assemblée générale.");
      expect(last.bodyText).not.toContain("indemnisé");
    } finally {
      await w.t.db.cpts.update({ where: { id: w.cptsId }, data: { settings: {} } });
    }
    await w.t.db.outboxMessage.deleteMany({ where: { cptsId: w.cptsId, kind: "relance" } });
    await w.t.db.reminderLedger.deleteMany({ where: { cptsId: w.cptsId } });
    await enqueueReminders(w.app, w.cptsId, TODAY, { trigger: "job", actor: "test" });
    const strict = await w.t.db.outboxMessage.findFirstOrThrow({ where: { cptsId: w.cptsId, kind: "relance", memberId: unpaid.id } });
    expect(strict.bodyText).toContain("ni être indemnisé·e pour votre participation aux groupes de travail");
  });

  it("refuse de clore une réunion d'une année sans PASS renseigné, sans rien écrire", async () => {
    const m = await member({ email: "pass2027@exemple-sante.fr", firstName: "Pascal", lastName: "Deuxmillevingtsept", profession: "infirmier" });
    const meeting = await openMeeting(w.app, { cptsId: w.cptsId, title: "Réunion 2027", mission: "parcours", durationMin: 60, heldOn: "2027-01-15", openedBy: "test" });
    await signAttendance(w.app, w.cptsId, meeting.id, m.id, "admin");
    await w.t.db.cpts.update({ where: { id: w.cptsId }, data: { settings: { indemnityEligibility: { unpaidDuesExcluded: false } } } });
    try {
      await expect(closeMeeting(w.app, w.cptsId, meeting.id, "test", { force: true })).rejects.toThrow(/plafond légal \(PASS\) de 2027 n'est pas renseigné/);
      expect((await w.t.db.meeting.findUniqueOrThrow({ where: { id: meeting.id } })).closedAt).toBeNull();
      expect(await w.t.db.indemnity.count({ where: { meetingId: meeting.id } })).toBe(0);
    } finally {
      await w.t.db.cpts.update({ where: { id: w.cptsId }, data: { settings: {} } });
    }
  });
});
