// The fictional demo CPTS (slug "demo"): size 2, ~150 members in the regional profession mix, an ACI
// signed 14 months ago with missions started, a crisis plan due, some unpaid dues. Deterministic
// (seeded), written in one transaction, and a no-op when the CPTS already exists.
import type { Db, Tx } from "./client.ts";
import { addDays, addMonths, yearOf } from "../rules/dates.ts";
import { distributeByShare } from "../rules/professions.ts";
import { hashPassword } from "../app/password.ts";
import { secretToken } from "./secret-token.ts";
import { prng } from "../prng.ts";

export const DEMO_SLUG = "demo";
export const DEMO_COORDINATOR_EMAIL = "coordination@cpts-demo.fr";
export const DEMO_ADMIN_PASSWORD = "demo-coordo-2026";

const FIRST = ["Camille", "Léa", "Hugo", "Louis", "Chloé", "Emma", "Nathan", "Inès", "Jules", "Manon", "Lucas", "Sarah", "Paul", "Alice", "Théo", "Julie", "Marc", "Claire", "Antoine", "Zoé"];
const LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard"];
const COMMUNES = [
  ["59901", "Valdémo", "59100", 21000], ["59902", "Saint-Fictif", "59110", 9800], ["59903", "Beaulieu-sur-Démo", "59120", 8400],
  ["59904", "Marais-les-Bains", "59130", 7100], ["59905", "Hautbois", "59140", 6200], ["59906", "Fontaine-Rose", "59150", 4700],
  ["59907", "Le Petit-Pré", "59160", 3100], ["59908", "Clairval", "59170", 1700],
] as const;


export interface DemoResult {
  created: boolean;
  cptsId: string;
  members: number;
}

export async function loadDemo(db: Db, today: string): Promise<DemoResult> {
  const existing = await db.cpts.findUnique({ where: { slug: DEMO_SLUG }, select: { id: true } });
  if (existing) return { created: false, cptsId: existing.id, members: await db.member.count({ where: { cptsId: existing.id } }) };
  const passwordHash = await hashPassword(DEMO_ADMIN_PASSWORD);
  return db.$transaction((tx) => seed(tx, today, passwordHash), { timeout: 60_000, maxWait: 20_000 });
}

