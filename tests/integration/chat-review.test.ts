// Review fixes of the chat layer: link-code tries, scheduled newsletter dates, reminder summary,
// crisis plan section order (console adapter, demo CPTS, fixed clock).
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { chatWorld, COORDO, PRESIDENCE, type ChatWorld } from "./chat-setup.ts";
import { previewReminders } from "../../src/app/services/dues-reminders.ts";

let w: ChatWorld;
let adherentEmail: string;

beforeAll(async () => {
  w = await chatWorld();
  const m = await w.t.db.member.findFirstOrThrow({
    where: { cptsId: w.cptsId, status: "ACTIF", email: { endsWith: "@exemple-sante.fr" }, roles: { some: { role: "ADHERENT" } } },
    orderBy: { email: "desc" },
  });
  adherentEmail = m.email!;
});
afterAll(async () => w?.close());

async function lastCode(email: string): Promise<string> {
  const mail = await w.t.db.outboxMessage.findFirstOrThrow({ where: { kind: "code", recipient: email }, orderBy: { createdAt: "desc" } });
  return /code=(\d{6})/.exec(mail.bodyText)![1]!;
}

describe(`corrections de revue du chat (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("/adhesion code : après 5 codes erronés le code est annulé, même le bon ne relie plus ; un nouveau code ne remet pas le compteur à zéro (seulement 24 h après)", async () => {
    const who = "essais@discord.local";
    await w.say(who, `/adhesion lier email=${adherentEmail}`);
    const code = await lastCode(adherentEmail);
    const wrong = (n: number) => String((Number(code) + n) % 1_000_000).padStart(6, "0");
    for (let i = 1; i <= 4; i++) {
      const r = await w.say(who, `/adhesion code=${wrong(i)}`);
      expect(r.text).toContain(`Il vous reste ${5 - i} essai`);
    }
    const fifth = await w.say(who, `/adhesion code=${wrong(5)}`);
    expect(fifth.text).toContain("Trop d'essais");
    expect(fifth.text).toContain("Demandez un nouveau code");
    const right = await w.say(who, `/adhesion code=${code}`);
    expect(right.text).not.toContain("votre compte est relié");
    expect(right.text).toContain("Demandez-en un nouveau");
    const identity = await w.t.db.chatIdentity.findFirstOrThrow({ where: { userId: who } });
    expect(identity.memberId).toBeNull();
    expect(identity.linkCode).toBeNull();

    // a new code the same day: refused, no mail, the counter stays
    const mails = await w.t.db.outboxMessage.count({ where: { kind: "code", recipient: adherentEmail } });
    expect((await w.say(who, `/adhesion lier email=${adherentEmail}`)).text).toContain("Trop d'essais");
    expect(await w.t.db.outboxMessage.count({ where: { kind: "code", recipient: adherentEmail } })).toBe(mails);
    expect((await w.t.db.chatIdentity.findFirstOrThrow({ where: { userId: who } })).linkAttempts).toBe(5);

    // a day after the last code expired, a new code starts a new count
    await w.t.db.chatIdentity.update({ where: { id: identity.id }, data: { linkExpires: new Date(identity.linkExpires!.getTime() - 25 * 3_600_000) } });
    await w.t.db.outboxMessage.deleteMany({ where: { kind: "code", recipient: adherentEmail } });
    await w.say(who, `/adhesion lier email=${adherentEmail}`);
    const fresh = await lastCode(adherentEmail);
    expect((await w.t.db.chatIdentity.findFirstOrThrow({ where: { userId: who } })).linkAttempts).toBe(0);
    expect((await w.say(who, `/adhesion code=${fresh === "999999" ? "999998" : "999999"}`)).text).toContain("Il vous reste 4 essais");
    expect((await w.say(who, `/adhesion code=${fresh}`)).text).toContain("votre compte est relié");
  });

  it("/adhesion lier : 30 demandes en rafale pour un même membre envoient 3 codes au plus (par compte et par membre, demandes simultanées comprises)", async () => {
    const target = await w.t.db.member.findFirstOrThrow({ where: { cptsId: w.cptsId, status: "ACTIF", email: { endsWith: "@exemple-sante.fr" } }, orderBy: { email: "asc" } });
    const replies = await Promise.all(Array.from({ length: 30 }, () => w.say("rafale-codes@discord.local", `/adhesion lier email=${target.email}`)));
    expect(await w.t.db.outboxMessage.count({ where: { kind: "code", memberId: target.id } })).toBeLessThanOrEqual(3);
    expect(replies.every((r) => /code à 6 chiffres|Trop de codes demandés/.test(r.text))).toBe(true);
    // once the burst is over (raced slots may have left some unused), the same account is soon told plainly
    let last = "";
    for (let i = 0; i < 4; i++) last = (await w.say("rafale-codes@discord.local", `/adhesion lier email=${target.email}`)).text;
    expect(last).toContain("Trop de codes demandés");
    expect(await w.t.db.outboxMessage.count({ where: { kind: "code", memberId: target.id } })).toBeLessThanOrEqual(3);
    // other chat accounts cannot flood the same mailbox either
    for (let i = 0; i < 5; i++) await w.say(`autre-${i}@discord.local`, `/adhesion lier email=${target.email}`);
    expect(await w.t.db.outboxMessage.count({ where: { kind: "code", memberId: target.id } })).toBe(3);
  });

  it("/adhesion code : des essais simultanés ne dépassent jamais 5 comparaisons", async () => {
    const who = "rafale@discord.local";
    await w.say(who, `/adhesion lier email=${PRESIDENCE}`);
    const code = await lastCode(PRESIDENCE);
    const guesses = Array.from({ length: 12 }, (_, i) => String((Number(code) + i + 1) % 1_000_000).padStart(6, "0"));
    const replies = await Promise.all(guesses.map((g) => w.say(who, `/adhesion code=${g}`)));
    expect(replies.filter((r) => r.text.includes("n'est pas le bon")).length).toBeLessThanOrEqual(4);
    expect((await w.t.db.chatIdentity.findFirstOrThrow({ where: { userId: who } })).linkAttempts).toBe(5);
    expect((await w.say(who, `/adhesion code=${code}`)).text).not.toContain("votre compte est relié");
  });
});

describe(`/newsletter programmer= (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  const line = (at: string, subject: string) => `/newsletter sujet="${subject}" texte="Un texte assez long pour la lettre." programmer=${at}`;

  it("une date impossible est refusée en nommant l'option et la forme AAAA-MM-JJTHH:MM, sans créer de lettre", async () => {
    for (const bad of ["2026-12-01T25:99", "2027-02-30T10:00", "2027-03-28T02:30", "demain"]) {
      const r = await w.say(COORDO, line(bad, `Lettre ${bad}`));
      expect(r.text).toContain("L'option « programmer » attend une date et une heure de Paris qui existent, au format AAAA-MM-JJTHH:MM");
      expect(r.text).toContain(`reçu « ${bad} »`);
      expect(r.text).not.toContain("Invalid Date");
      expect(r.reply.buttons ?? []).toHaveLength(0);
    }
    expect(await w.t.db.newsletter.count({ where: { subject: { startsWith: "Lettre 20" } } })).toBe(0);
  });

  it("une date passée (selon l'horloge de l'application) est refusée ; une date future est programmée à l'heure de Paris", async () => {
    const past = await w.say(COORDO, line("2026-11-23T09:59", "Lettre trop tard"));
    expect(past.text).toContain("L'option « programmer » attend une date future au format AAAA-MM-JJTHH:MM");
    expect(past.text).toContain("23/11/2026 à 09h59");
    expect(await w.t.db.newsletter.count({ where: { subject: "Lettre trop tard" } })).toBe(0);

    const { replies } = await w.flow(COORDO, line("2026-11-23T10:01", "Lettre juste à temps"), ["Programmer"]);
    expect(replies[0]!.buttons!.map((b) => b.label)).toContain("Programmer le 23 novembre 2026 à 10:01");
    expect(replies[1]!.text).toContain("Lettre programmée pour le 23 novembre 2026 à 10:01");
    const n = await w.t.db.newsletter.findFirstOrThrow({ where: { subject: "Lettre juste à temps" } });
    expect(n.scheduledAt!.toISOString()).toBe("2026-11-23T09:01:00.000Z");
    const summer = await w.flow(COORDO, line("2027-07-01", "Lettre d'été"), ["Programmer"]);
    expect(summer.replies[1]!.text).toContain("1 juillet 2027 à 09:00");
    expect((await w.t.db.newsletter.findFirstOrThrow({ where: { subject: "Lettre d'été" } })).scheduledAt!.toISOString()).toBe("2027-07-01T07:00:00.000Z");
  });
});

