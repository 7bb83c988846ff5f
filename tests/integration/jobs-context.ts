// Shared setup of the jobs & delivery tests: a migrated test database, an AppContext on a fixed clock.
import { loadConfig, type Config } from "../../src/config.ts";
import { fixedClock, type AppContext, type Clock } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import type { TestDb } from "../helpers/db.ts";

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ PUBLIC_URL: "https://coordo.exemple.fr", MAIL_FROM: "CPTS Démo <contact@cpts-demo.fr>", ...overrides });
}

export function contextAt(t: TestDb, at: string | Clock, config: Config = testConfig()): AppContext {
  return { config, db: t.db, engine: t.engine, log: silentLogger, clock: typeof at === "string" ? fixedClock(at) : at };
}

/** A clock the test moves forward. */
export function movableClock(start: string): Clock & { set(at: string): void } {
  let c = fixedClock(start);
  return { now: () => c.now(), today: () => c.today(), set: (at) => (c = fixedClock(at)) };
}
