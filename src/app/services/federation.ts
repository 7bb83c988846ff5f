// Several CPTS in one deployment, and the inter-CPTS (DOMAIN §1, §8): a Cpts of kind INTER_CPTS
// whose members are CPTS (Cpts.parentId). Every tenant's data stays its own; the one thing that
// crosses is an inter-CPTS newsletter with audience FEDERATION, which reaches the active members of
// its member CPTS who accept newsletters (resolveAudience, newsletters service), never a CPTS
// outside the federation.
import type { AppContext } from "../context.ts";
import { UserError } from "../errors.ts";
import { FederationRepository } from "../../db/repos/federation-repo.ts";
import { resolveAudience, type Audience } from "./newsletters.ts";

export async function createInterCpts(ctx: AppContext, input: { slug: string; name: string; population?: number; departments?: string }, actor: string) {
  const repo = new FederationRepository(ctx.db);
  if (!/^[a-z0-9-]{2,40}$/.test(input.slug)) throw new UserError("Identifiant invalide : minuscules, chiffres et tirets (2 à 40 caractères).", "slug");
  if (await repo.bySlug(input.slug)) throw new UserError(`L'identifiant « ${input.slug} » est déjà pris.`, "slug");
  const inter = await repo.createInter({ slug: input.slug, name: input.name.trim(), population: input.population ?? 1, departments: input.departments ?? "" });
  await repo.audit(inter.id, actor, "federation.creee", inter.id, { slug: inter.slug });
  return inter;
}

/** Makes `cptsId` a member of the inter-CPTS; a CPTS belongs to one inter-CPTS at most. */
export async function joinFederation(ctx: AppContext, interCptsId: string, cptsId: string, actor: string): Promise<void> {
  const repo = new FederationRepository(ctx.db);
  const [inter, cpts] = await Promise.all([repo.byId(interCptsId), repo.byId(cptsId)]);
  if (!inter || inter.kind !== "INTER_CPTS") throw new UserError("Cette structure n'est pas une inter-CPTS.");
  if (!cpts || cpts.kind !== "CPTS") throw new UserError("Seule une CPTS peut être membre d'une inter-CPTS.");
  if (cpts.parentId === inter.id) return;
  if (cpts.parentId) throw new UserError(`La ${cpts.name} est déjà membre d'une autre inter-CPTS : elle doit d'abord la quitter.`);
  await ctx.db.$transaction(async (tx) => {
    const txRepo = new FederationRepository(tx);
    await txRepo.setParent(cpts.id, inter.id);
    await txRepo.audit(inter.id, actor, "federation.adhesion", cpts.id, { cpts: cpts.slug });
  });
}

export async function leaveFederation(ctx: AppContext, interCptsId: string, cptsId: string, actor: string): Promise<void> {
  const repo = new FederationRepository(ctx.db);
  const cpts = await repo.byId(cptsId);
  if (!cpts || cpts.parentId !== interCptsId) throw new UserError("Cette CPTS n'est pas membre de cette inter-CPTS.");
  await ctx.db.$transaction(async (tx) => {
    const txRepo = new FederationRepository(tx);
    await txRepo.setParent(cpts.id, null);
    await txRepo.audit(interCptsId, actor, "federation.depart", cpts.id, { cpts: cpts.slug });
  });
}

export async function memberCptsOf(ctx: AppContext, interCptsId: string) {
  return new FederationRepository(ctx.db).children(interCptsId);
}

/**
 * Recipients of an inter-CPTS newsletter: the members of its member CPTS (and of the inter-CPTS
 * itself) who accept newsletters. Refused for a plain CPTS, so that audience never widens silently.
 */
export async function federationAudience(ctx: AppContext, interCptsId: string): Promise<Audience> {
  const inter = await new FederationRepository(ctx.db).byId(interCptsId);
  if (!inter || inter.kind !== "INTER_CPTS") throw new UserError("L'audience « les CPTS de l'inter-CPTS » est réservée à une inter-CPTS.", "audience");
  return resolveAudience(ctx, interCptsId, { audience: "FEDERATION" });
}
