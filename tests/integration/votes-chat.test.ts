// /vote and /plan-crise through the real dispatcher (console adapter): options typed as text,
// buttons pressed by several members, French refusals with nothing written.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { ConsoleChat } from "../../src/chat/console/adapter.ts";

let t: TestDb;
let ctx: AppContext;
let cptsId: string;
let chat: ConsoleChat;

async function member(key: string, o: { role?: "COORDONNATEUR" | "BUREAU" | "ADHERENT"; paid?: boolean; status?: "ACTIF" | "NON_ADHERENT"; profession?: string } = {}) {
  await t.db.member.create({
    data: {
      cptsId,
      firstName: key[0]!.toUpperCase() + key.slice(1),
      lastName: "Test",
      email: `${key}@exemple-sante.fr`,
      status: o.status ?? "ACTIF",
      profession: o.profession ?? "infirmier",
      communeInsee: "62001",
      joinedOn: "2025-01-01",
      roles: o.status === "NON_ADHERENT" ? undefined : { create: [{ role: o.role ?? "ADHERENT" }] },
      payments: o.paid === false ? undefined : { create: { cptsId, year: 2026, amountCents: 3000, paidOn: "2026-01-15" } },
    },
  });
}

beforeAll(async () => {
  t = await createTestDb();
  ctx = { config: loadConfig({ DATABASE_URL: t.url }), db: t.db, engine: t.engine, log: silentLogger, clock: fixedClock(new Date("2026-05-12T08:00:00Z")) };
  const c = await t.db.cpts.create({
    data: {
      slug: "rives",
      name: "CPTS des Rives",
      population: 45_000,
      alertChannelId: "alertes",
      communes: { create: { inseeCode: "62001", name: "Ablain" } },
      workspaces: { create: { platform: "CONSOLE", externalId: "console-rives", alertChannelId: "alertes" } },
    },
  });
  cptsId = c.id;
  await member("coordo", { role: "COORDONNATEUR" });
  await member("alice");
  await member("bruno");
  await member("carla", { paid: false });
  await member("kine", { status: "NON_ADHERENT", profession: "masseur_kinesitherapeute" });
  chat = new ConsoleChat(ctx);
});
afterAll(async () => t?.cleanup());

const as = (email: string) => chat.session("rives", `${email}@exemple-sante.fr`);

describe(`/vote et /plan-crise dans le chat (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("la coordination crée un vote ; chaque adhérent vote une fois avec les boutons ; un non à jour est refusé", async () => {
    const alice = await as("alice");
    const denied = await chat.command(alice, '/vote creer question="Adopter le budget 2026 ?" cloture="2026-05-20 18:00"');
    expect(denied.text).toContain("réservé à la coordination et au bureau");
    expect(await t.db.vote.count()).toBe(0);

    const coordo = await as("coordo");
    const created = await chat.command(coordo, '/vote creer question="Adopter le budget 2026 ?" cloture="2026-05-20 18:00" quorum=50 pouvoirs=1');
    expect(created.title).toBe("Vote : Adopter le budget 2026 ?");
    expect(created.text).toContain("au 20/05/2026 à 18h00");
    expect(created.text).toContain("Participation : 0/3");
    expect(created.buttons!.map((b) => b.label)).toEqual(["Pour", "Contre", "Abstention"]);

    const voted = await chat.click(alice, created, "Pour");
    expect(voted.text).toContain("A voté : « Pour »");
    expect(voted.text).toContain("1/3");
    const again = await chat.click(alice, created, "Contre");
    expect(again.text).toContain("déjà voté");
    const carla = await as("carla");
    expect((await chat.click(carla, created, "Contre")).text).toContain("pas sur la liste des votants");
    expect(await t.db.voteParticipation.count()).toBe(1);
  });

  it("un pouvoir par texte, le vote du mandataire pour le mandant, puis la participation en direct", async () => {
    const bruno = await as("bruno");
    const given = await chat.command(bruno, "/vote pouvoir mandataire=coordo@exemple-sante.fr");
    expect(given.text).toContain("Pouvoir donné à Coordo Test");
    const coordo = await as("coordo");
    expect((await chat.command(coordo, "/vote voter choix=Contre pour=bruno@exemple-sante.fr")).text).toContain("par pouvoir");
    expect((await chat.command(coordo, "/vote voter choix=Abstention")).text).toContain("A voté");
    const status = await chat.command(coordo, "/vote voir");
    expect(status.text).toContain("Participation : 3/3 (100 %), dont 1 pouvoir(s) donné(s) — quorum 50 % atteint");
    expect((await chat.command(coordo, "/vote clore")).text).toContain("ne peut pas être clos avant");
  });

  it("/plan-crise activer refuse une situation inconnue, puis alerte et recueille l'appel par boutons", async () => {
    const coordo = await as("coordo");
    const unknown = await chat.command(coordo, "/plan-crise activer tempete");
    expect(unknown.text).toContain("Situation inconnue");
    expect(unknown.text).toContain("« offre-degradee »");
    expect(await t.db.crisisActivation.count()).toBe(0);
    const alice = await as("alice");
    expect((await chat.command(alice, "/plan-crise activer malades")).text).toContain("réservé au bureau");

    const activated = await chat.command(coordo, "/plan-crise activer malades Canicule : renfort des visites à domicile");
    expect(activated.title).toBe("Plan de crise activé : afflux de malades, notamment âgés (épidémie saisonnière, canicule, grand froid, pollution)");
    expect(activated.text).toContain("par mail à 5 professionnel(s)");
    expect(activated.buttons!.map((b) => b.label)).toEqual(["Disponible", "Indisponible"]);
    expect((await chat.click(alice, activated, "Disponible")).text).toContain("disponible");
    // A non-member professional of the territory answers with the same buttons.
    const kine = await as("kine");
    expect((await chat.click(kine, activated, "Indisponible")).text).toContain("indisponible");
    const appel = await chat.command(coordo, "/plan-crise appel");
    expect(appel.text).toMatch(/^1 disponible\(s\), 1 indisponible\(s\), \d+ sans réponse/);
    expect(appel.fields!.find((f) => f.name === "Indisponibles (1)")!.value).toContain("Masseur");

    expect((await chat.command(coordo, "/plan-crise cloturer")).text).toContain("donnez le retour d'expérience");
    const closed = await chat.command(coordo, '/plan-crise cloturer texte="Bonne mobilisation des infirmiers ; prévoir une liste de remplaçants."');
    expect(closed.title).toBe("Activation clôturée le 12/05/2026");
    expect((await t.db.crisisActivation.findFirstOrThrow()).feedback).toContain("liste de remplaçants");
  });
});