async function seed(tx: Tx, today: string, passwordHash: string): Promise<DemoResult> {
  const rnd = prng(20261123);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const year = yearOf(today);
  const signedOn = addMonths(today, -14);

  const cpts = await tx.cpts.create({
    data: {
      slug: DEMO_SLUG,
      name: "CPTS du Val de Démo",
      icalToken: secretToken(),
      helloassoToken: secretToken(),
      population: 62_400,
      stage: "ACI_SIGNE",
      departments: "59",
      address: "12 rue de la Santé, 59100 Valdémo",
      contactEmail: DEMO_COORDINATOR_EMAIL,
      paymentLink: "https://www.helloasso.com/associations/cpts-du-val-de-demo/adhesions/cotisation",
      paymentInstructions: "Virement : IBAN FR76 0000 0000 0000 0000 0000 000, libellé « Cotisation + votre nom ».",
      newsletterCadence: "TRIMESTRIELLE",
      alertChannelId: "console:alertes",
      communes: { create: COMMUNES.map(([inseeCode, name, postalCode, population]) => ({ inseeCode, name, postalCode, population })) },
      reminderPolicy: { create: { offsetsDays: "15,45,90", maxCount: 3 } },
      duesRates: {
        create: [year - 1, year].flatMap((y) => [
          { year: y, category: "PROFESSIONNEL" as const, amountCents: 3000 },
          { year: y, category: "STRUCTURE" as const, amountCents: 10000 },
          { year: y, category: "PARTENAIRE" as const, amountCents: 0 },
        ]),
      },
      workspaces: { create: { platform: "CONSOLE", externalId: "console", name: "Console locale", alertChannelId: "alertes" } },
    },
  });

  // Board and coordinator first, then the professionals in the regional mix.
  const staff = [
    { firstName: "Camille", lastName: "Martin", email: DEMO_COORDINATOR_EMAIL, profession: null, roles: [{ role: "COORDONNATEUR" as const }] },
    { firstName: "Hélène", lastName: "Durand", email: "presidence@cpts-demo.fr", profession: "medecin_generaliste", roles: [{ role: "ADHERENT" as const }, { role: "CA" as const }, { role: "BUREAU" as const, office: "PRESIDENT" as const }] },
    { firstName: "Karim", lastName: "Benali", email: "tresorerie@cpts-demo.fr", profession: "pharmacien", roles: [{ role: "ADHERENT" as const }, { role: "CA" as const }, { role: "BUREAU" as const, office: "TRESORIER" as const }] },
    { firstName: "Sophie", lastName: "Lemaire", email: "secretariat@cpts-demo.fr", profession: "infirmier", roles: [{ role: "ADHERENT" as const }, { role: "CA" as const }, { role: "BUREAU" as const, office: "SECRETAIRE" as const }] },
    { firstName: "Yann", lastName: "Le Gall", email: "vice-presidence@cpts-demo.fr", profession: "masseur_kinesitherapeute", roles: [{ role: "ADHERENT" as const }, { role: "CA" as const }, { role: "BUREAU" as const, office: "VICE_PRESIDENT" as const }] },
  ];
  const ids: { id: string; profession: string | null; category: string; staff: boolean }[] = [];
  for (const s of staff) {
    const m = await tx.member.create({
      data: {
        cptsId: cpts.id, firstName: s.firstName, lastName: s.lastName, email: s.email, profession: s.profession,
        communeInsee: COMMUNES[0][0], joinedOn: addMonths(signedOn, -12),
        roles: { create: s.roles },
        consents: { create: { purpose: "adhesion", textVersion: "rgpd-v1", channel: "import" } },
      },
    });
    ids.push({ id: m.id, profession: s.profession, category: "PROFESSIONNEL", staff: s.roles.some((r) => r.role === "COORDONNATEUR") });
  }
  const professionals = distributeByShare(140);
  let n = 0;
  for (const { key, count } of professionals) {
    for (let i = 0; i < count; i++) {
      n++;
      const firstName = pick(FIRST);
      const lastName = pick(LAST);
      const m = await tx.member.create({
        data: {
          cptsId: cpts.id, firstName, lastName, profession: key,
          email: `${firstName}.${lastName}.${n}@exemple-sante.fr`.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, ""),
          phone: `06${String(10_000_000 + n * 7919).slice(0, 8)}`,
          communeInsee: pick(COMMUNES)[0], joinedOn: addDays(signedOn, -Math.floor(rnd() * 900)),
          prefNewsletter: rnd() > 0.05,
          roles: { create: [{ role: "ADHERENT" }] },
          consents: { create: { purpose: "adhesion", textVersion: "rgpd-v1", channel: "import" } },
        },
      });
      ids.push({ id: m.id, profession: key, category: "PROFESSIONNEL", staff: false });
    }
  }
  const structures = [["EHPAD Les Tilleuls", "ehpad.tilleuls@exemple-sante.fr"], ["MSP de Saint-Fictif", "msp.saintfictif@exemple-sante.fr"], ["Centre hospitalier de Valdémo", "direction.ch@exemple-sante.fr"], ["SSIAD du Val", "ssiad@exemple-sante.fr"], ["Association Aidants Démo", "aidants@exemple-sante.fr"]] as const;
  for (const [i, [organization, email]] of structures.entries()) {
    const partner = i === 4;
    const m = await tx.member.create({
      data: {
        cptsId: cpts.id, kind: "MORALE", category: partner ? "PARTENAIRE" : "STRUCTURE", organization, email,
        duesExempt: partner, communeInsee: COMMUNES[i]![0], joinedOn: addMonths(signedOn, -6),
        roles: { create: [{ role: partner ? "PARTENAIRE" : "ADHERENT" }] },
        consents: { create: { purpose: "adhesion", textVersion: "rgpd-v1", channel: "import" } },
      },
    });
    ids.push({ id: m.id, profession: null, category: partner ? "PARTENAIRE" : "STRUCTURE", staff: partner });
  }

  // Dues: last year ~85 % paid; this year ~62 % paid so far (the rest is what relances are for).
  const payments = [];
  for (const [i, m] of ids.entries()) {
    if (m.staff) continue;
    const amountCents = m.category === "STRUCTURE" ? 10000 : 3000;
    if (rnd() < 0.85) payments.push({ cptsId: cpts.id, memberId: m.id, year: year - 1, amountCents, paidOn: `${year - 1}-0${1 + Math.floor(rnd() * 8)}-1${Math.floor(rnd() * 9)}`, source: "MANUEL" as const, method: "VIREMENT" as const, externalId: `demo-${year - 1}-${i}` });
    if (rnd() < 0.62) payments.push({ cptsId: cpts.id, memberId: m.id, year, amountCents, paidOn: addDays(`${year}-01-10`, Math.floor(rnd() * 120)), source: i % 3 ? ("HELLOASSO" as const) : ("MANUEL" as const), method: i % 3 ? ("CARTE" as const) : ("CHEQUE" as const), externalId: `demo-${year}-${i}` });
  }
  await tx.duesPayment.createMany({ data: payments.filter((p) => p.paidOn <= today) });

  // The ACI: signed 14 months ago, size 2, the four socle missions started, crisis plan still a draft.
  const contract = await tx.aciContract.create({
    data: {
      cptsId: cpts.id, signedOn, sizeAtSigning: 2,
      missions: {
        create: [
          { kind: "ACCES_SOINS", startOn: addMonths(signedOn, 2), deployedOn: addMonths(signedOn, 11) },
          { kind: "PARCOURS", startOn: addMonths(signedOn, 8) },
          { kind: "PREVENTION", startOn: addMonths(signedOn, 10) },
          { kind: "CRISE", startOn: addMonths(signedOn, 4) },
          { kind: "QUALITE", contracted: false },
          { kind: "ACCOMPAGNEMENT", contracted: false },
        ],
      },
    },
    include: { missions: true },
  });
  const missionId = (kind: string) => contract.missions.find((m) => m.kind === kind)!.id;
  const indicators = [
    { code: "MT-01", label: "Patients en ALD sans médecin traitant ayant trouvé un médecin traitant", scope: "NATIONAL", kind: "RESULTAT", producer: "CPAM", target: 60, weight: 2, mission: "ACCES_SOINS", result: 48 },
    { code: "SNP-01", label: "Demandes de soins non programmés satisfaites sous 48 h", scope: "NATIONAL", kind: "RESULTAT", producer: "CPTS", target: 80, weight: 2, mission: "ACCES_SOINS", result: 84 },
    { code: "PAR-01", label: "Parcours insuffisance cardiaque : patients inclus", scope: "LOCAL", kind: "RESULTAT", producer: "CPTS", target: 50, weight: 1, mission: "PARCOURS", result: 20 },
    { code: "PREV-01", label: "Actions de dépistage organisées", scope: "LOCAL", kind: "RESULTAT", producer: "CPTS", target: 6, weight: 1, mission: "PREVENTION", result: 4 },
    { code: "SUIVI-01", label: "Nombre de réunions pluriprofessionnelles", scope: "LOCAL", kind: "SUIVI", producer: "CPTS", target: null, weight: 1, mission: "PARCOURS", result: 9 },
  ] as const;
  for (const ind of indicators) {
    await tx.aciIndicator.create({
      data: {
        contractId: contract.id, code: ind.code, label: ind.label, scope: ind.scope, kind: ind.kind, producer: ind.producer,
        target: ind.target, weight: ind.weight,
        missions: { create: { missionId: missionId(ind.mission) } },
        results: { create: { contractYear: 1, value: ind.result, recordedOn: addMonths(signedOn, 12) } },
      },
    });
  }
  await tx.subsidy.createMany({
    data: [
      { cptsId: cpts.id, funder: "Assurance Maladie (ACI)", year, amountCents: 14_500_000, agreementSigned: true },
      { cptsId: cpts.id, funder: "ARS (FIR démarrage)", year: year - 1, amountCents: 3_900_000, agreementSigned: true },
    ],
  });
  const envelopes: [string, number][] = [["fonctionnement", 6_000_000], ["acces_soins", 7_000_000], ["parcours", 3_500_000], ["prevention", 1_500_000], ["crise", 3_500_000]];
  await tx.missionEnvelope.createMany({ data: envelopes.map(([mission, allocatedCents]) => ({ cptsId: cpts.id, mission, year, allocatedCents, carriedOverCents: mission === "prevention" ? 250_000 : 0 })) });

  // Crisis plan: a draft first version whose sections have owners; writing is due at 18 months.
  const owners = ids.slice(1, 5).map((m) => m.id);
  await tx.crisisPlanVersion.create({
    data: {
      cptsId: cpts.id, version: 1, adoptedOn: null, notes: "Brouillon à partir du modèle national",
      sections: {
        create: [
          { kind: "ANTICIPER", title: "Anticiper : ressources identifiées", ownerId: owners[0] },
          { kind: "ADAPTER", title: "S'adapter : risques et réponses", ownerId: owners[1] },
          { kind: "ACTIVER_PILOTER", title: "Activer et piloter la crise", ownerId: owners[2] },
          { kind: "EVALUER", title: "Évaluer : retour d'expérience", ownerId: owners[3] },
        ],
      },
    },
  });

  // Règlement intérieur: indemnity rates per hour, doctors and other professions, yearly cap.
  await tx.indemnityRule.createMany({
    data: [
      { cptsId: cpts.id, validFrom: signedOn, unit: "HEURE", professionGroup: "medecin", rateCents: 8000, capPerYearCents: 300_000 },
      { cptsId: cpts.id, validFrom: signedOn, unit: "HEURE", professionGroup: "autre", rateCents: 5000, capPerYearCents: 300_000 },
    ],
  });
  await tx.meeting.create({
    data: {
      cptsId: cpts.id, title: "Groupe de travail parcours insuffisance cardiaque", mission: "parcours",
      heldOn: addDays(today, -20), durationMin: 120, openedBy: DEMO_COORDINATOR_EMAIL, closedAt: null,
      attendances: { create: ids.slice(5, 13).map((m) => ({ memberId: m.id, via: "admin" })) },
    },
  });

  await tx.newsletter.createMany({
    data: [
      { cptsId: cpts.id, subject: "Lettre de la CPTS — été", body: "Bonjour à toutes et à tous,\n\nVoici les nouvelles de la CPTS.", state: "ENVOYEE", sentAt: new Date(`${addMonths(today, -4)}T09:00:00Z`), recipientCount: 138, createdBy: DEMO_COORDINATOR_EMAIL },
      { cptsId: cpts.id, subject: "Lettre de la CPTS — automne", body: "Bonjour à toutes et à tous,\n\nAu programme : la campagne de vaccination et le parcours insuffisance cardiaque.", state: "BROUILLON", createdBy: DEMO_COORDINATOR_EMAIL },
    ],
  });

  // What already happened in real life: past AGs, year-1 indicators and dialogue de gestion.
  const anniversary = addMonths(signedOn, 12);
  const done: [string, string][] = [[`ag:${year - 1}`, `${year - 1}-06-12`], [`ag:${year}`, `${year}-06-18`], ["indicators:1", addDays(anniversary, -35)], ["dialogue:1", anniversary]];
  await tx.deadlineState.createMany({ data: done.filter(([, on]) => on <= today).map(([key, doneOn]) => ({ cptsId: cpts.id, key, doneOn, doneBy: DEMO_COORDINATOR_EMAIL })) });

  const coordinator = ids[0]!;
  await tx.adminUser.create({ data: { cptsId: cpts.id, email: DEMO_COORDINATOR_EMAIL, passwordHash, role: "COORDONNATEUR", memberId: coordinator.id } });
  await tx.auditLog.create({ data: { cptsId: cpts.id, actor: "cli", action: "demo.load", details: { members: ids.length } } });
  return { created: true, cptsId: cpts.id, members: ids.length };
}
