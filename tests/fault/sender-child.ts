// A coordo sender in its own process, for the crash tests: drains the outbox of DATABASE_URL into
// SMTP_URL with the production sender (src/mail) and short leases, printing READY before the first
// claim and DONE when nothing is left. The test kills it with SIGKILL at random moments.
import { loadConfig } from "../../src/config.ts";
import { createDb, engineOf } from "../../src/db/client.ts";
import { createLogger } from "../../src/log.ts";
import { systemClock } from "../../src/app/context.ts";
import { createSender } from "../../src/mail/component.ts";

const config = loadConfig(process.env);
const db = createDb(config.DATABASE_URL);
const log = createLogger("warn");
const ctx = { config, db, engine: engineOf(config.DATABASE_URL), log, clock: systemClock };
const { sender, transport } = createSender(ctx, {
  leaseMs: Number(process.env.FAULT_LEASE_MS ?? 400),
  pollMs: 20,
  backoffBaseMs: 20,
  backoffMaxMs: 100,
});
process.stdout.write("READY\n");
const counts = await sender.drainAll();
transport?.close();
await db.$disconnect();
process.stdout.write(`DONE ${JSON.stringify(counts)}\n`);
