import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { UserError } from "../../src/app/errors.ts";
import { activateCrisis, answerRollCall, closeCrisis, rollCallCounts } from "../../src/app/services/crisis-activation.ts";
import { loadRulesInputs } from "../../src/db/repos/cpts-rules-repo.ts";
import { entitlementForYear } from "../../src/rules/funding.ts";

/** The crisis variable part of contract year 1 (2025-09-01 → 2026-08-31) computed from the database. */
async function crisisVariableCents(): Promise<number> {
  const inputs = (await loadRulesInputs(t.db, cptsId))!;
  const year = entitlementForYear(inputs.funding!, 1, inputs.settings);
  return year.lignes.filter((l) => l.mission === "crise" && l.part === "variable").reduce((s, l) => s + l.montant_cents, 0);
}

let t: TestDb;
let cptsId: string;
let otherId: string;
const m: Record<string, string> = {};

function ctxAt(day: string): AppContext {
  return { config: loadConfig({ DATABASE_URL: t.url }), db: t.db, engine: t.engine, log: silentLogger, clock: fixedClock(day) };
}
const coordo = () => ({ memberId: m.coordo!, label: "chat:console:coordo" });

async function snapshot() {
  const [a, r, o, l] = await Promise.all([t.db.crisisActivation.findMany({ orderBy: { id: "asc" } }), t.db.crisisRollCall.findMany({ orderBy: { id: "asc" } }), t.db.outboxMessage.count(), t.db.auditLog.count()]);
  return JSON.stringify({ a, r, o, l });
}

async function refusal(p: Promise<unknown>): Promise<string> {
  const e = await p.then(() => null, (err) => err);
  expect(e).toBeInstanceOf(UserError);
  return (e as Error).message;
}

beforeAll(async () => {
  t = await createTestDb();
  const cpts = await t.db.cpts.create({
    data: {
      slug: "crise",
      name: "CPTS des Deux Rives",
      population: 70_000,
      alertChannelId: "alertes",
      communes: { create: [{ inseeCode: "59001", name: "Abancourt" }, { inseeCode: "59002", name: "Bersée" }] },
      contracts: { create: { signedOn: "2025-09-01", sizeAtSigning: 2, missions: { create: [{ kind: "CRISE", startOn: "2025-12-01" }] } } },
      workspaces: { create: [{ platform: "CONSOLE", externalId: "console", alertChannelId: "crise" }, { platform: "SLACK", externalId: "T0123", alertChannelId: "C0CRISE" }] },
    },
  });
  cptsId = cpts.id;
  otherId = (await t.db.cpts.create({ data: { slug: "autre", name: "Autre CPTS", population: 20_000 } })).id;
  const mk = async (key: string, data: Record<string, unknown>, where = cptsId) =>
    (m[key] = (await t.db.member.create({ data: { cptsId: where, firstName: key, lastName: "Test", email: `${key}@exemple-sante.fr`, ...data } as never })).id);
  await mk("coordo", { profession: "autre", roles: { create: [{ role: "COORDONNATEUR" }] } });
  await mk("presidente", { profession: "medecin_generaliste", communeInsee: "59001", roles: { create: [{ role: "BUREAU", office: "PRESIDENT" }] } });
  await mk("ide1", { profession: "infirmier", communeInsee: "59001" });
  await mk("ide2", { profession: "infirmier", communeInsee: "59002" });
  await mk("pharma", { profession: "pharmacien", communeInsee: "59002", prefAlerts: false });
  await mk("rebond", { profession: "infirmier", emailInvalid: true });
  await mk("voisin_ok", { status: "NON_ADHERENT", profession: "masseur_kinesitherapeute", communeInsee: "59002", prefAlerts: true });
  await mk("voisin_non", { status: "NON_ADHERENT", profession: "infirmier", prefAlerts: false });
  await mk("ancien", { status: "ARCHIVE", profession: "infirmier" });
  await mk("ailleurs", { profession: "infirmier" }, otherId);
});
afterAll(async () => t?.cleanup());

