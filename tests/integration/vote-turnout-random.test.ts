// Issue 17, review: the database count of a vote's electorate (electorateSize: groups of dues columns, partners
// apart, members changed after the cut-off with one or several payments of its year, members alike counted
// once) must equal the rule applied member by member (electorate) on any mix of members, not only on the
// hand-written cases of vote-turnout-count. Members are drawn by a seeded generator (fixed seeds: the same
// members on every run, the seed is in the failure message): payments of the years around the cut-off, on,
// before and after it, refunded before or after it, partial and full, several per year; categories, kinds,
// exemption, partner role, statuses and join dates around the cut-off. Both engines.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { electorate, electorateSize } from "../../src/app/services/votes.ts";
import type { Prisma } from "../../src/db/generated/postgres/client.ts";

let t: TestDb;
const CUTOFF = "2026-06-15";
const engine = process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite";

function ctx(): AppContext {
  return { config: loadConfig({ DATABASE_URL: t.url }), db: t.db, engine: t.engine, log: silentLogger, clock: fixedClock(new Date("2026-06-30T17:00:00Z")) };
}

/** A small seeded generator (park-miller): the same draws for the same seed. */
function generator(seed: number) {
  let s = seed % 2147483647 || 1;
  const next = () => (s = (s * 48271) % 2147483647) / 2147483647;
  return { next, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]! };
}

const DATES = ["2025-03-01", "2025-12-20", "2026-01-10", "2026-06-14", CUTOFF, "2026-06-16", "2026-06-20", "2027-01-05"];

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.cleanup());

describe(`vote turnout on drawn members (${engine})`, () => {
  it.each([1, 7, 12_345])("seed %i: electorateSize = the rule member by member, per college, CPTS and inter-CPTS votes", async (seed) => {
    const g = generator(seed);
    const cpts = await t.db.cpts.create({ data: { slug: `vote-tirage-${seed}`, name: `CPTS ${seed}`, population: 10_000 } });
    await t.db.duesRate.createMany({ data: [{ cptsId: cpts.id, year: 2026, category: "PROFESSIONNEL", amountCents: 3000 }, { cptsId: cpts.id, year: 2026, category: "STRUCTURE", amountCents: 0 }] });
    type Spec = Omit<Prisma.MemberUncheckedCreateInput, "cptsId" | "firstName" | "lastName" | "email">;
    const specs: Spec[] = [];
    for (let i = 0; i < 150; i++) {
      // one member in three copies an earlier one: members alike in every rule read, counted once with their number
      let spec = specs.length > 0 && g.next() < 0.35 ? g.pick(specs) : undefined;
      if (!spec) {
        const payments = Array.from({ length: Math.floor(g.next() * 4) }, () => {
          const paidOn = g.pick(DATES);
          return {
            cptsId: cpts.id,
            year: g.pick([2025, 2026, 2026, 2026, 2027]),
            amountCents: g.pick([500, 1000, 2000, 3000]),
            paidOn,
            refundedOn: g.next() < 0.3 ? g.pick(DATES.filter((d) => d >= paidOn)) : null,
          };
        });
        const partner = g.next() < 0.25;
        spec = {
          kind: g.next() < 0.4 ? "MORALE" : "PHYSIQUE",
          category: g.pick(["PROFESSIONNEL", "PROFESSIONNEL", "STRUCTURE", "PARTENAIRE"] as const),
          status: g.pick(["ACTIF", "ACTIF", "ACTIF", "ACTIF", "ACTIF", "ARCHIVE", "NON_ADHERENT"] as const),
          duesExempt: g.next() < 0.1,
          joinedOn: g.pick([null, "2024-01-01", CUTOFF, "2026-06-16"]),
          roles: { create: (partner ? (["ADHERENT", "PARTENAIRE"] as const) : (["ADHERENT"] as const)).map((role) => ({ role })) },
          payments: { create: payments },
        };
        specs.push(spec);
      }
      await t.db.member.create({ data: { ...spec, cptsId: cpts.id, firstName: `m${i}`, lastName: `tirage ${seed}`, email: `tirage-${seed}-${i}@exemple-sante.fr` } });
    }
    for (const federation of [false, true]) {
      const vote = await t.db.vote.create({
        data: { cptsId: cpts.id, question: `Q ${seed} ${federation}`, options: ["Pour", "Contre"], opensAt: new Date("2026-06-30T16:00:00Z"), closesAt: new Date("2026-06-30T18:00:00Z"), eligibilityCutoff: CUTOFF, federation },
      });
      const { colleges } = await electorate(ctx(), vote);
      const rule = { deliberatif: 0, consultatif: 0 };
      for (const college of colleges.values()) rule[college]++;
      expect(rule.deliberatif, "the draw must make voters").toBeGreaterThan(0);
      expect(await electorateSize(ctx(), vote), `seed ${seed}, federation=${federation}`).toEqual(rule);
    }
  });
});
