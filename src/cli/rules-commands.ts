// `coordo financement` and `coordo echeances`: the rules CLI, fed from the database with --cpts.
import type { CliIO } from "./io.ts";
import { runFinancement } from "./financement.ts";
import { runEcheances } from "./echeances.ts";
import { loadRulesInputs, type CptsRulesInputs } from "../db/repos/cpts-rules-repo.ts";
import { parisToday } from "../rules/dates.ts";

function loader(io: CliIO) {
  return async (slug: string): Promise<CptsRulesInputs | null> => {
    const ctx = await io.context();
    const cpts = await ctx.db.cpts.findUnique({ where: { slug }, select: { id: true } });
    return cpts ? loadRulesInputs(ctx.db, cpts.id) : null;
  };
}

export async function financement(args: string[], io: CliIO): Promise<number> {
  const load = loader(io);
  return runFinancement(args, { out: io.out, err: io.err, loadCpts: async (slug) => (await load(slug))?.funding ?? null }, parisToday(new Date()));
}

export async function echeances(args: string[], io: CliIO): Promise<number> {
  const load = loader(io);
  return runEcheances(args, { out: io.out, err: io.err, loadCpts: async (slug) => (await load(slug))?.deadlines ?? null }, parisToday(new Date()));
}
