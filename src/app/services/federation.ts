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

export interface JoinResult {
  cptsName: string;
  /** The representative (a member of the member CPTS), or null when it is still to be named. */
  representative: { name: string; email: string } | null;
  /** Chat accounts of the representative linked in the inter-CPTS's own spaces. */
  linkedAccounts: number;
}

const personName = (p: { firstName: string | null; lastName: string | null; organization: string | null; email: string | null }) =>
  [p.firstName, p.lastName].filter(Boolean).join(" ") || p.organization || p.email || "(sans nom)";

/**
 * Makes `cptsId` a member of the inter-CPTS (a CPTS belongs to one inter-CPTS at most) and records
 * it as the inter-CPTS's legal-person member (kind MORALE, Member.representsCptsId): one
 * deliberative voice in the inter-CPTS's votes, cast by its representative. The representative is
 * `representativeEmail` (a member of that CPTS), else the CPTS's coordinator; when there is none
 * the record waits for one (the caller asks for it). The representative's Discord and console
 * accounts are linked in the inter-CPTS's own spaces; on Slack they link with /adhesion lier.
 * Idempotent: adding again changes nothing, or only the representative when one is given.
 */
export async function joinFederation(ctx: AppContext, interCptsId: string, cptsId: string, actor: string, opts: { representativeEmail?: string } = {}): Promise<JoinResult> {
  const repo = new FederationRepository(ctx.db);
  const [inter, cpts] = await Promise.all([repo.byId(interCptsId), repo.byId(cptsId)]);
  if (!inter || inter.kind !== "INTER_CPTS") throw new UserError("Cette structure n'est pas une inter-CPTS.");
  if (!cpts || cpts.kind !== "CPTS") throw new UserError("Seule une CPTS peut être membre d'une inter-CPTS.");
  if (cpts.parentId && cpts.parentId !== inter.id) throw new UserError(`La ${cpts.name} est déjà membre d'une autre inter-CPTS : elle doit d'abord la quitter.`);
  let rep: Awaited<ReturnType<FederationRepository["coordinator"]>> = null;
  if (opts.representativeEmail) {
    rep = await repo.personByEmail(cpts.id, opts.representativeEmail);
    if (!rep) throw new UserError(`« ${opts.representativeEmail} » n'est pas membre de la ${cpts.name} : la ou le représentant doit être un membre actif de la CPTS (son adresse telle qu'enregistrée).`, "representant");
  }
  const existing = await repo.memberRecord(inter.id, cpts.id);
  if (!rep && existing?.email) rep = await repo.personByEmail(cpts.id, existing.email);
  if (!rep && !existing?.email) rep = await repo.coordinator(cpts.id);
  const repEmail = rep?.email?.trim().toLowerCase() ?? null;
  if (repEmail) {
    const clash = await repo.otherWithEmail(inter.id, repEmail, existing?.id);
    if (clash) throw new UserError(`L'adresse ${repEmail} est déjà celle d'un autre membre de ${inter.name} (${clash.organization ?? personName({ ...clash, email: null })}) : une personne ne représente qu'une CPTS.`, "representant");
  }
  const portable = rep ? await repo.portableIdentities(rep.id) : [];
  const spaces = await repo.workspaces(inter.id);
  return ctx.db.$transaction(async (tx) => {
    const txRepo = new FederationRepository(tx);
    if (cpts.parentId !== inter.id) {
      await txRepo.setParent(cpts.id, inter.id);
      await txRepo.audit(inter.id, actor, "federation.adhesion", cpts.id, { cpts: cpts.slug });
    }
    let recordId = existing?.id;
    const changedRep = Boolean(repEmail && existing && existing.email !== repEmail);
    if (!recordId) {
      const created = await tx.member.create({
        data: {
          cptsId: inter.id, kind: "MORALE", category: "STRUCTURE", status: "ACTIF", organization: cpts.name, email: repEmail, representsCptsId: cpts.id,
          duesExempt: true, joinedOn: ctx.clock.today(), roles: { create: [{ role: "ADHERENT" }] },
        },
        select: { id: true },
      });
      recordId = created.id;
    } else if (existing!.status !== "ACTIF" || changedRep) {
      await tx.member.update({ where: { id: recordId }, data: { status: "ACTIF", archivedAt: null, organization: cpts.name, ...(repEmail ? { email: repEmail } : {}) } });
    }
    if (changedRep) await tx.chatIdentity.updateMany({ where: { memberId: recordId }, data: { memberId: null } });
    let linked = 0;
    for (const id of portable) {
      for (const space of spaces.filter((w) => w.platform === id.workspace.platform)) {
        const found = await tx.chatIdentity.findUnique({ where: { workspaceId_userId: { workspaceId: space.id, userId: id.userId } }, select: { id: true, memberId: true } });
        if (found?.memberId && found.memberId !== recordId) continue;
        if (found) await tx.chatIdentity.update({ where: { id: found.id }, data: { memberId: recordId } });
        else await tx.chatIdentity.create({ data: { workspaceId: space.id, userId: id.userId, displayName: id.displayName, memberId: recordId } });
        linked++;
      }
    }
    if (rep && (changedRep || !existing?.email)) await txRepo.audit(inter.id, actor, "federation.representant", cpts.id, { cpts: cpts.slug, representant: repEmail, comptesRelies: linked });
    return { cptsName: cpts.name, representative: rep && repEmail ? { name: personName(rep), email: repEmail } : existing?.email ? { name: existing.email, email: existing.email } : null, linkedAccounts: linked };
  });
}

