// `coordo federation`: create an inter-CPTS, add or remove a member CPTS, list its members.
import { parseArgsFr } from "./args.ts";
import { EXIT_USAGE, type CliIO } from "./io.ts";
import { UserError } from "../app/errors.ts";
import { createInterCpts, joinFederation, leaveFederation, memberCptsWithRepresentatives, setRepresentative, type JoinResult } from "../app/services/federation.ts";
import { FederationRepository } from "../db/repos/federation-repo.ts";

export const USAGE =
  'Usage : coordo federation creer --slug inter-59 --nom "Inter-CPTS du Nord" [--departements 59]\n' +
  "        coordo federation ajouter --inter inter-59 --cpts demo [--representant prenom.nom@exemple.fr]\n" +
  "        coordo federation representant --inter inter-59 --cpts demo --email prenom.nom@exemple.fr\n" +
  "        coordo federation retirer --inter inter-59 --cpts demo\n" +
  "        coordo federation liste --inter inter-59";

export async function run(args: string[], io: CliIO): Promise<number> {
  let values: { slug?: string; nom?: string; departements?: string; inter?: string; cpts?: string; representant?: string; email?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgsFr({
      args,
      options: { slug: { type: "string" }, nom: { type: "string" }, departements: { type: "string" }, inter: { type: "string" }, cpts: { type: "string" }, representant: { type: "string" }, email: { type: "string" } },
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
      case "ajouter": {
        if (!values.inter || !values.cpts) break;
        const inter = await bySlug(values.inter, "Inter-CPTS");
        const cpts = await bySlug(values.cpts, "CPTS");
        const r = await joinFederation(ctx, inter.id, cpts.id, "cli", { representativeEmail: values.representant });
        io.out(`${cpts.name} est membre de ${inter.name} (une voix délibérative dans ses votes).`);
        io.out(representativeLine(r, inter.slug, cpts.slug));
        return 0;
      }
      case "representant": {
        if (!values.inter || !values.cpts || !values.email) break;
        const inter = await bySlug(values.inter, "Inter-CPTS");
        const cpts = await bySlug(values.cpts, "CPTS");
        const r = await setRepresentative(ctx, inter.id, cpts.id, values.email, "cli");
        io.out(representativeLine(r, inter.slug, cpts.slug));
        return 0;
      }
      case "retirer": {
        if (!values.inter || !values.cpts) break;
        const inter = await bySlug(values.inter, "Inter-CPTS");
        const cpts = await bySlug(values.cpts, "CPTS");
        await leaveFederation(ctx, inter.id, cpts.id, "cli");
        io.out(`${cpts.name} ne fait plus partie de ${inter.name} (sa fiche est archivée, sa ou son représentant ne vote plus).`);
        return 0;
      }
      case "liste": {
        if (!values.inter) break;
        const inter = await bySlug(values.inter, "Inter-CPTS");
        const members = await memberCptsWithRepresentatives(ctx, inter.id);
        io.out(members.length ? members.map((m) => `${m.slug}\t${m.name}\t${m.representative?.name ?? "représentant·e à désigner"}`).join("\n") : `${inter.name} n'a encore aucune CPTS membre.`);
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

function representativeLine(r: JoinResult, inter: string, cpts: string): string {
  if (!r.representative) {
    return `${r.cptsName} n'a pas encore de représentant·e (aucun coordinateur avec une adresse) : désignez un membre de la CPTS avec\n  coordo federation representant --inter ${inter} --cpts ${cpts} --email prenom.nom@exemple.fr\n(ou relancez ajouter avec --representant).`;
  }
  const linked = r.linkedAccounts ? ` ; ${r.linkedAccounts} compte(s) de chat relié(s) dans les espaces de l'inter-CPTS` : "";
  return `Représentant·e de ${r.cptsName} : ${r.representative.name} <${r.representative.email}>${linked}. Dans un espace Slack de l'inter-CPTS, elle ou il se relie avec /adhesion lier email=${r.representative.email}.`;
}