describe(`activation du plan de crise (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("refuse une situation inconnue en listant les 5 situations, et un adhérent sans rôle, sans rien écrire", async () => {
    const before = await snapshot();
    const msg = await refusal(activateCrisis(ctxAt("2026-07-14"), cptsId, { situation: "tempête" }, coordo()));
    expect(msg).toContain("Situation inconnue : « tempête »");
    for (const k of ["blesses", "malades", "agent-infectieux", "nrc", "offre-degradee"]) expect(msg).toContain(`« ${k} »`);
    expect(await refusal(activateCrisis(ctxAt("2026-07-14"), cptsId, { situation: "blesses" }, { memberId: m.ide1!, label: "chat:console:ide1" }))).toContain("coordination et le bureau");
    expect(await snapshot()).toBe(before);
  });

  it("alerte chaque canal de chat et chaque professionnel du territoire, une seule fois", async () => {
    expect(await crisisVariableCents()).toBe(0);
    const r = await activateCrisis(ctxAt("2026-07-14"), cptsId, { situation: "Blessés", description: "Explosion rue Nationale, afflux aux urgences." }, { memberId: m.presidente!, label: "chat:console:presidente" });
    expect(r).toMatchObject({ situation: "BLESSES", chatMessages: 2 });
    const chat = await t.db.outboxMessage.findMany({ where: { refId: r.activationId, channel: "CHAT" }, orderBy: { recipient: "asc" } });
    expect(chat.map((c) => c.recipient)).toEqual(["console:console:crise", "slack:T0123:C0CRISE"]);
    expect(chat[0]!.bodyText).toContain("PLAN DE CRISE ACTIVÉ");
    const mails = await t.db.outboxMessage.findMany({ where: { refId: r.activationId, channel: "MAIL" } });
    // Active members (even those who turned newsletters/alerts off), non-members only if they accepted alerts; never a bouncing address nor another CPTS.
    expect(mails.map((x) => x.memberId).sort()).toEqual([m.coordo, m.presidente, m.ide1, m.ide2, m.pharma, m.voisin_ok].sort());
    expect(mails[0]!.subject).toBe("[CPTS des Deux Rives] Plan de crise activé : afflux de blessés (attentat, incendie, explosion, émeutes)");
    expect(r.mails).toBe(6);
    const before = await snapshot();
    expect(await refusal(activateCrisis(ctxAt("2026-07-14"), cptsId, { situation: "malades" }, coordo()))).toContain("déjà activé depuis le 14/07/2026");
    expect(await snapshot()).toBe(before);
    // The grave activation opens the crisis variable part in the funding rules.
    const inputs = await loadRulesInputs(t.db, cptsId);
    expect(inputs!.funding!.graveCrisisDates).toEqual(["2026-07-14"]);
    expect(await crisisVariableCents()).toBeGreaterThan(0);
  });

  it("compte l'appel en direct par profession et par commune ; une nouvelle réponse remplace l'ancienne", async () => {
    const ctx = ctxAt("2026-07-14");
    await answerRollCall(ctx, cptsId, m.ide1!, true);
    await answerRollCall(ctx, cptsId, m.ide2!, false);
    await answerRollCall(ctx, cptsId, m.voisin_ok!, true);
    await answerRollCall(ctx, cptsId, m.ide2!, true);
    const c = await answerRollCall(ctx, cptsId, m.pharma!, false);
    expect(c).toMatchObject({ available: 3, unavailable: 1 });
    expect(c.byProfession.find((p) => p.profession === "infirmier")).toMatchObject({ available: 2, unavailable: 0 });
    expect(c.byProfession.find((p) => p.profession === "pharmacien")).toMatchObject({ available: 0, unavailable: 1 });
    expect(c.byCommune.find((x) => x.insee === "59002")).toMatchObject({ name: "Bersée", available: 2, unavailable: 1 });
    expect(c.byCommune.find((x) => x.insee === "59001")).toMatchObject({ name: "Abancourt", available: 1, unavailable: 0 });
    expect(await refusal(answerRollCall(ctx, cptsId, m.ailleurs!, true))).toContain("professionnels de la CPTS");
    expect(await refusal(rollCallCounts(ctx, otherId))).toContain("Aucune activation");
  });

  it("clôture seulement avec un retour d'expérience, puis l'appel est fermé", async () => {
    const ctx = ctxAt("2026-07-16");
    const before = await snapshot();
    expect(await refusal(closeCrisis(ctx, cptsId, { feedback: "ok" }, coordo()))).toContain("retour d'expérience est obligatoire");
    expect(await snapshot()).toBe(before);
    const r = await closeCrisis(ctx, cptsId, { feedback: "Alerte reçue en 5 minutes ; il manquait la liste des pharmacies de garde." }, coordo());
    expect(r).toMatchObject({ closedOn: "2026-07-16", available: 3 });
    const a = await t.db.crisisActivation.findFirstOrThrow({ where: { cptsId } });
    expect(a).toMatchObject({ closedOn: "2026-07-16", feedback: "Alerte reçue en 5 minutes ; il manquait la liste des pharmacies de garde.", grave: true });
    expect(await t.db.outboxMessage.count({ where: { refId: a.id, idempotencyKey: { contains: ":cloture:" } } })).toBe(2);
    expect(await refusal(answerRollCall(ctx, cptsId, m.ide1!, true, a.id))).toContain("close depuis le 16/07/2026");
    expect(await refusal(closeCrisis(ctx, cptsId, { feedback: "Deuxième clôture sans objet." }, coordo()))).toContain("Aucune activation");
  });
});
