import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadDemo } from "../../src/db/demo-seed.ts";
import { contextAt } from "./jobs-context.ts";
import { countReminders, previewReminders, enqueueReminders } from "../../src/app/services/dues-reminders.ts";
import { loadReminderInputs } from "../../src/db/repos/dues-repo.ts";
import { listDeadlines, markDeadlineDone, sendDeadlineAlerts } from "../../src/app/services/deadlines.ts";
import { crisisPlanOverview, markSectionReviewed, recordNewVersion, sendCrisisReviewRequests } from "../../src/app/services/crisis-plan.ts";
import { resolveAudience, createNewsletter, sendNewsletterNow, testSend, renderNewsletterPreview, newsletterStats, scheduleNewsletter, runNewsletterSends } from "../../src/app/services/newsletters.ts";
import { enqueueMessages } from "../../src/app/services/outbox.ts";
import { addDays } from "../../src/rules/index.ts";

const TODAY = "2026-03-20"; // reminder step 2 (1 Jan + 45 days) is due, step 3 (+90) on 1 April
let t: TestDb;
let cptsId: string;

beforeAll(async () => {
  t = await createTestDb();
  cptsId = (await loadDemo(t.db, TODAY)).cptsId;
});
afterAll(async () => t?.cleanup());

describe(`services d'envoi (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("enqueueMessages est idempotent sur la clé", async () => {
    const draft = { cptsId, idempotencyKey: "test:idem:1", channel: "MAIL" as const, kind: "test", recipient: "a@exemple.fr", subject: "Objet", bodyText: "x" };
    expect(await t.db.$transaction((tx) => enqueueMessages(tx, [draft, draft]))).toBe(1);
    expect(await t.db.$transaction((tx) => enqueueMessages(tx, [draft]))).toBe(0);
    expect(await t.db.outboxMessage.count({ where: { idempotencyKey: "test:idem:1" } })).toBe(1);
  });

  it("le décompte de /relance-cotisations (sans lire noms ni adresses) donne les chiffres de l'aperçu complet", async () => {
    const ctx = contextAt(t, TODAY);
    const full = await previewReminders(ctx, cptsId, TODAY);
    expect(full.members.length).toBeGreaterThanOrEqual(6);
    const [empty, none, invalid, unsubscribed, paidLateForLastYear, paidEarlyForThisYear] = full.members.slice(0, 6).map((m) => m.id);
    const before = await t.db.member.findMany({ where: { id: { in: [empty!, none!, invalid!, unsubscribed!] } }, select: { id: true, email: true, emailInvalid: true, prefDuesReminders: true } });
    try {
      await t.db.member.update({ where: { id: empty! }, data: { email: "" } });
      await t.db.member.update({ where: { id: none! }, data: { email: null } });
      await t.db.member.update({ where: { id: invalid! }, data: { emailInvalid: true } });
      await t.db.member.update({ where: { id: unsubscribed! }, data: { prefDuesReminders: false } });
      // a payment counts for the dues year it was recorded for, whenever it was made
      await t.db.duesPayment.create({ data: { cptsId, memberId: paidLateForLastYear!, year: 2025, amountCents: 3000, paidOn: "2026-01-10", source: "MANUEL", externalId: "test-annee-2025" } });
      await t.db.duesPayment.create({ data: { cptsId, memberId: paidEarlyForThisYear!, year: 2026, amountCents: 100_000, paidOn: "2025-12-20", source: "MANUEL", externalId: "test-annee-2026" } });
      const preview = await previewReminders(ctx, cptsId, TODAY);
      const counts = await countReminders(ctx, cptsId, TODAY);
      expect(preview.count).toBe(full.count - 5);
      expect(Object.fromEntries(preview.skipped.map((s) => [s.id, s.reason]))).toMatchObject({ [empty!]: "sans_email", [none!]: "sans_email", [invalid!]: "email_invalide", [unsubscribed!]: "desabonne" });
      expect(preview.members.map((m) => m.id)).toContain(paidLateForLastYear);
      expect(preview.members.map((m) => m.id)).not.toContain(paidEarlyForThisYear);
      expect(counts).toEqual({ year: preview.year, count: preview.count, byProfession: preview.byProfession, skipped: preview.skipped.length, policyEnabled: true });
      // counting reads no contact: the members have no name, address or unsubscribe token at all
      const light = (await loadReminderInputs(t.db, cptsId, 2026, { contacts: false }))!;
      expect(light.members.length).toBeGreaterThan(20);
      for (const m of light.members) expect(Object.keys(m).filter((k) => ["name", "email", "unsubscribeToken", "firstName", "lastName"].includes(k))).toEqual([]);
      expect(Object.fromEntries(light.members.filter((m) => [empty, none, invalid].includes(m.id)).map((m) => [m.id, m.hasEmail]))).toEqual({ [empty!]: false, [none!]: false, [invalid!]: true });
    } finally {
      await t.db.duesPayment.deleteMany({ where: { externalId: { in: ["test-annee-2025", "test-annee-2026"] } } });
      for (const b of before) await t.db.member.update({ where: { id: b.id }, data: { email: b.email, emailInvalid: b.emailInvalid, prefDuesReminders: b.prefDuesReminders } });
    }
    expect(await countReminders(ctx, cptsId, TODAY)).toMatchObject({ count: full.count, skipped: full.skipped.length });
  });

  it("relance les adhérents non à jour, une fois : une seconde exécution le même jour n'ajoute rien", async () => {
    const ctx = contextAt(t, TODAY);
    const preview = await previewReminders(ctx, cptsId, TODAY);
    const unpaid = await t.db.member.count({
      where: { cptsId, status: "ACTIF", duesExempt: false, roles: { some: { role: "ADHERENT" } }, payments: { none: { year: 2026 } }, prefDuesReminders: true },
    });
    expect(preview.count).toBe(unpaid);
    expect(preview.count).toBeGreaterThan(20);
    expect(preview.members.every((m) => m.step === 2)).toBe(true);
    expect(preview.byProfession.reduce((s, p) => s + p.count, 0)).toBe(preview.count);

    const first = await enqueueReminders(ctx, cptsId, TODAY, { trigger: "job", actor: "job:dues-reminders" });
    expect(first.enqueued).toBe(preview.count);
    const second = await enqueueReminders(ctx, cptsId, TODAY, { trigger: "job", actor: "job:dues-reminders" });
    expect(second.enqueued).toBe(0);
    expect(await t.db.reminderLedger.count({ where: { cptsId, year: 2026, step: 2 } })).toBe(preview.count);
    const row = await t.db.outboxMessage.findFirstOrThrow({ where: { cptsId, kind: "relance" } });
    expect(row.subject).toContain("cotisation 2026");
    expect(row.bodyHtml).toContain("Régler ma cotisation");
    expect((row.headers as Record<string, string>)["List-Unsubscribe"]).toMatch(/^<https:\/\/coordo\.exemple\.fr\/desabonnement\/.+\?type=relances>, <mailto:contact@cpts-demo\.fr\?subject=desabonnement%20relances%20.+>$/);
    expect((await previewReminders(ctx, cptsId, TODAY)).count).toBe(0);
  });

  it("un paiement reçu entre deux relances arrête la suivante", async () => {
    const ctx = contextAt(t, "2026-04-02");
    const reminded = await t.db.reminderLedger.findMany({ where: { cptsId, year: 2026, step: 2 }, take: 2 });
    const payer = reminded[0]!.memberId;
    await t.db.duesPayment.create({ data: { cptsId, memberId: payer, year: 2026, amountCents: 3000, paidOn: "2026-03-25", source: "MANUEL", externalId: "test-entre-deux" } });
    const preview = await previewReminders(ctx, cptsId, "2026-04-02");
    expect(preview.members.map((m) => m.id)).not.toContain(payer);
    expect(preview.members.map((m) => m.id)).toContain(reminded[1]!.memberId);
    expect(preview.members.every((m) => m.step === 3)).toBe(true);
    const r = await enqueueReminders(ctx, cptsId, "2026-04-02", { trigger: "job", actor: "test" });
    expect(r.enqueued).toBe(preview.count);
    expect(await t.db.reminderLedger.count({ where: { memberId: payer, year: 2026, step: 3 } })).toBe(0);
  });

  it("les échéances reçoivent leurs alertes une fois, et plus du tout une fois marquées faites", async () => {
    const ctx = contextAt(t, TODAY);
    const list = await listDeadlines(ctx, cptsId, TODAY);
    const target = list.find((d) => d.state !== "fait" && d.alertDates.filter((a) => a > TODAY).length >= 2)!;
    const [firstAlert, secondAlert] = target.alertDates.filter((a) => a > TODAY);
    const atFirst = contextAt(t, firstAlert!);
    const sent = await sendDeadlineAlerts(atFirst, cptsId, firstAlert!);
    expect(sent.alerts).toBeGreaterThanOrEqual(1);
    expect(sent.chat).toBe(sent.alerts);
    const mails = await t.db.outboxMessage.findMany({ where: { cptsId, kind: "alerte", refId: target.key, channel: "MAIL" } });
    expect(mails.map((m) => m.recipient).sort()).toEqual(
      ["coordination@cpts-demo.fr", "presidence@cpts-demo.fr", "secretariat@cpts-demo.fr", "tresorerie@cpts-demo.fr", "vice-presidence@cpts-demo.fr"],
    );
    const chat = await t.db.outboxMessage.findFirstOrThrow({ where: { cptsId, kind: "alerte", refId: target.key, channel: "CHAT" } });
    expect(chat.recipient).toBe("console:console:alertes");
    expect((await sendDeadlineAlerts(atFirst, cptsId, firstAlert!)).alerts).toBe(0);
    expect(await t.db.deadlineAlert.count({ where: { cptsId, key: target.key } })).toBe(1);

    await markDeadlineDone(atFirst, cptsId, target.key, "admin:test");
    await sendDeadlineAlerts(contextAt(t, secondAlert!), cptsId, secondAlert!);
    expect(await t.db.deadlineAlert.count({ where: { cptsId, key: target.key } })).toBe(1);
    expect((await listDeadlines(atFirst, cptsId, secondAlert!)).find((d) => d.key === target.key)!.state).toBe("fait");
  });

  it("une échéance en retard est rappelée et remonte au conseil d'administration", async () => {
    const ctx = contextAt(t, TODAY);
    const late = (await listDeadlines(ctx, cptsId, "2027-06-01")).find((d) => d.state === "en_retard" && d.kind === "crisis_plan")!;
    const day = addDays(late.dueDate, 7);
    const r = await sendDeadlineAlerts(contextAt(t, day), cptsId, day);
    expect(r.alerts).toBeGreaterThanOrEqual(1);
    const alert = await t.db.deadlineAlert.findFirstOrThrow({ where: { cptsId, key: late.key, alertOn: day } });
    expect(alert.level).toBe("retard");
    const mail = await t.db.outboxMessage.findFirstOrThrow({ where: { cptsId, kind: "alerte", refId: late.key, channel: "MAIL", idempotencyKey: { contains: day } } });
    expect(mail.subject).toMatch(/^EN RETARD/);
  });

  it("demande la relecture du plan de crise aux responsables, sans doublon, jusqu'à la nouvelle version", async () => {
    const ctx = contextAt(t, TODAY);
    const overview = await crisisPlanOverview(ctx, cptsId, TODAY);
    expect(overview.current?.draft).toBe(true);
    expect(overview.sections).toHaveLength(4);
    expect(overview.sections.every((s) => s.owner !== null)).toBe(true);
    const due = overview.nextRefresh!.dueDate;
    expect(overview.nextRefresh!.key).toBe("crisis_plan:first");
    const early = addDays(due, -90);
    expect((await sendCrisisReviewRequests(contextAt(t, early), cptsId, early)).requested).toBe(0);
    const d1 = addDays(due, -59);
    expect((await sendCrisisReviewRequests(contextAt(t, d1), cptsId, d1)).requested).toBe(4);
    expect((await sendCrisisReviewRequests(contextAt(t, d1), cptsId, d1)).requested).toBe(0);
    const owner = overview.sections[0]!.owner!.id;
    await markSectionReviewed(contextAt(t, addDays(d1, 2)), cptsId, "ANTICIPER", owner, "Contacts à jour");
    const d2 = addDays(d1, 14);
    expect((await sendCrisisReviewRequests(contextAt(t, d2), cptsId, d2)).requested).toBe(3);
    await recordNewVersion(contextAt(t, addDays(d2, 1)), cptsId, addDays(d2, 1), "admin:test");
    const after = await crisisPlanOverview(contextAt(t, addDays(d2, 1)), cptsId, addDays(d2, 1));
    expect(after.lastAdopted?.adoptedOn).toBe(addDays(d2, 1));
    expect(after.nextRefresh!.key).toBe("crisis_plan_update:1");
    const d3 = addDays(d2, 14);
    expect((await sendCrisisReviewRequests(contextAt(t, d3), cptsId, d3)).requested).toBe(0);
  });

  it("rappelle une fois au coordinateur la lettre périodique en retard", async () => {
    const ctx = contextAt(t, TODAY); // demo: last newsletter 4 months ago, quarterly cadence
    const stats = await newsletterStats(ctx, cptsId);
    expect(stats.overdue).toBe(true);
    const first = await runNewsletterSends(ctx);
    expect(first.nudges).toBe(1);
    const nudge = await t.db.outboxMessage.findFirstOrThrow({ where: { cptsId, kind: "rappel_lettre" } });
    expect(nudge.recipient).toBe("coordination@cpts-demo.fr");
    expect(nudge.subject).toBe("La lettre d'information trimestrielle est à envoyer");
    expect((await runNewsletterSends(contextAt(t, addDays(TODAY, 1)))).nudges).toBe(0);
  });

  it("la lettre d'information part une fois à son audience, avec désabonnement en un clic", async () => {
    const ctx = contextAt(t, TODAY);
    const audience = await resolveAudience(ctx, cptsId, { audience: "ADHERENTS" });
    const optedOut = await t.db.member.count({ where: { cptsId, prefNewsletter: false } });
    expect(audience.excluded.unsubscribed).toBe(optedOut);
    const nurses = await resolveAudience(ctx, cptsId, { audience: "PROFESSIONS", professions: ["infirmier"] });
    expect(nurses.count).toBeGreaterThan(0);
    expect(nurses.recipients.every((r) => r.profession === "infirmier")).toBe(true);

    const n = await createNewsletter(ctx, { cptsId, subject: "Lettre <spéciale> & co", body: "Bonjour,\n\nUn paragraphe avec <script>alert(1)</script>.", createdBy: "test" });
    const preview = await renderNewsletterPreview(ctx, cptsId, n.id);
    expect(preview.html).toContain("&lt;script&gt;");
    expect(preview.html).not.toContain("<script>");
    await testSend(ctx, cptsId, n.id, "test@exemple.fr");
    const r = await sendNewsletterNow(ctx, cptsId, n.id, "admin:test");
    expect(r.enqueued).toBe(audience.count);
    await expect(sendNewsletterNow(ctx, cptsId, n.id, "admin:test")).rejects.toThrow(/déjà été envoyée/);
    const rows = await t.db.outboxMessage.findMany({ where: { refType: "newsletter", refId: n.id } });
    expect(rows).toHaveLength(audience.count);
    expect((rows[0]!.headers as Record<string, string>)["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    const stats = await newsletterStats(ctx, cptsId);
    expect(stats.newsletters.find((x) => x.id === n.id)!.pending).toBe(audience.count);
  });

  it("une lettre programmée part quand son heure est venue", async () => {
    const ctx = contextAt(t, "2026-03-20T08:00:00+01:00");
    const n = await createNewsletter(ctx, { cptsId, subject: "Programmée", body: "Texte de la lettre programmée.", audience: "PROFESSIONS", professions: ["sage_femme"] });
    await scheduleNewsletter(ctx, cptsId, n.id, new Date("2026-03-21T09:00:00+01:00"));
    expect((await runNewsletterSends(ctx)).sent).toBe(0);
    const later = contextAt(t, "2026-03-21T09:05:00+01:00");
    expect((await runNewsletterSends(later)).sent).toBe(1);
    expect((await t.db.newsletter.findUniqueOrThrow({ where: { id: n.id } })).state).toBe("ENVOYEE");
    expect((await runNewsletterSends(later)).sent).toBe(0);
  });
});

