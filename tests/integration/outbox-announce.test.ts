import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { collectEnqueued, enqueueMessages, inTransaction, type OutboxDraft } from "../../src/app/services/outbox.ts";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.cleanup();
});

const draft = (cptsId: string, key: string): OutboxDraft => ({ cptsId, idempotencyKey: key, channel: "MAIL", kind: "test", recipient: "a@exemple-sante.fr", subject: "Objet", bodyText: "Texte" });

describe(`clés annoncées après validation (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("chaque inTransaction validée annonce ses clés, déjà visibles ailleurs ; une transaction annulée n'annonce rien ; toutes les clés sont rendues à la fin", async () => {
    const cpts = await t.db.cpts.create({ data: { slug: "annonce", name: "CPTS Annonce", population: 10_000 } });
    const heard: { keys: string[]; visible: number }[] = [];
    const pending: Promise<void>[] = [];
    const { result, keys } = await collectEnqueued(
      async () => {
        await inTransaction(t.db, (tx) => enqueueMessages(tx, [draft(cpts.id, "annonce:1"), draft(cpts.id, "annonce:2")]));
        await inTransaction(t.db, async (tx) => {
          await enqueueMessages(tx, [draft(cpts.id, "annonce:annulee")]);
          throw new Error("annulée");
        }).catch(() => undefined);
        // outside any transaction: collected, told only at the end
        await t.db.$transaction((tx) => enqueueMessages(tx, [draft(cpts.id, "annonce:hors")]));
        await inTransaction(t.db, (tx) => enqueueMessages(tx, [draft(cpts.id, "annonce:3"), draft(cpts.id, "annonce:1")]));
        return "fini";
      },
      (k) => {
        const entry = { keys: k, visible: -1 };
        heard.push(entry);
        pending.push(t.db.outboxMessage.count({ where: { idempotencyKey: { in: k } } }).then((n) => void (entry.visible = n)));
      },
    );
    await Promise.all(pending);
    expect(result).toBe("fini");
    expect(heard).toEqual([
      { keys: ["annonce:1", "annonce:2"], visible: 2 },
      { keys: ["annonce:3"], visible: 1 },
    ]);
    expect(keys.sort()).toEqual(["annonce:1", "annonce:2", "annonce:3", "annonce:hors"]);
  });
});
