// Issue 16 in the chat: /saisir enters a dated fact (its deadline then shows in /echeances, which says
// when its list is cut) or a CPAM payment (then counted as received by /financement, never from the
// calendar); /financement lists the next payments and says where to see the rest.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatWorld, COORDO, PRESIDENCE, TODAY, type ChatWorld } from "./chat-setup.ts";
import { loadRulesInputs } from "../../src/db/repos/cpts-rules-repo.ts";
import { formatEuros, matchReceipts, paymentCalendar, summarize, upcomingPayments } from "../../src/rules/index.ts";
import { listDeadlines } from "../../src/app/services/deadlines.ts";
import { createNewsletter } from "../../src/app/services/newsletters.ts";

let w: ChatWorld;
beforeAll(async () => {
  w = await chatWorld();
}, 60_000);
afterAll(async () => w?.close());

describe(`/saisir, /financement et /echeances (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("/financement ne dit rien de « reçu » sans versement saisi, et compte un versement saisi par /saisir", async () => {
    const before = await w.say(PRESIDENCE, "/financement");
    expect(before.text).not.toContain("Déjà versé");
    expect(before.text).toContain("Reçu pour l'année (versements enregistrés) : 0,00 €");
    expect(before.text).toContain("Parts variables (potentiel, selon les indicateurs)");
    const inputs = (await loadRulesInputs(w.t.db, w.cptsId))!;
    const calendar = paymentCalendar(inputs.funding!, inputs.settings);
    // the oldest fixed payment: an unnamed receipt pays the oldest unpaid lines first
    const target = calendar.find((p) => p.nature !== "variable")!;
    const euros = (target.montant_cents / 100).toFixed(2).replace(".", ",");
    const saved = await w.say(PRESIDENCE, `/saisir type=versement_cpam date=${target.date} montant=${euros}`);
    expect(saved.text).toContain(`Versement CPAM de ${formatEuros(target.montant_cents)} reçu`);
    const after = await w.say(PRESIDENCE, "/financement");
    const all = summarize(matchReceipts(calendar, [{ date: target.date, cents: target.montant_cents }], TODAY).payments);
    expect(all.recu_cents).toBe(target.montant_cents);
    expect(after.text).toContain(`Sur tout le contrat : reçu ${formatEuros(all.recu_cents)}, attendu ${formatEuros(all.attendu_cents)}, en retard ${formatEuros(all.en_retard_cents)}`);
  });

  it("/financement dit quand la liste des prochains versements est coupée et où voir la suite", async () => {
    const inputs = (await loadRulesInputs(w.t.db, w.cptsId))!;
    const calendar = paymentCalendar(inputs.funding!, inputs.settings);
    const receipts = inputs.facts.receipts.map((r) => ({ date: r.receivedOn, cents: r.amountCents }));
    const next = upcomingPayments(matchReceipts(calendar, receipts, TODAY).payments, TODAY, 5);
    expect(next.total).toBeGreaterThan(5);
    const r = await w.say(PRESIDENCE, "/financement");
    expect(r.text).toContain(`… et ${next.total - 5} autre(s) : voir la page Financement de l'administration (/admin/financement).`);
    // the year-1 balance due today is among the next payments (signed 14 months ago: anniversary + 2 months = today)
    const dueToday = calendar.filter((p) => p.date === TODAY && p.nature === "solde" && p.annee === 1);
    expect(dueToday.length).toBeGreaterThan(0);
    const nextField = r.reply.fields!.find((f) => f.name === "Prochains versements")!.value;
    expect(nextField).toContain(`23/11/2026 : ${formatEuros(dueToday[0]!.montant_cents)} — ${dueToday[0]!.label}`);
    expect(r.text).toContain("Versements en retard");
  });

  it("/saisir embauche crée les obligations de l'employeur, visibles dans /echeances", async () => {
    const saved = await w.say(COORDO, '/saisir type=embauche date=2026-11-20 precision="secrétaire"');
    expect(saved.text).toContain("Embauche d'un salarié le 20/11/2026 — secrétaire : enregistré");
    const list = await listDeadlines(w.app, w.cptsId, TODAY);
    const duty = list.find((d) => d.kind === "hire_duty" && d.key.endsWith(":urssaf_salarie"))!;
    expect(duty.dueDate).toBe("2026-11-28");
    const open = list.filter((d) => d.state !== "fait");
    const ech = await w.say(COORDO, "/echeances");
    expect(ech.text).toContain("Déclarer le salarié à l'URSSAF");
    expect(ech.text).toContain(`${open.length} au total`);
  });

  it("/saisir refuse en français une saisie invalide et un adhérent sans rôle au bureau", async () => {
    expect((await w.say(COORDO, "/saisir type=embauche date=2026-11-20")).text).toContain("indiquez le poste");
    expect((await w.say(COORDO, "/saisir type=aide_fir date=2025-01-32 montant=1000")).text).toContain("AAAA-MM-JJ");
    expect((await w.say(COORDO, "/saisir type=versement_cpam date=2026-11-20 montant=douze")).text).toContain("Montant invalide");
    const member = await w.t.db.member.findFirstOrThrow({ where: { cptsId: w.cptsId, status: "ACTIF", email: { endsWith: "@exemple-sante.fr" }, roles: { every: { role: "ADHERENT" } } } });
    expect((await w.say(member.email!, "/saisir type=aide_fir date=2026-11-20 montant=1000")).text).toContain("réservée au bureau");
  });

  it("/newsletter dit combien de lettres ne sont pas listées et où les voir", async () => {
    for (let i = 0; i < 6; i++) await createNewsletter(w.app, { cptsId: w.cptsId, subject: `Lettre ${i}`, body: "Bonjour à toutes et à tous.", audience: "ADHERENTS" });
    const total = await w.t.db.newsletter.count({ where: { cptsId: w.cptsId } });
    const r = await w.say(COORDO, "/newsletter");
    expect(r.text).toContain(`Les 5 plus récentes ci-dessous ; les ${total - 5} autres sur la page Newsletters de l'administration (/admin/newsletters).`);
  });
});