describe(`/plan-crise (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("les sections suivent l'ordre du plan (ANTICIPER, ADAPTER, ACTIVER_PILOTER, EVALUER, puis les situations), quel que soit le moteur", async () => {
    const version = await w.t.db.crisisPlanVersion.findFirstOrThrow({ where: { cptsId: w.cptsId }, orderBy: { version: "desc" } });
    await w.t.db.crisisPlanSection.create({ data: { versionId: version.id, kind: "SITUATION_OFFRE_DEGRADEE", title: "Offre de soins dégradée" } });
    await w.t.db.crisisPlanSection.create({ data: { versionId: version.id, kind: "SITUATION_BLESSES", title: "Afflux de blessés" } });
    const r = await w.say(PRESIDENCE, "/plan-crise");
    const kinds = (r.reply.fields ?? []).map((f) => /section=([A-Z_]+)/.exec(f.value)![1]);
    const expected = ["ANTICIPER", "ADAPTER", "ACTIVER_PILOTER", "EVALUER", "SITUATION_BLESSES", "SITUATION_OFFRE_DEGRADEE"];
    const stored = await w.t.db.crisisPlanSection.findMany({ where: { versionId: version.id }, select: { kind: true } });
    expect(kinds).toEqual(expected.filter((k) => stored.some((s) => s.kind === k)));
    expect(kinds.length).toBe(stored.length);
    expect(kinds.at(-1)).toBe("SITUATION_OFFRE_DEGRADEE");
    expect(r.reply.buttons![0]!.label).toContain((r.reply.fields![0]!.name));
  });
});

describe(`/relance-cotisations : avancement et récapitulatif (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("après confirmation : messages d'avancement, puis un récapitulatif (en file, déjà relancés, non relançables, par profession, état de la file)", async () => {
    const progress: string[] = [];
    w.chat.onProgress = (t) => void progress.push(t);
    try {
      const p = await previewReminders(w.app, w.cptsId, w.app.clock.today());
      expect(p.count).toBeGreaterThan(0);
      const a = await w.chat.session("demo", PRESIDENCE);
      const b = await w.chat.session("demo", COORDO);
      const menuA = await w.chat.command(a, "/relance-cotisations");
      const menuB = await w.chat.command(b, "/relance-cotisations");
      const first = await w.chat.click(a, menuA, "Envoyer");
      expect(progress).toEqual([`Préparation de ${p.count} relance(s) 2026…`, `${p.count} relance(s) mise(s) en file d'envoi ; récapitulatif en cours…`]);
      expect(first.title).toBe("Relances de cotisation 2026 : récapitulatif");
      expect(first.text).toContain(`${p.count} relance(s) 2026 mise(s) en file d'envoi maintenant.`);
      expect(first.text).toContain("0 membre(s) déjà relancé(s) plus tôt aujourd'hui");
      expect(first.text).toContain(`${p.skipped.length} membre(s) non relancé(s)`);
      expect(first.text).toContain("file d'envoi (outbox)");
      expect(first.text).toContain(`État de la file pour les ${p.count} relance(s) du jour : 0 envoyée(s), 0 capturée(s) (mode test), ${p.count} en attente`);
      for (const x of p.byProfession) expect(first.fields).toContainEqual({ name: x.label, value: `${x.count} relancé(s) aujourd'hui` });

      const rows = await w.t.db.outboxMessage.findMany({ where: { cptsId: w.cptsId, kind: "relance" }, orderBy: { idempotencyKey: "asc" }, take: 3 });
      await w.t.db.outboxMessage.update({ where: { id: rows[0]!.id }, data: { state: "ENVOYE" } });
      await w.t.db.outboxMessage.updateMany({ where: { id: { in: rows.slice(1).map((r) => r.id) } }, data: { state: "CAPTURE" } });
      const second = await w.chat.click(b, menuB, "Envoyer");
      expect(second.text).toContain("Aucune nouvelle relance");
      expect(second.text).toContain(`${p.count} membre(s) déjà relancé(s) plus tôt aujourd'hui`);
      expect(second.text).toContain(`1 envoyée(s), ${rows.length - 1} capturée(s) (mode test), ${p.count - rows.length} en attente`);
      expect(await w.t.db.outboxMessage.count({ where: { cptsId: w.cptsId, kind: "relance" } })).toBe(p.count);
    } finally {
      w.chat.onProgress = undefined;
    }
  });
});

