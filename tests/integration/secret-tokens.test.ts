// Secret URL tokens come from crypto.randomBytes (≥ 128 bits, base64url) whoever creates the row, and the
// cuid() tokens of earlier versions are rewritten when coordo opens the database.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { openContext } from "../../src/app/context.ts";
import { loadConfig } from "../../src/config.ts";
import { silentLogger } from "../../src/log.ts";

let t: TestDb;
let cptsId: string;

beforeAll(async () => {
  t = await createTestDb();
  cptsId = (await t.db.cpts.create({ data: { slug: "jetons", name: "CPTS des Jetons", population: 10_000 } })).id;
});
afterAll(async () => t?.cleanup());

const strong = (token: string) => /^[A-Za-z0-9_-]{32,}$/.test(token) && Buffer.from(token, "base64url").length >= 16;

describe(`jetons secrets (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("un membre ou une CPTS créés sans jeton reçoivent des jetons aléatoires de 192 bits, jamais un cuid", async () => {
    const cpts = await t.db.cpts.findUniqueOrThrow({ where: { id: cptsId } });
    expect(strong(cpts.icalToken) && strong(cpts.helloassoToken)).toBe(true);
    const one = await t.db.member.create({ data: { cptsId, firstName: "Un", email: "un@jetons.fr" } });
    await t.db.member.createMany({ data: [{ cptsId, firstName: "Deux", email: "deux@jetons.fr" }, { cptsId, firstName: "Trois", email: "trois@jetons.fr" }] });
    const up = await t.db.member.upsert({ where: { cptsId_email: { cptsId, email: "quatre@jetons.fr" } }, create: { cptsId, firstName: "Quatre", email: "quatre@jetons.fr" }, update: {} });
    const inTx = await t.db.$transaction((tx) => tx.member.create({ data: { cptsId, firstName: "Cinq", email: "cinq@jetons.fr" } }));
    const all = await t.db.member.findMany({ where: { cptsId } });
    expect(all).toHaveLength(5);
    for (const m of [one, up, inTx, ...all]) expect(strong(m.unsubscribeToken), m.unsubscribeToken).toBe(true);
    expect(new Set(all.map((m) => m.unsubscribeToken)).size).toBe(5);
  });

  it("les anciens jetons cuid sont renouvelés à l'ouverture de la base, les bons restent", async () => {
    const keep = await t.db.member.findFirstOrThrow({ where: { cptsId, email: "un@jetons.fr" } });
    await t.db.$executeRawUnsafe(`UPDATE "Member" SET "unsubscribeToken" = 'ckz' || "id" WHERE "email" <> 'un@jetons.fr'`);
    await t.db.$executeRawUnsafe(`UPDATE "Cpts" SET "icalToken" = 'clx9a8b7c6d5e4f3g2h1i0j'`);
    const ctx = await openContext(loadConfig({ DATABASE_URL: t.url }), silentLogger);
    try {
      const members = await t.db.member.findMany({ where: { cptsId } });
      for (const m of members) expect(strong(m.unsubscribeToken), m.unsubscribeToken).toBe(true);
      expect(members.find((m) => m.id === keep.id)!.unsubscribeToken).toBe(keep.unsubscribeToken);
      const cpts = await t.db.cpts.findUniqueOrThrow({ where: { id: cptsId } });
      expect(strong(cpts.icalToken)).toBe(true);
    } finally {
      await ctx.db.$disconnect();
    }
  });
});
