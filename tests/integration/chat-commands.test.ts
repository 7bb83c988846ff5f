// Every chat command through the console adapter on the demo CPTS (fixed clock), with permissions.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { chatWorld, COORDO, PRESIDENCE, TODAY, type ChatWorld } from "./chat-setup.ts";
import { previewReminders } from "../../src/app/services/dues-reminders.ts";
import { resolveAudience } from "../../src/app/services/newsletters.ts";
import { loadRulesInputs } from "../../src/db/repos/cpts-rules-repo.ts";
import { main } from "../../src/cli/main.ts";
import { contractYearOf, entitlementForYear, formatEuros } from "../../src/rules/index.ts";

let w: ChatWorld;
let paidEmail: string;
let unpaidEmail: string;
let adherentEmail: string;

beforeAll(async () => {
  w = await chatWorld();
  const adherents = await w.t.db.member.findMany({
    where: { cptsId: w.cptsId, status: "ACTIF", category: "PROFESSIONNEL", email: { endsWith: "@exemple-sante.fr" }, roles: { some: { role: "ADHERENT" } } },
    include: { payments: { where: { year: 2026 } } },
    orderBy: { email: "asc" },
  });
  paidEmail = adherents.find((m) => m.payments.length > 0)!.email!;
  unpaidEmail = adherents.find((m) => m.payments.length === 0)!.email!;
  adherentEmail = adherents.find((m) => m.email !== paidEmail && m.email !== unpaidEmail)!.email!;
});
afterAll(async () => w?.close());

