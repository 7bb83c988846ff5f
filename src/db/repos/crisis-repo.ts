// Crisis plan versions, sections (with owners) and reviews.
import type { Db, Tx } from "../client.ts";
import type { CrisisSectionKind } from "../generated/postgres/enums.ts";

export async function latestVersions(db: Db | Tx, cptsId: string) {
  return db.crisisPlanVersion.findMany({
    where: { cptsId },
    orderBy: { version: "desc" },
    include: {
      sections: {
        orderBy: { kind: "asc" },
        include: { owner: true, reviews: { orderBy: { reviewedOn: "desc" }, take: 1 } },
      },
    },
  });
}

export async function findSection(db: Db, versionId: string, sectionKindOrId: string) {
  return db.crisisPlanSection.findFirst({
    where: { versionId, OR: [{ id: sectionKindOrId }, ...(isSectionKind(sectionKindOrId) ? [{ kind: sectionKindOrId }] : [])] },
  });
}

const KINDS: CrisisSectionKind[] = [
  "ANTICIPER", "ADAPTER", "ACTIVER_PILOTER", "EVALUER", "SITUATION_BLESSES", "SITUATION_MALADES",
  "SITUATION_AGENT_INFECTIEUX", "SITUATION_NRC", "SITUATION_OFFRE_DEGRADEE",
];
export function isSectionKind(s: string): s is CrisisSectionKind {
  return (KINDS as string[]).includes(s);
}

export async function addReview(db: Db, sectionId: string, reviewerId: string | null, reviewedOn: string, comment?: string) {
  return db.crisisPlanReview.create({ data: { sectionId, reviewerId, reviewedOn, comment: comment ?? null } });
}

/** Adopts the draft; notes typed at adoption replace the draft's (none typed: the draft's are kept). */
export async function adoptDraft(tx: Tx, versionId: string, adoptedOn: string, notes?: string) {
  return tx.crisisPlanVersion.update({ where: { id: versionId }, data: notes ? { adoptedOn, notes } : { adoptedOn } });
}

/** A new adopted version carrying over the sections (title, content, owner) of `fromVersionId`. */
export async function createVersionFrom(tx: Tx, cptsId: string, version: number, adoptedOn: string, fromVersionId: string | null, notes?: string) {
  const sections = fromVersionId ? await tx.crisisPlanSection.findMany({ where: { versionId: fromVersionId } }) : [];
  return tx.crisisPlanVersion.create({
    data: {
      cptsId, version, adoptedOn, notes: notes ?? null,
      sections: { create: sections.map((s) => ({ kind: s.kind, title: s.title, content: s.content, ownerId: s.ownerId })) },
    },
  });
}

export async function memberExists(db: Db, cptsId: string, memberId: string): Promise<boolean> {
  return (await db.member.count({ where: { id: memberId, cptsId } })) > 0;
}

/** The CPTS's name and raw settings JSON (per-CPTS overrides such as crisisReview). */
export function cptsNameAndSettings(db: Db | Tx, cptsId: string) {
  return db.cpts.findUnique({ where: { id: cptsId }, select: { name: true, settings: true } });
}
