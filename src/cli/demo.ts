import type { CliIO } from "./io.ts";
import { parseArgsFr } from "./args.ts";
import { loadDemo, DEMO_COORDINATOR_EMAIL, DEMO_ADMIN_PASSWORD } from "../db/demo-seed.ts";

export async function run(args: string[], io: CliIO): Promise<number> {
  parseArgsFr({ args, options: {}, allowPositionals: false, strict: true });
  const ctx = await io.context();
  const r = await loadDemo(ctx.db, ctx.clock.today());
  io.out(
    r.created
      ? `CPTS de démonstration chargée (slug demo, ${r.members} adhérents). Admin : ${DEMO_COORDINATOR_EMAIL} / ${DEMO_ADMIN_PASSWORD}`
      : `La CPTS de démonstration existe déjà (${r.members} adhérents) : rien n'a été modifié.`,
  );
  return 0;
}
