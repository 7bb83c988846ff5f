// Bulk writes of a members import: the members a batch creates (with their ADHERENT role and
// consent) and the payments of those brand-new members, by multi-row INSERTs (one Prisma create per
// row cost ~20 ms here: a 40,000-row file took a quarter of an hour). Rows read back exactly like
// Prisma's own writes. Payments of members who already existed go through the payment service.
import type { Tx } from "../client.ts";
import { insertRows, newRowId } from "../raw-insert.ts";
import { duesYearOf } from "../../rules/dues.ts";
import { erasureMatcher } from "./mail-retention-repo.ts";

export interface NewImportedMember {
  cptsId: string;
  email: string;
  kind: "PHYSIQUE" | "MORALE";
  category: "PROFESSIONNEL" | "STRUCTURE" | "PARTENAIRE";
  firstName?: string;
  lastName?: string;
  organization?: string;
  profession?: string;
  communeInsee?: string;
  phone?: string;
  rpps?: string;
  joinedOn: string;
  consentVersion: string;
}

/** Inserts the members (ids given back in order), each with its ADHERENT role and its consent record. */
export async function insertImportedMembers(tx: Tx, members: NewImportedMember[]): Promise<string[]> {
  if (members.length === 0) return [];
  const now = new Date();
  const ids = members.map(() => newRowId());
  await insertRows(
    tx,
    "Member",
    ["id", "cptsId", "kind", "category", "firstName", "lastName", "organization", "profession", "communeInsee", "email", "phone", "rpps", "joinedOn", "unsubscribeToken", "createdAt", "updatedAt"],
    members.map((m, i) => [ids[i]!, m.cptsId, m.kind, m.category, m.firstName ?? null, m.lastName ?? null, m.organization ?? null, m.profession ?? null, m.communeInsee ?? null, m.email, m.phone ?? null, m.rpps ?? null, m.joinedOn, newRowId(), now, now]),
    100,
  );
  await insertRows(tx, "MemberRole", ["id", "memberId", "role", "since"], members.map((m, i) => [newRowId(), ids[i]!, "ADHERENT", m.joinedOn]));
  await insertRows(tx, "ConsentRecord", ["id", "memberId", "purpose", "textVersion", "given", "channel", "at"], members.map((m, i) => [newRowId(), ids[i]!, "adhesion", m.consentVersion, true, "import", now]));
  return ids;
}

export interface NewImportedPayment {
  cptsId: string;
  memberId: string;
  amountCents: number;
  paidOn: string;
  method: "VIREMENT" | "CARTE" | "CHEQUE" | "ESPECES" | "AUTRE";
  externalId: string | null;
  actor: string;
}

/** External ids of source CSV already recorded in this CPTS, among `externalIds`. */
export async function recordedCsvIds(tx: Tx, cptsId: string, externalIds: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < externalIds.length; i += 400) {
    const rows = await tx.duesPayment.findMany({ where: { cptsId, source: "CSV", externalId: { in: externalIds.slice(i, i + 400) } }, select: { externalId: true } });
    for (const r of rows) found.add(r.externalId!);
  }
  return found;
}

/** Payments of members created by this import (no reminder can be pending for them), audited one by
 *  one like the payment service does. */
export async function insertImportedPayments(tx: Tx, payments: NewImportedPayment[]): Promise<void> {
  if (payments.length === 0) return;
  const now = new Date();
  const rows = payments.map((p) => ({ ...p, id: newRowId(), year: duesYearOf(p.paidOn) }));
  await insertRows(
    tx,
    "DuesPayment",
    ["id", "cptsId", "memberId", "year", "amountCents", "paidOn", "source", "method", "externalId", "recordedBy", "createdAt"],
    rows.map((p) => [p.id, p.cptsId, p.memberId, p.year, p.amountCents, p.paidOn, "CSV", p.method, p.externalId, p.actor, now]),
  );
  await insertRows(
    tx,
    "AuditLog",
    ["id", "cptsId", "actor", "action", "target", "details", "at"],
    rows.map((p) => [newRowId(), p.cptsId, p.actor, "cotisation.enregistree", p.memberId, JSON.stringify({ paymentId: p.id, source: "CSV", externalId: p.externalId, amountCents: p.amountCents, year: p.year, cancelledReminders: 0 }), now]),
  );
}

/**
 * Erasure (RGPD): an import's stored preview, error report and result name the rows someone should look
 * at (name, address): the erased member's are replaced, inside the erasure transaction. (An uploaded file
 * still waiting for its import keeps the row, at most 7 days: see expireImportFiles.)
 */
export async function scrubMemberFromImports(tx: Tx, cptsId: string, member: { firstName: string | null; lastName: string | null; organization: string | null; email: string | null }): Promise<number> {
  const m = erasureMatcher(member);
  if (!m) return 0;
  const rows = await tx.memberImport.findMany({
    where: { cptsId, OR: m.variants.flatMap((v) => [{ preview: { contains: v } }, { report: { contains: v } }, { result: { contains: v } }]) },
    select: { id: true, preview: true, report: true, result: true },
  });
  const scrub = (s: string | null) => (s === null ? null : m.scrub(s));
  for (const r of rows) await tx.memberImport.update({ where: { id: r.id }, data: { preview: scrub(r.preview), report: scrub(r.report), result: scrub(r.result) } });
  return rows.length;
}
