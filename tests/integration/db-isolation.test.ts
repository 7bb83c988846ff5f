import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { FifoLock, createDb } from "../../src/db/client.ts";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.cleanup();
});

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe(`isolation entre une transaction ouverte et le reste du processus (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("une lecture faite pendant une transaction ne voit pas ses lignes non validées, et une écriture faite à côté survit à son annulation", async () => {
    const cpts = await t.db.cpts.create({ data: { slug: "iso", name: "CPTS Isolation", population: 20_000 } });
    let inside!: () => void;
    const insideReached = new Promise<void>((r) => (inside = r));
    let finish!: () => void;
    const mayFinish = new Promise<void>((r) => (finish = r));

    // A task writes in a transaction, then fails (rolled back) after the others have run.
    const failing = t.db
      .$transaction(
        async (tx) => {
          await tx.auditLog.create({ data: { cptsId: cpts.id, actor: "tâche annulée", action: "test.rollback" } });
          inside();
          await mayFinish;
          throw new Error("annulée exprès");
        },
        { timeout: 20_000, maxWait: 20_000 },
      )
      .catch((e: Error) => e.message);

    await insideReached;
    // Meanwhile, elsewhere in the process: a read and a write outside the transaction (`.then` starts a
    // Prisma query at once; it is lazy otherwise).
    const read = t.db.auditLog.count({ where: { action: "test.rollback" } }).then((n) => n);
    const write = t.db.auditLog.create({ data: { cptsId: cpts.id, actor: "à côté", action: "test.beside" } }).then((r) => r);
    await tick();
    finish();

    expect(await failing).toBe("annulée exprès");
    expect(await read).toBe(0);
    await write;
    expect(await t.db.auditLog.count({ where: { action: "test.beside" } })).toBe(1);
    expect(await t.db.auditLog.count({ where: { action: "test.rollback" } })).toBe(0);
  });

  it("des écritures concurrentes hors transaction et dans des transactions aboutissent toutes", async () => {
    const cpts = await t.db.cpts.findFirstOrThrow({ where: { slug: "iso" } });
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => t.db.auditLog.create({ data: { cptsId: cpts.id, actor: `seul ${i}`, action: "test.many" } }).then((r) => r)),
      ...Array.from({ length: 5 }, (_, i) =>
        t.db.$transaction(async (tx) => {
          await tx.auditLog.create({ data: { cptsId: cpts.id, actor: `tx ${i} a`, action: "test.many" } });
          await tick(5);
          await tx.auditLog.create({ data: { cptsId: cpts.id, actor: `tx ${i} b`, action: "test.many" } });
        }),
      ),
    ]);
    expect(await t.db.auditLog.count({ where: { action: "test.many" } })).toBe(30);
  });
});

describe("FifoLock", () => {
  it("sert les demandes dans l'ordre et une seule à la fois", async () => {
    const lock = new FifoLock();
    const order: string[] = [];
    let holders = 0;
    let maxHolders = 0;
    await Promise.all(
      ["a", "b", "c", "d"].map(async (name) => {
        const release = await lock.acquire();
        holders++;
        maxHolders = Math.max(maxHolders, holders);
        order.push(name);
        await tick(2);
        holders--;
        release();
        release(); // a second release changes nothing
      }),
    );
    expect(order).toEqual(["a", "b", "c", "d"]);
    expect(maxHolders).toBe(1);
  });
});

describe(`boucle d'événements pendant un long enchaînement de requêtes (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("les entrées-sorties (sockets, minuteries) passent pendant qu'une tâche enchaîne des centaines de requêtes", async () => {
    let done = false;
    let turnsDuring = 0;
    const turn = () => {
      if (done) return;
      turnsDuring++;
      setImmediate(turn);
    };
    setImmediate(turn);
    const t0 = performance.now();
    for (let i = 0; i < 400; i++) await t.db.auditLog.count();
    const elapsed = performance.now() - t0;
    done = true;
    // at least one turn of the loop every ~5 ms of database work (SQLite's driver never yields by itself)
    expect(turnsDuring).toBeGreaterThanOrEqual(Math.min(20, Math.floor(elapsed / 20)));
  });
});

describe.skipIf(!!process.env.TEST_PG_ADMIN_URL)("fin de transaction en échec (SQLite)", () => {
  // Prisma leaves the transaction to the driver when its COMMIT or ROLLBACK statement fails: the lock that
  // serializes the one connection must be released anyway, or every later query of the process waits for ever.
  // a lock never released waits for ever: 30 s tells it from a query slowed by a loaded CI machine
  const within = <T>(p: Promise<T>, ms = 30_000) =>
    Promise.race([p.then((v) => ({ ok: true as const, v }), (e: Error) => ({ ok: false as const, e })), tick(ms).then(() => "bloqué" as const)]);

  it("un COMMIT refusé annule la transaction et libère la connexion : les requêtes suivantes passent", async () => {
    const cpts = await t.db.cpts.findFirstOrThrow({ where: { slug: "iso" } });
    const failed = await within(
      t.db.$transaction(async (tx) => {
        await tx.auditLog.create({ data: { cptsId: cpts.id, actor: "commit refusé", action: "test.commitfail" } });
        // a foreign key checked only at COMMIT: the COMMIT statement itself fails
        await tx.$executeRawUnsafe("PRAGMA defer_foreign_keys = ON");
        await tx.auditLog.create({ data: { cptsId: "cpts-inexistante", actor: "commit refusé", action: "test.commitfail" } });
      }),
    );
    expect(failed).not.toBe("bloqué");
    expect(failed !== "bloqué" && failed.ok).toBe(false);
    expect(await within(t.db.auditLog.count({ where: { action: "test.commitfail" } }))).toEqual({ ok: true, v: 0 });
    expect(await within(t.db.$transaction((tx) => tx.auditLog.count({ where: { action: "test.commitfail" } })))).toEqual({ ok: true, v: 0 });
    // the connection is out of any transaction: a write is seen by another connection
    await t.db.auditLog.create({ data: { cptsId: cpts.id, actor: "après", action: "test.aftercommitfail" } });
    const other = createDb(t.url);
    try {
      expect(await other.auditLog.count({ where: { action: "test.aftercommitfail" } })).toBe(1);
    } finally {
      await other.$disconnect();
    }
  });

  it("un ROLLBACK refusé (transaction déjà terminée par SQLite) libère aussi la connexion", async () => {
    const failed = await within(
      t.db.$transaction(async (tx) => {
        // what SQLite does by itself on a full disk or an I/O error: the transaction is gone before Prisma's ROLLBACK
        await tx.$executeRawUnsafe("ROLLBACK");
        throw new Error("échec simulé");
      }),
    );
    expect(failed !== "bloqué" && !failed.ok && failed.e.message).toBe("échec simulé");
    expect(await within(t.db.cpts.count())).toEqual({ ok: true, v: 1 });
    expect(await within(t.db.$transaction((tx) => tx.cpts.count()))).toEqual({ ok: true, v: 1 });
  });
});