/**
 * After the inter-CPTS links a new chat space (`coordo chat lier`): the representatives' Discord
 * and console accounts are linked there too. Returns how many accounts were linked.
 */
export async function linkRepresentativeAccounts(ctx: AppContext, interCptsId: string, actor: string): Promise<number> {
  const repo = new FederationRepository(ctx.db);
  const inter = await repo.byId(interCptsId);
  if (!inter || inter.kind !== "INTER_CPTS") return 0;
  let linked = 0;
  for (const c of await repo.children(interCptsId)) linked += (await joinFederation(ctx, interCptsId, c.id, actor)).linkedAccounts;
  return linked;
}

/** Names (or changes) the representative of a member CPTS; the previous one's chat accounts lose its voice. */
export async function setRepresentative(ctx: AppContext, interCptsId: string, cptsId: string, email: string, actor: string): Promise<JoinResult> {
  const cpts = await new FederationRepository(ctx.db).byId(cptsId);
  if (!cpts || cpts.parentId !== interCptsId) throw new UserError("Cette CPTS n'est pas membre de cette inter-CPTS : ajoutez-la d'abord (coordo federation ajouter).");
  return joinFederation(ctx, interCptsId, cptsId, actor, { representativeEmail: email });
}

/** The member CPTS leaves: its record is archived (no more voice), its representative's chat accounts unlinked. */
export async function leaveFederation(ctx: AppContext, interCptsId: string, cptsId: string, actor: string): Promise<void> {
  const repo = new FederationRepository(ctx.db);
  const cpts = await repo.byId(cptsId);
  if (!cpts || cpts.parentId !== interCptsId) throw new UserError("Cette CPTS n'est pas membre de cette inter-CPTS.");
  const record = await repo.memberRecord(interCptsId, cptsId);
  await ctx.db.$transaction(async (tx) => {
    const txRepo = new FederationRepository(tx);
    await txRepo.setParent(cpts.id, null);
    if (record) {
      await tx.member.update({ where: { id: record.id }, data: { status: "ARCHIVE", archivedAt: ctx.clock.now() } });
      await tx.chatIdentity.updateMany({ where: { memberId: record.id }, data: { memberId: null } });
    }
    await txRepo.audit(interCptsId, actor, "federation.depart", cpts.id, { cpts: cpts.slug });
  });
}

/** Member CPTS with their representative (null: to be named). */
export async function memberCptsWithRepresentatives(ctx: AppContext, interCptsId: string) {
  const repo = new FederationRepository(ctx.db);
  const [children, records] = await Promise.all([repo.children(interCptsId), repo.memberRecords(interCptsId)]);
  const out = [];
  for (const c of children) {
    const rec = records.find((r) => r.representsCptsId === c.id);
    const person = rec?.email ? await repo.personByEmail(c.id, rec.email) : null;
    out.push({ ...c, representative: rec?.email ? { email: rec.email, name: person ? personName(person) : rec.email } : null });
  }
  return out;
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
