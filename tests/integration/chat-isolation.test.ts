// Dispatcher guarantees: a workspace maps to one CPTS, nobody sees another CPTS's data, deliveries
// run once, and internal errors reach the chat only as a short French apology with a reference.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { z } from "zod";
import { chatWorld, COORDO, type ChatWorld } from "./chat-setup.ts";
import { Dispatcher } from "../../src/app/dispatcher.ts";
import { ChatRepository } from "../../src/db/repos/chat-repo.ts";
import { defineCommand } from "../../commands/types.ts";

let w: ChatWorld;
let otherId: string;
const OTHER_COORDO = "coordination@cpts-voisine.fr";
const SHARED = "partage@exemple-sante.fr";

beforeAll(async () => {
  w = await chatWorld();
  const other = await w.t.db.cpts.create({
    data: {
      slug: "voisine", name: "CPTS Voisine", population: 30_000, paymentLink: "https://paiement.voisine.example/cotiser",
      communes: { create: [{ inseeCode: "62001", name: "Voisinville" }] },
      duesRates: { create: [{ year: 2026, category: "PROFESSIONNEL", amountCents: 4500 }] },
    },
  });
  otherId = other.id;
  await w.t.db.member.create({ data: { cptsId: other.id, firstName: "Vera", lastName: "Voisine", email: OTHER_COORDO, roles: { create: [{ role: "COORDONNATEUR" }] } } });
  // the same professional is a member of both CPTS (one record in each)
  await w.t.db.member.create({ data: { cptsId: other.id, firstName: "Paul", lastName: "Partage", email: SHARED, profession: "infirmier", roles: { create: [{ role: "ADHERENT" }] } } });
  await w.t.db.member.create({ data: { cptsId: w.cptsId, firstName: "Paul", lastName: "Partage", email: SHARED, profession: "infirmier", roles: { create: [{ role: "ADHERENT" }] } } });
  await w.t.db.duesPayment.create({ data: { cptsId: w.cptsId, memberId: (await w.t.db.member.findFirstOrThrow({ where: { cptsId: w.cptsId, email: SHARED } })).id, year: 2026, amountCents: 3000, paidOn: "2026-02-01" } });
});
afterAll(async () => w?.close());

describe("lectures et écritures du répartiteur hors Prisma (SQLite : préparées ; PostgreSQL : par pg)", () => {
  it("l'échéance d'un code de liaison se relit à la milliseconde près ; une livraison n'est prise qu'une fois ; une action se relit telle qu'écrite", async () => {
    const repo = new ChatRepository(w.t.db);
    const s = await w.chat.session("demo", "horloge@exemple-sante.fr");
    const identity = await w.t.db.chatIdentity.findFirstOrThrow({ where: { workspaceId: s.workspace.id, userId: s.userId } });
    // an instant whose local (Europe/Paris) and UTC readings differ by an hour: pg reads `timestamp` in local time
    const expires = new Date("2026-11-23T09:30:00.123Z");
    await w.t.db.chatIdentity.update({ where: { id: identity.id }, data: { linkCode: "123456", linkEmail: "horloge@exemple-sante.fr", linkExpires: expires } });
    const resolved = (await repo.resolve("CONSOLE", s.workspace.externalId, s.userId))!;
    expect(resolved.identity!.linkExpires!.getTime()).toBe(expires.getTime());
    expect(resolved.workspace.cptsId).toBe(w.cptsId);

    expect(await repo.claimDelivery("SLACK", "livraison-unique-1")).toBe(true);
    expect(await repo.claimDelivery("SLACK", "livraison-unique-1")).toBe(false);
    expect(await w.t.db.chatInteraction.count({ where: { platform: "SLACK", externalId: "livraison-unique-1" } })).toBe(1);

    const until = new Date("2026-11-30T22:15:00.456Z");
    await repo.createActions([
      { id: "act-direct-1", cptsId: w.cptsId, kind: "echeances:fait", payload: { key: "ag:2027", __anyone: false }, createdBy: identity.id, expiresAt: until },
      { id: "act-direct-2", cptsId: w.cptsId, kind: "echeances:fait", payload: { key: "crisis_plan" }, createdBy: identity.id, expiresAt: until },
    ]);
    const one = (await repo.findAction(w.cptsId, "act-direct-1"))!;
    expect(one.payload).toEqual({ key: "ag:2027", __anyone: false });
    expect(one.expiresAt.getTime()).toBe(until.getTime());
    expect(one.createdBy).toBe(identity.id);
    expect((await repo.findAction(w.cptsId, "act-direct-2"))!.payload).toEqual({ key: "crisis_plan" });
  });
});