describe(`commandes de chat sur la CPTS de démonstration (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("/aide ne montre à chacun que les commandes qu'il peut utiliser", async () => {
    const coordo = await w.say(COORDO, "/aide");
    expect(coordo.text).toContain("/relance-cotisations");
    expect(coordo.text).toContain("/emargement");
    const adherent = await w.say(adherentEmail, "/aide");
    expect(adherent.text).toContain("/cotisation");
    expect(adherent.text).not.toContain("/relance-cotisations");
    expect(adherent.text).not.toContain("/financement");
    const stranger = await w.say("inconnu@ailleurs.fr", "/aide");
    expect(stranger.text).toContain("/adhesion");
    expect(stranger.text).not.toContain("/cotisation");
  });

  it("une commande inconnue et une option invalide reçoivent chacune un message clair en français", async () => {
    expect((await w.say(COORDO, "/cotisations")).text).toMatch(/Commande inconnue : « \/cotisations »/);
    const bad = await w.say(COORDO, "/emargement titre=\"Réunion\" mission=acces_soins duree=trois");
    expect(bad.text).toContain("L'option « duree » attend une durée en minutes");
    expect(bad.text).toContain("« trois »");
    expect((await w.say(COORDO, "/cotisation couleur=bleu")).text).toContain("Option inconnue « couleur »");
  });

  it("un compte non relié est invité à utiliser /adhesion", async () => {
    const r = await w.say("inconnu@ailleurs.fr", "/cotisation");
    expect(r.text).toMatch(/pas encore relié.*\/adhesion lier/);
  });

  it("/cotisation indique l'état de l'année et comment payer", async () => {
    const unpaid = await w.say(unpaidEmail, "/cotisation");
    expect(unpaid.text).toContain("n'est pas encore réglée (30,00 €)");
    expect(unpaid.text).toContain("https://www.helloasso.com/associations/cpts-du-val-de-demo");
    expect(unpaid.reply.ephemeral).toBe(true);
    const paid = await w.say(paidEmail, "/cotisation");
    expect(paid.text).toContain("est à jour");
    expect(paid.text).not.toContain("helloasso");
    expect((await w.say(COORDO, "/cotisation")).text).toContain("aucune cotisation n'est attendue");
  });

  it("un adhérent ne peut pas lancer /relance-cotisations", async () => {
    const r = await w.say(adherentEmail, "/relance-cotisations");
    expect(r.text).toContain("réservée au bureau et à la coordination");
    expect(await w.t.db.outboxMessage.count({ where: { kind: "relance" } })).toBe(0);
  });

  it("/relance-cotisations : aperçu par profession, liste, confirmation, puis rien de plus le même jour", async () => {
    const expected = await previewReminders(w.app, w.cptsId, TODAY);
    expect(expected.count).toBeGreaterThan(0);
    const { replies, text } = await w.flow(PRESIDENCE, "/relance-cotisations", ["Voir la liste", "Envoyer"]);
    expect(replies[0]!.text).toContain(`${expected.count} adhérent(s)`);
    for (const p of expected.byProfession) expect(replies[0]!.fields).toContainEqual({ name: p.label, value: String(p.count) });
    expect(replies[1]!.text).toContain(expected.members[0]!.name);
    expect(text).toContain(`${expected.count} relance(s) 2026 mise(s) en file d'envoi`);
    expect(await w.t.db.outboxMessage.count({ where: { cptsId: w.cptsId, kind: "relance" } })).toBe(expected.count);
    const again = await w.say(COORDO, "/relance-cotisations");
    expect(again.text).toContain("Personne à relancer aujourd'hui");
    expect(await w.t.db.outboxMessage.count({ where: { cptsId: w.cptsId, kind: "relance" } })).toBe(expected.count);
  });

  it("un bouton de confirmation ne sert qu'une fois et qu'à celui qui a lancé la commande", async () => {
    const s = await w.chat.session("demo", COORDO);
    const menu = await w.chat.command(s, "/mes-donnees effacer");
    const other = await w.chat.session("demo", PRESIDENCE);
    const refused = await w.chat.click(other, menu, "Annuler");
    expect(refused.text).toContain("concerne la personne qui a lancé la commande");
    expect((await w.chat.click(s, menu, "Annuler")).text).toBe("Rien n'a été effacé.");
    expect((await w.chat.click(s, menu, "Annuler")).text).toContain("déjà été utilisé");
  });

  it("/newsletter : audience, nombre de destinataires, test à moi-même, envoi confirmé", async () => {
    const audience = await resolveAudience(w.app, w.cptsId, { audience: "PROFESSIONS", professions: ["infirmier", "pharmacien"] });
    const { replies } = await w.flow(COORDO, '/newsletter sujet="Lettre de novembre" texte="Bonjour à toutes et à tous, voici les nouvelles." audience=professions professions=infirmier,pharmacien', ["M'envoyer un test", "Envoyer maintenant", "Confirmer"]);
    expect(replies[0]!.fields).toContainEqual({ name: "Destinataires", value: String(audience.count) });
    expect(replies[0]!.text).toContain("Bonjour à toutes et à tous");
    expect(await w.t.db.outboxMessage.count({ where: { kind: "newsletter_test", recipient: COORDO } })).toBe(1);
    expect(replies[2]!.text).toContain(`à ${audience.count} destinataire(s)`);
    expect(replies[3]!.text).toContain(`${audience.count} mail(s) mis en file d'envoi`);
    expect(await w.t.db.outboxMessage.count({ where: { kind: "newsletter" } })).toBe(audience.count);
  });

  it("/newsletter peut programmer l'envoi à une date (heure de Paris)", async () => {
    const { replies } = await w.flow(COORDO, '/newsletter sujet="Lettre programmée" texte="Un texte assez long pour la lettre." programmer=2026-12-01T08:30', ["Programmer"]);
    expect(replies[1]!.text).toContain("1 décembre 2026");
    const n = await w.t.db.newsletter.findFirstOrThrow({ where: { subject: "Lettre programmée" } });
    expect(n.scheduledAt?.toISOString()).toBe("2026-12-01T07:30:00.000Z");
  });

  it("/echeances : les adhérents voient les échéances, seule la coordination les marque faites", async () => {
    const seen = await w.say(adherentEmail, "/echeances");
    expect(seen.reply.fields!.length).toBeGreaterThan(0);
    // no « Fait » for members (only the « Suivant » of a long list)
    expect((seen.reply.buttons ?? []).filter((b) => b.label.startsWith("Fait"))).toHaveLength(0);
    expect((await w.say(adherentEmail, "/echeances fait cle=ag:2027")).text).toContain("Seule la coordination");
    const { replies } = await w.flow(COORDO, "/echeances", ["1"]);
    const key = replies[0]!.fields![0]!.value.split("clé : ")[1]!;
    expect(replies[1]!.text).toContain("Échéance marquée faite");
    const state = await w.t.db.deadlineState.findFirstOrThrow({ where: { cptsId: w.cptsId, key } });
    expect(state.doneOn).toBe(TODAY);
  });

  it("/financement donne les droits de l'année de contrat calculés par les règles, réservé au bureau", async () => {
    const inputs = (await loadRulesInputs(w.t.db, w.cptsId))!;
    const year = contractYearOf(TODAY, inputs.funding!.signatureDate, inputs.settings)!;
    const ent = entitlementForYear(inputs.funding!, year, inputs.settings);
    const r = await w.say(PRESIDENCE, "/financement");
    expect(r.reply.title).toContain(`année ${year}`);
    expect(r.text).toContain(`Droits de l'année : ${formatEuros(ent.total_cents)}`);
    expect(r.text).toContain("Prochains versements");
    expect((await w.say(adherentEmail, "/financement")).text).toContain("réservée au bureau");
  });

  it("/emargement : ouverture, « Présent » par les adhérents, clôture avec indemnités imputées sur l'enveloppe", async () => {
    const coordo = await w.chat.session("demo", COORDO);
    const sheet = await w.chat.command(coordo, '/emargement titre="Groupe SNP" mission=acces_soins duree=90');
    expect(sheet.ephemeral).toBeFalsy();
    const a = await w.chat.session("demo", unpaidEmail);
    const b = await w.chat.session("demo", PRESIDENCE);
    expect((await w.chat.click(a, sheet, "Présent")).text).toContain("Présence enregistrée");
    expect((await w.chat.click(a, sheet, "Présent")).text).toContain("déjà signé");
    await w.chat.click(b, sheet, "Présent");
    const envelope = await w.t.db.missionEnvelope.findFirstOrThrow({ where: { cptsId: w.cptsId, mission: "acces_soins", year: 2026 }, include: { expenses: true } });
    const spentBefore = envelope.expenses.reduce((s, e) => s + e.amountCents, 0);
    const closed = await w.chat.click(coordo, sheet, "Clore");
    // presidence is a doctor (80 €/h), 90 minutes; the other has not paid the 2026 dues: not indemnified (DOMAIN §7, default setting)
    const rows = await w.t.db.indemnity.findMany({ where: { cptsId: w.cptsId, meeting: { title: "Groupe SNP" } } });
    expect(rows).toHaveLength(1);
    expect(closed.fields).toContainEqual({ name: expect.stringContaining("(non indemnisé)"), value: expect.stringContaining("Cotisation 2026 non à jour (jamais payé)") });
    expect(rows.find((r) => r.explanation.includes("80,00 €"))?.amountCents).toBe(12000);
    const total = rows.reduce((s, r) => s + r.amountCents, 0);
    expect(closed.text).toContain(`total ${formatEuros(total)}`);
    const after = await w.t.db.envelopeExpense.findMany({ where: { envelopeId: envelope.id } });
    expect(after.reduce((s, e) => s + e.amountCents, 0) - spentBefore).toBe(total);
    expect((await w.chat.click(a, sheet, "Présent")).text).toContain("est clos");
    const mine = await w.say(PRESIDENCE, "/indemnites");
    expect(mine.text).toContain("120,00 €");
    expect(mine.reply.ephemeral).toBe(true);
  });

  it("/emargement sans titre liste les feuilles ouvertes et permet de clore celle de la démo", async () => {
    const { replies } = await w.flow(COORDO, "/emargement", ["Clore : Groupe de travail"]);
    expect(replies[0]!.text).toContain("Groupe de travail parcours insuffisance cardiaque");
    // of the 8 present, those whose 2026 dues are not paid are listed as not indemnified, with why
    const excluded = (replies[1]!.fields ?? []).filter((f) => f.name.endsWith("(non indemnisé)"));
    expect(excluded.length).toBeGreaterThan(0);
    expect(replies[1]!.text).toContain(`${8 - excluded.length} indemnité(s) enregistrée(s)`);
    expect(await w.t.db.indemnity.count({ where: { meeting: { title: "Groupe de travail parcours insuffisance cardiaque" } } })).toBe(8 - excluded.length);
  });

  it("/plan-crise : version, sections et responsables ; une section marquée relue par le bureau", async () => {
    const view = await w.say(adherentEmail, "/plan-crise");
    expect(view.reply.title).toContain("version 1 (brouillon)");
    expect(view.reply.fields).toHaveLength(4);
    expect(view.reply.buttons ?? []).toHaveLength(0);
    expect((await w.say(adherentEmail, "/plan-crise relu section=ANTICIPER")).text).toContain("réservé au bureau");
    const done = await w.say(PRESIDENCE, "/plan-crise relu section=anticiper");
    expect(done.text).toContain("Section ANTICIPER marquée relue");
    expect(await w.t.db.crisisPlanReview.count({ where: { section: { kind: "ANTICIPER" } } })).toBe(1);
    expect((await w.say(adherentEmail, "/plan-crise")).text).toContain(`relue le 23/11/2026`);
  });

  it("/adhesion lier : un code à usage unique part par mail, puis relie le compte", async () => {
    const who = "nouveau-compte@discord.local";
    const r = await w.say(who, `/adhesion lier email=${adherentEmail}`);
    expect(r.text).toContain("un code à 6 chiffres vient d'y être envoyé");
    const mail = await w.t.db.outboxMessage.findFirstOrThrow({ where: { kind: "code", recipient: adherentEmail } });
    const code = /code=(\d{6})/.exec(mail.bodyText)![1]!;
    expect((await w.say(who, `/adhesion code=${code === "000000" ? "000001" : "000000"}`)).text).toContain("n'est pas le bon");
    expect((await w.say(who, `/adhesion code=${code}`)).text).toContain("votre compte est relié");
    expect((await w.say(who, "/cotisation")).reply.title).toBe("Cotisation 2026");
  });

  it("/adhesion lier ne dit pas si une adresse inconnue existe et n'envoie rien", async () => {
    const before = await w.t.db.outboxMessage.count({ where: { kind: "code" } });
    const r = await w.say("curieux@x.fr", "/adhesion lier email=personne@nulle-part.fr");
    expect(r.text).toContain("Si personne@nulle-part.fr est l'adresse d'un membre");
    expect(await w.t.db.outboxMessage.count({ where: { kind: "code" } })).toBe(before);
  });

  it("/adhesion nouvelle : notice RGPD affichée, consentement enregistré, coordination prévenue", async () => {
    const { replies } = await w.flow("lea@perso.fr", "/adhesion nouvelle prenom=Léa nom=Nouvelle email=lea.nouvelle@exemple.fr profession=orthophoniste commune=Clairval", ["J'accepte"]);
    expect(replies[0]!.confirm).toContain("Protection de vos données");
    expect(replies[1]!.text).toContain("Votre demande d'adhésion est enregistrée");
    const m = await w.t.db.member.findFirstOrThrow({ where: { email: "lea.nouvelle@exemple.fr" }, include: { consents: true } });
    expect(m.status).toBe("CANDIDAT");
    expect(m.communeInsee).toBe("59908");
    expect(m.consents).toMatchObject([{ purpose: "adhesion", channel: "chat", textVersion: "rgpd-chat-v1" }]);
    expect(await w.t.db.outboxMessage.count({ where: { kind: "adhesion", recipient: COORDO } })).toBe(1);
    const bad = await w.say("x@perso.fr", "/adhesion nouvelle prenom=A nom=B email=a.b@exemple.fr profession=infirmier commune=Paris");
    expect(bad.text).toContain("n'est pas sur le territoire");
  });

  it("/mes-donnees : mes données en fichier JSON, puis effacement confirmé qui garde la comptabilité", async () => {
    const member = await w.t.db.member.findFirstOrThrow({ where: { email: paidEmail }, include: { payments: true } });
    const exported = await w.say(paidEmail, "/mes-donnees");
    expect(exported.reply.file?.mime).toBe("application/json");
    const data = JSON.parse(exported.reply.file!.content);
    expect(data.membre.email).toBe(paidEmail);
    expect(data.membre.payments).toHaveLength(member.payments.length);
    const { replies } = await w.flow(paidEmail, "/mes-donnees effacer", ["Oui, effacer"]);
    expect(replies[0]!.confirm).toContain("définitive");
    expect(replies[1]!.text).toContain("Vos données ont été effacées");
    const erased = await w.t.db.member.findUniqueOrThrow({ where: { id: member.id }, include: { payments: true, chatIdentities: true } });
    expect(erased).toMatchObject({ status: "EFFACE", email: null, firstName: null, lastName: null });
    expect(erased.payments).toHaveLength(member.payments.length);
    expect(erased.chatIdentities).toHaveLength(0);
    expect((await w.say(paidEmail, "/cotisation")).text).toContain("pas encore relié");
  });

  it("coordo chat imprime la réponse, ses boutons, et --click presse un bouton par son libellé", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), context: async () => w.app };
    const code = await main(["chat", "--cpts", "demo", "--as", COORDO, "/mes-donnees effacer", "--click", "Annuler"], io);
    expect(code).toBe(0);
    expect(out.join("\n")).toContain("Boutons : [1] Oui, effacer mes données  [2] Annuler");
    expect(out.join("\n")).toContain("> clic « Annuler »\nRien n'a été effacé.");
    expect(await main(["chat", "--cpts", "demo", "/aide"], io)).toBe(2);
    expect(err.join("\n")).toContain("Indiquez --cpts, --as");
  });
});
