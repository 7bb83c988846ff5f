import type { CliIO } from "./io.ts";
import { parseArgsFr } from "./args.ts";
import { loadConfig } from "../config.ts";
import { migrate } from "../db/migrate.ts";

export async function run(args: string[], io: CliIO): Promise<number> {
  parseArgsFr({ args, options: {}, allowPositionals: false, strict: true });
  const config = loadConfig();
  const applied = await migrate(config.DATABASE_URL);
  io.out(applied.length ? `Migrations appliquées : ${applied.join(", ")}` : "La base est à jour : aucune migration à appliquer.");
  return 0;
}