describe("isolation des CPTS et garanties du répartiteur", () => {
  it("un membre de la CPTS A ne voit jamais les données de la CPTS B", async () => {
    const inA = await w.say(SHARED, "/cotisation", "demo");
    expect(inA.text).toContain("est à jour");
    const inB = await w.say(SHARED, "/cotisation", "voisine");
    expect(inB.text).toContain("n'est pas encore réglée (45,00 €)");
    expect(inB.text).toContain("paiement.voisine.example");
    expect(inB.text).not.toContain("helloasso");
    const aide = await w.say(OTHER_COORDO, "/emargement", "voisine");
    expect(aide.text).toContain("Aucun émargement ouvert");
    expect(aide.text).not.toContain("insuffisance cardiaque");
  });

  it("un bouton créé dans la CPTS A ne peut pas être pressé depuis la CPTS B", async () => {
    const a = await w.chat.session("demo", COORDO);
    const preview = await w.chat.command(a, "/relance-cotisations");
    const b = await w.chat.session("voisine", OTHER_COORDO);
    const r = await w.chat.click(b, preview, "Envoyer");
    expect(r.text).toContain("n'est plus valable");
    expect(await w.t.db.outboxMessage.count({ where: { kind: "relance" } })).toBe(0);
  });

  it("relier un compte avec l'adresse d'un membre d'une autre CPTS n'envoie aucun code", async () => {
    await w.say("espion@x.fr", `/adhesion lier email=${OTHER_COORDO}`, "demo");
    expect(await w.t.db.outboxMessage.count({ where: { kind: "code" } })).toBe(0);
  });

  it("l'autocomplétion des communes ne propose que celles de la CPTS de l'espace", async () => {
    const d = new Dispatcher(w.app);
    await new ChatRepository(w.t.db).linkWorkspace("DISCORD", "guilde-voisine", otherId);
    const choices = await d.suggest("DISCORD", "guilde-voisine", "adhesion", "commune", "");
    expect(choices.map((c) => c.value)).toEqual(["Voisinville"]);
    const professions = await d.suggest("DISCORD", "guilde-voisine", "newsletter", "professions", "infirmier,pharm");
    expect(professions[0]).toEqual({ label: "infirmier,Pharmacien·ne", value: "infirmier,pharmacien" });
  });

  it("un espace relié à aucune CPTS reçoit un message d'installation", async () => {
    const d = new Dispatcher(w.app);
    const r = await d.dispatch({ type: "command", platform: "SLACK", workspaceExternalId: "T-INCONNU", userId: "U1", command: "/aide" });
    expect(r.reply.text).toContain("n'est relié à aucune CPTS");
    expect(r.reply.text).toContain("coordo chat lier --cpts");
  });

  it("une livraison répétée (même identifiant) n'est exécutée qu'une fois", async () => {
    const d = new Dispatcher(w.app);
    const ws = await new ChatRepository(w.t.db).consoleWorkspace(w.cptsId, "demo");
    const req = { type: "command" as const, platform: "CONSOLE" as const, workspaceExternalId: ws.externalId, userId: COORDO, command: "adhesion", text: "lier email=presidence@cpts-demo.fr", deliveryId: "livraison-1" };
    const first = await d.dispatch({ ...req, userId: "tiers@x.fr" });
    const second = await d.dispatch({ ...req, userId: "tiers@x.fr" });
    expect(first.duplicate).toBeFalsy();
    expect(second.duplicate).toBe(true);
    expect(await w.t.db.outboxMessage.count({ where: { kind: "code", recipient: "presidence@cpts-demo.fr" } })).toBe(1);
  });

  it("une erreur interne devient des excuses en français avec une référence retrouvable dans le journal", async () => {
    const boom = defineCommand({
      name: "panne", description: "toujours en panne", requiredRole: "non_membre", options: [], schema: z.object({}), example: "/panne",
      async run() {
        throw new Error("connexion perdue: SELECT secret");
      },
    });
    const d = new Dispatcher(w.app, [boom]);
    const ws = await new ChatRepository(w.t.db).consoleWorkspace(w.cptsId, "demo");
    const r = await d.dispatch({ type: "command", platform: "CONSOLE", workspaceExternalId: ws.externalId, userId: COORDO, command: "panne" });
    const ref = /référence ([A-Z0-9]+)/.exec(r.reply.text)![1]!;
    expect(r.reply.text).toMatch(/^Désolé/);
    expect(r.reply.text).not.toContain("SELECT");
    expect(w.logs.some((l) => l.includes(ref) && l.includes("connexion perdue"))).toBe(true);
  });
});