describe(`mails de l'adhésion par modèles (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("le code de liaison et la demande d'adhésion partent en texte et en HTML échappé, par les modèles templates/mail", async () => {
    const who = "modele@discord.local";
    await w.say(who, `/adhesion lier email=${COORDO}`);
    const codeMail = await w.t.db.outboxMessage.findFirstOrThrow({ where: { kind: "code", recipient: COORDO } });
    const code = /code=(\d{6})/.exec(codeMail.bodyText)![1]!;
    expect(codeMail.subject).toContain(": votre code de connexion au chat");
    expect(codeMail.bodyHtml).toContain(`<strong>${code}</strong>`);
    expect(codeMail.bodyHtml).toContain("valable 15 minutes");

    const applied = await w.flow("candidat@perso.fr", '/adhesion nouvelle prenom="<b>Zoé</b>" nom=Durand email=zoe.durand@exemple.fr profession=orthophoniste commune=Clairval', ["J'accepte"]);
    // the account is linked only once the code mailed to the typed address is typed back
    expect(applied.text).toContain("tapez /adhesion code=XXXXXX");
    const candidate = await w.t.db.member.findFirstOrThrow({ where: { email: "zoe.durand@exemple.fr" } });
    const identity = await w.t.db.chatIdentity.findFirstOrThrow({ where: { userId: "candidat@perso.fr" } });
    expect(identity.memberId).toBeNull();
    const applicantCode = await lastCode("zoe.durand@exemple.fr");
    expect((await w.say("candidat@perso.fr", `/adhesion code=${applicantCode}`)).text).toContain("votre compte est relié");
    expect((await w.t.db.chatIdentity.findUniqueOrThrow({ where: { id: identity.id } })).memberId).toBe(candidate.id);
    const notice = await w.t.db.outboxMessage.findFirstOrThrow({ where: { kind: "adhesion", recipient: COORDO, bodyText: { contains: "Durand" } } });
    expect(notice.subject).toContain(": nouvelle demande d'adhésion");
    expect(notice.bodyText).toContain("<b>Zoé</b> Durand, Orthophoniste, Clairval, zoe.durand@exemple.fr.");
    expect(notice.bodyHtml).toContain("&lt;b&gt;Zoé&lt;/b&gt; Durand");
    expect(notice.bodyHtml).not.toContain("<b>Zoé</b>");
    expect(notice.bodyHtml).toContain("rgpd-chat-v1");
  });
});
