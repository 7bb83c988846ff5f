// Personal data in stored mail: `/mes-donnees effacer` (the real chat flow) leaves the member's name and
// address in no stored message — neither theirs nor the notices naming them — and the daily housekeeping
// reduces the bodies of mails sent more than MAIL_BODY_RETENTION_DAYS ago to what the audit needs.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { chatWorld, COORDO, type ChatWorld } from "./chat-setup.ts";
import { enqueueMessages } from "../../src/app/services/outbox.ts";
import { housekeepingJob } from "../../jobs/housekeeping.ts";
import { createImport, getImport, settled } from "../../src/app/services/member-import-jobs.ts";
import { loadConfig } from "../../src/config.ts";

let w: ChatWorld;

beforeAll(async () => {
  w = await chatWorld();
});
afterAll(async () => w?.close());

const engine = process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite";

describe(`données personnelles dans les mails stockés (${engine})`, () => {
  it("/mes-donnees effacer : plus aucun message stocké ne porte le nom ni l'adresse du membre", async () => {
    const m = await w.t.db.member.findFirstOrThrow({
      where: { cptsId: w.cptsId, status: "ACTIF", email: { endsWith: "@exemple-sante.fr" }, roles: { some: { role: "ADHERENT" } }, lastName: { not: null }, firstName: { not: null } },
      orderBy: { email: "asc" },
    });
    const name = `${m.firstName} ${m.lastName}`;
    const coord = await w.t.db.member.findFirstOrThrow({ where: { cptsId: w.cptsId, email: COORDO } });
    await w.t.db.$transaction((tx) =>
      enqueueMessages(tx, [
        ...Array.from({ length: 8 }, (_x, i) => ({
          cptsId: w.cptsId, idempotencyKey: `rgpd:relance:${i}`, channel: "MAIL" as const, kind: "relance", recipient: m.email!, memberId: m.id,
          subject: `Cotisation 2026 (${i + 1})`, bodyText: `Bonjour ${name},\n\nvotre cotisation 2026 est attendue.`, bodyHtml: `<p>Bonjour ${name},</p>`,
        })),
        {
          cptsId: w.cptsId, idempotencyKey: "rgpd:echec", channel: "MAIL", kind: "echec_envoi", recipient: COORDO, memberId: coord.id,
          subject: `Échec d'envoi à ${name.toUpperCase()}`, bodyText: `Le mail à ${name} <${m.email}> n'a pas pu être remis.`, bodyHtml: `<p>Le mail à ${name} &lt;${m.email}&gt; n'a pas pu être remis.</p>`,
        },
        {
          cptsId: w.cptsId, idempotencyKey: "rgpd:temoin", channel: "MAIL", kind: "newsletter", recipient: COORDO, memberId: coord.id,
          subject: "Lettre de novembre", bodyText: "Bonjour,\n\nles nouvelles du territoire.", bodyHtml: "<p>Bonjour,</p>",
        },
      ]),
    );
    // some were sent already
    await w.t.db.outboxMessage.updateMany({ where: { idempotencyKey: { in: ["rgpd:relance:0", "rgpd:relance:1", "rgpd:echec"] } }, data: { state: "ENVOYE", sentAt: new Date() } });

    // an import preview (not confirmed) whose notable rows and error report name them: a bad date on their row
    const imported = await createImport(w.app, {
      cptsId: w.cptsId, actor: "admin:test", fileName: "adherents.csv", format: "auto",
      content: Buffer.from(`nom;prenom;email;montant;date_paiement\n${m.lastName};${m.firstName};${m.email};30;31/02/2026\nTémoin;Jean;jean.temoin@exemple-sante.fr;30;01/03/2026\n`, "utf8"),
    });
    await settled(imported);
    const before = await w.t.db.memberImport.findUniqueOrThrow({ where: { id: imported } });
    expect(`${before.preview}${before.report}`.toLowerCase()).toContain(m.email!.toLowerCase());

    const { replies } = await w.flow(m.email!, "/mes-donnees effacer", ["Oui, effacer"]);
    expect(replies[1]!.text).toContain("Vos données ont été effacées");

    // the import's preview and report no longer name them, and still read (valid JSON, the other row intact)
    const after = await w.t.db.memberImport.findUniqueOrThrow({ where: { id: imported } });
    for (const n of [m.email!, m.lastName!]) expect(`${after.preview}${after.report}`.toLowerCase()).not.toContain(n.toLowerCase());
    expect(after.report).toContain("[personne effacée]");
    const view = await getImport(w.app, w.cptsId, imported);
    expect(view!.preview!.first.map((r) => r.email)).toEqual(["[personne effacée]", "jean.temoin@exemple-sante.fr"]);

    const all = await w.t.db.outboxMessage.findMany();
    const needles = [name, m.lastName!, m.email!].map((s) => s.toLowerCase());
    const leaks = all.filter((r) => needles.some((n) => [r.subject ?? "", r.bodyText, r.bodyHtml ?? "", r.recipient].some((f) => f.toLowerCase().includes(n))));
    expect(leaks.map((r) => r.idempotencyKey)).toEqual([]);
    const echec = all.find((r) => r.idempotencyKey === "rgpd:echec")!;
    expect(echec.bodyText).toBe("Le mail à [personne effacée] <[personne effacée]> n'a pas pu être remis.");
    expect(echec.recipient).toBe(COORDO);
    const own = all.filter((r) => r.idempotencyKey.startsWith("rgpd:relance:"));
    expect(own.every((r) => r.recipient === "efface@invalid" && r.bodyHtml === null && r.bodyReducedAt !== null)).toBe(true);
    // what was pending is cancelled, what was sent keeps its state for the audit
    expect(own.filter((r) => r.state === "ENVOYE")).toHaveLength(2);
    expect(own.filter((r) => r.state === "ANNULE")).toHaveLength(6);
    const temoin = all.find((r) => r.idempotencyKey === "rgpd:temoin")!;
    expect(temoin.bodyText).toBe("Bonjour,\n\nles nouvelles du territoire.");
  });

  it("ménage quotidien : corps des mails envoyés il y a plus de MAIL_BODY_RETENTION_DAYS réduits, le reste intact", async () => {
    const now = new Date("2026-11-23T02:30:00Z");
    const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
    const base = { cptsId: w.cptsId, channel: "MAIL" as const, kind: "relance", recipient: "x@exemple-sante.fr", subject: "Cotisation 2026", bodyText: "Bonjour Zoé Martin,", bodyHtml: "<p>Bonjour Zoé Martin,</p>" };
    await w.t.db.outboxMessage.createMany({
      data: [
        { ...base, idempotencyKey: "ret:vieux", state: "ENVOYE", sentAt: daysAgo(31), providerId: "<a@cpts-demo.fr>" },
        { ...base, idempotencyKey: "ret:recent", state: "ENVOYE", sentAt: daysAgo(29) },
        { ...base, idempotencyKey: "ret:echec", state: "ECHEC", createdAt: daysAgo(45) },
        { ...base, idempotencyKey: "ret:attente", state: "EN_ATTENTE", createdAt: daysAgo(45) },
        { ...base, idempotencyKey: "ret:capture", state: "CAPTURE", createdAt: daysAgo(45) },
      ],
    });
    const ctx = { ...w.app, config: loadConfig({ MAIL_BODY_RETENTION_DAYS: "30" }), clock: { now: () => now, today: () => "2026-11-23" } };
    const dry = await housekeepingJob.handler({ ctx, at: "2026-11-23", dryRun: true, payload: {} });
    expect(dry.corps_mails_reduits).toBe(2);
    expect((await w.t.db.outboxMessage.findUniqueOrThrow({ where: { idempotencyKey: "ret:vieux" } })).bodyText).toBe("Bonjour Zoé Martin,");
    const run = await housekeepingJob.handler({ ctx, at: "2026-11-23", dryRun: false, payload: {} });
    expect(run.corps_mails_reduits).toBe(2);
    const rows = new Map((await w.t.db.outboxMessage.findMany({ where: { idempotencyKey: { startsWith: "ret:" } } })).map((r) => [r.idempotencyKey, r]));
    for (const k of ["ret:vieux", "ret:echec"]) {
      const r = rows.get(k)!;
      expect(r.bodyText).toMatch(/^\[Contenu retiré après 30 jours de conservation/);
      expect(r.bodyHtml).toBeNull();
      // what the audit needs stays
      expect([r.recipient, r.subject, r.kind]).toEqual(["x@exemple-sante.fr", "Cotisation 2026", "relance"]);
    }
    expect(rows.get("ret:vieux")!.providerId).toBe("<a@cpts-demo.fr>");
    for (const k of ["ret:recent", "ret:attente", "ret:capture"]) expect(rows.get(k)!.bodyText).toBe("Bonjour Zoé Martin,");
    expect((await housekeepingJob.handler({ ctx, at: "2026-11-23", dryRun: false, payload: {} })).corps_mails_reduits).toBe(0);
  });
});
