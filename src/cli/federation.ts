// `coordo federation`: create an inter-CPTS, add or remove a member CPTS, list its members.
import { parseArgs } from "node:util";
import { EXIT_USAGE, type CliIO } from "./io.ts";
import { UserError } from "../app/errors.ts";
import { createInterCpts, joinFederation, leaveFederation, memberCptsOf } from "../app/services/federation.ts";
import { FederationRepository } from "../db/repos/federation-repo.ts";

export const USAGE =
  'Usage : coordo federation creer --slug inter-59 --nom "Inter-CPTS du Nord" [--departements 59]\n' +
  "        coordo federation ajouter --inter inter-59 --cpts demo\n" +
  "        coordo federation retirer --inter inter-59 --cpts demo\n" +
  "        coordo federation liste --inter inter-59";

export async function run(args: string[], io: CliIO): Promise<number> {
  let values: { slug?: string; nom?: string; departements?: string; inter?: string; cpts?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { slug: { type: "string" }, nom: { type: "string" }, departements: { type: "string" }, inter: { type: "string" }, cpts: { type: "string" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    io.err(`Arguments invalides : ${(e as Error).message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const action = positionals[0];
  const ctx = await io.context();
  const repo = new FederationRepository(ctx.db);
  const bySlug = async (slug: string | undefined, what: string) => {
    const c = slug ? await repo.bySlug(slug) : null;
    if (!c) throw new UserError(`${what} « ${slug ?? ""} » introuvable : indiquez son identifiant (slug).`);
    return c;
  };
  try {
    switch (action) {
      case "creer": {
        if (!values.slug || !values.nom) break;
        const inter = await createInterCpts(ctx, { slug: values.slug, name: values.nom, departments: values.departements }, "cli");
        io.out(`Inter-CPTS « ${inter.name} » créée (slug ${inter.slug}).`);
        return 0;
      }
      case "ajouter":
      case "retirer": {
        if (!values.inter || !values.cpts) break;
        const inter = await bySlug(values.inter, "Inter-CPTS");
        const cpts = await bySlug(values.cpts, "CPTS");
        if (action === "ajouter") await joinFederation(ctx, inter.id, cpts.id, "cli");
        else await leaveFederation(ctx, inter.id, cpts.id, "cli");
        io.out(action === "ajouter" ? `${cpts.name} est membre de ${inter.name}.` : `${cpts.name} ne fait plus partie de ${inter.name}.`);
        return 0;
      }
      case "liste": {
        if (!values.inter) break;
        const inter = await bySlug(values.inter, "Inter-CPTS");
        const members = await memberCptsOf(ctx, inter.id);
        io.out(members.length ? members.map((m) => `${m.slug}\t${m.name}`).join("\n") : `${inter.name} n'a encore aucune CPTS membre.`);
        return 0;
      }
    }
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    io.err(e.message);
    return 1;
  }
  io.err(USAGE);
  return EXIT_USAGE;
}
