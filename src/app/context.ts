// The composition root's shared handles: config, database, logger, clock.
import type { Config } from "../config.ts";
import { createDb, engineOf, type Db, type Engine } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { upgradeLegacyTokens } from "../db/secret-token.ts";
import type { Logger } from "../log.ts";
import { parisToday } from "../rules/dates.ts";

export interface Clock {
  now(): Date;
  /** Today's calendar date in Europe/Paris, YYYY-MM-DD. */
  today(): string;
}

export const systemClock: Clock = {
  now: () => new Date(),
  today: () => parisToday(new Date()),
};

export function fixedClock(at: string | Date): Clock {
  const d = typeof at === "string" ? new Date(at.length === 10 ? `${at}T10:00:00+01:00` : at) : at;
  return { now: () => new Date(d), today: () => parisToday(d) };
}

export interface AppContext {
  config: Config;
  db: Db;
  engine: Engine;
  log: Logger;
  clock: Clock;
}

/** Migrates the database then opens it. */
export async function openContext(config: Config, log: Logger, clock: Clock = systemClock): Promise<AppContext> {
  const applied = await migrate(config.DATABASE_URL);
  if (applied.length) log.info("migrations appliquées", { applied });
  const db = createDb(config.DATABASE_URL);
  const upgraded = await upgradeLegacyTokens(db);
  if (upgraded.members || upgraded.cpts) log.warn("jetons secrets renouvelés (anciens jetons cuid)", upgraded);
  return { config, db, engine: engineOf(config.DATABASE_URL), log, clock };
}
