// Measures outbox → SMTP throughput: N mails enqueued, drained by the real sender (pooled nodemailer)
// to a local smtp-server. Run: node --import tsx tests/integration/smtp-bench.ts [N] [poolSize]
// (TEST_PG_ADMIN_URL=… for PostgreSQL).
import { createTestDb } from "../helpers/db.ts";
import { startTestSmtp } from "./smtp-test-server.ts";
import { contextAt, testConfig } from "./jobs-context.ts";
import { createSender } from "../../src/mail/component.ts";
import { enqueueMessages } from "../../src/app/services/outbox.ts";
import { systemClock } from "../../src/app/context.ts";

const N = Number(process.argv[2] ?? 2000);
const POOL = Number(process.argv[3] ?? 5);
const t = await createTestDb();
const smtp = await startTestSmtp();
const cpts = await t.db.cpts.create({ data: { slug: "bench", name: "CPTS Bench", population: 1 } });
const body = "Bonjour,\n\n" + "Texte de la lettre d'information. ".repeat(40);
await t.db.$transaction(
  (tx) =>
    enqueueMessages(
      tx,
      Array.from({ length: N }, (_, i) => ({ cptsId: cpts.id, idempotencyKey: `bench:${i}`, channel: "MAIL" as const, kind: "newsletter", recipient: `pro${i}@exemple-sante.fr`, subject: `Lettre ${i}`, bodyText: body, bodyHtml: `<p>${body}</p>` })),
    ),
  { timeout: 120_000 },
);
const ctx = { ...contextAt(t, "2026-01-01", testConfig({ SMTP_URL: smtp.url, SMTP_POOL_SIZE: String(POOL) })), clock: systemClock };
const { sender, transport } = createSender(ctx, { batchSize: 100 });
const t0 = performance.now();
const c = await sender.drainAll();
const s = (performance.now() - t0) / 1000;
transport!.close();
console.log(`${t.engine}: ${c.sent} mails envoyés (${smtp.received.length} reçus) en ${s.toFixed(2)} s → ${(c.sent / s).toFixed(0)} mails/s (pool ${POOL})`);
await smtp.close();
await t.cleanup();
process.exit(0);
