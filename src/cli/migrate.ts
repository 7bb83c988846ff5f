import type { CliIO } from "./io.ts";
import { loadConfig } from "../config.ts";
import { migrate } from "../db/migrate.ts";

export async function run(_args: string[], io: CliIO): Promise<number> {
  const config = loadConfig();
  const applied = await migrate(config.DATABASE_URL);
  io.out(applied.length ? `Migrations appliquées : ${applied.join(", ")}` : "La base est à jour : aucune migration à appliquer.");
  return 0;
}
