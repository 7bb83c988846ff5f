// Child process of the crash test: drains the outbox of DATABASE_URL to SMTP_URL until every row is final,
// waiting for the leases a killed predecessor left behind. Run with `node --import tsx`.
import { loadConfig } from "../../src/config.ts";
import { createDb, engineOf } from "../../src/db/client.ts";
import { systemClock } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { createSender } from "../../src/mail/component.ts";

const config = loadConfig(process.env);
const db = createDb(config.DATABASE_URL);
const ctx = { config, db, engine: engineOf(config.DATABASE_URL), log: silentLogger, clock: systemClock };
const { sender, transport } = createSender(ctx, { leaseMs: Number(process.env.LEASE_MS ?? 2000), batchSize: Number(process.env.BATCH_SIZE ?? 25) });
process.stdout.write("ready\n");
for (;;) {
  await sender.drainAll();
  const open = await db.outboxMessage.count({ where: { state: { in: ["EN_ATTENTE", "EN_COURS", "ECHEC_TEMPORAIRE"] } } });
  if (open === 0) break;
  await new Promise((r) => setTimeout(r, 200));
}
transport?.close();
await db.$disconnect();
process.stdout.write("done\n");
process.exit(0);
