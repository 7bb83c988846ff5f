// `coordo financement` and `coordo echeances`: the rules CLI, fed from the database with --cpts.
import type { CliIO } from "./io.ts";
import { runFinancement } from "./financement.ts";
import { runEcheances } from "./echeances.ts";
import { loadRulesInputs, type CptsRulesInputs } from "../db/repos/cpts-rules-repo.ts";
import { parisToday } from "../rules/dates.ts";

/** Reads a CPTS's rules inputs once per slug (the CLI asks for its input, then for its settings). */
function loader(io: CliIO) {
  const loaded = new Map<string, Promise<CptsRulesInputs | null>>();
  const read = async (slug: string): Promise<CptsRulesInputs | null> => {
    const ctx = await io.context();
    const cpts = await ctx.db.cpts.findUnique({ where: { slug }, select: { id: true } });
    return cpts ? loadRulesInputs(ctx.db, cpts.id) : null;
  };
  return (slug: string): Promise<CptsRulesInputs | null> => {
    if (!loaded.has(slug)) loaded.set(slug, read(slug));
    return loaded.get(slug)!;
  };
}

export async function financement(args: string[], io: CliIO): Promise<number> {
  const load = loader(io);
  return runFinancement(args, { out: io.out, err: io.err, loadCpts: async (slug) => (await load(slug))?.funding ?? null, loadSettings: async (slug) => (await load(slug))?.settings ?? null }, parisToday(new Date()));
}

export async function echeances(args: string[], io: CliIO): Promise<number> {
  const load = loader(io);
  return runEcheances(args, { out: io.out, err: io.err, loadCpts: async (slug) => (await load(slug))?.deadlines ?? null, loadSettings: async (slug) => (await load(slug))?.settings ?? null }, parisToday(new Date()));
}
