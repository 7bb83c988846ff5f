// Dated facts entered in the admin (CptsFact, GovernanceChange) and CPAM receipts (CpamReceipt),
// and how they feed the rules' DeadlineInput (issue 16).
import type { Db } from "../client.ts";
import type { DeadlineInput } from "../../rules/deadlines.ts";
import type { Receipt } from "../../rules/receipts.ts";
import type { Subsidy } from "../../rules/thresholds.ts";
import { yearOf, type IsoDate } from "../../rules/dates.ts";
import { Prisma } from "../generated/postgres/client.ts";
import { plainRows } from "../direct-read.ts";

export const FACT_KINDS = [
  "AIDE_MISSION_PRECOCE",
  "AIDE_FIR",
  "PROJET_SANTE_DEPOT",
  "PROJET_SANTE_REPONSE",
  "RESILIATION_ENVOYEE",
  "RESILIATION_RECUE",
  "EMBAUCHE",
] as const;
export type FactKind = (typeof FACT_KINDS)[number];

export const FACT_KIND_LABELS: Record<FactKind, string> = {
  AIDE_MISSION_PRECOCE: "Aide « mission précoce » reçue",
  AIDE_FIR: "Aide FIR de démarrage (ARS) reçue",
  PROJET_SANTE_DEPOT: "Projet de santé déposé",
  PROJET_SANTE_REPONSE: "Réponse de l'ARS et de la CPAM au projet de santé",
  RESILIATION_ENVOYEE: "Lettre recommandée de résiliation de l'ACI envoyée",
  RESILIATION_RECUE: "Lettre recommandée de résiliation de l'ACI reçue",
  EMBAUCHE: "Embauche d'un salarié",
};

export interface FactRow {
  id: string;
  kind: FactKind;
  occurredOn: IsoDate;
  amountCents: number | null;
  detail: string | null;
  createdBy: string | null;
}

export interface GovernanceRow {
  id: string;
  changedOn: IsoDate;
  description: string;
  declaredOn: IsoDate | null;
}

export interface ReceiptRow {
  id: string;
  receivedOn: IsoDate;
  amountCents: number;
  lines: string;
  note: string | null;
  createdBy: string | null;
}

export interface DatedFacts {
  facts: FactRow[];
  governance: GovernanceRow[];
  receipts: ReceiptRow[];
}

export async function loadDatedFacts(db: Db, cptsId: string): Promise<DatedFacts> {
  // raw reads of the columns used (prepared statements on SQLite, pg directly on PostgreSQL: text and integers only,
  // see direct-read.ts): /echeances and /financement run this on every call
  const [facts, governance, receipts] = await Promise.all([
    plainRows<{ id: string; kind: string; occurredOn: string; amountCents: number | null; detail: string | null; createdBy: string | null }>(db, Prisma.sql`
      SELECT "id", "kind", "occurredOn", "amountCents", "detail", "createdBy" FROM "CptsFact" WHERE "cptsId" = ${cptsId} ORDER BY "occurredOn" ASC, "id" ASC`),
    plainRows<{ id: string; changedOn: string; description: string; declaredOn: string | null }>(db, Prisma.sql`
      SELECT "id", "changedOn", "description", "declaredOn" FROM "GovernanceChange" WHERE "cptsId" = ${cptsId} ORDER BY "changedOn" ASC, "id" ASC`),
    plainRows<{ id: string; receivedOn: string; amountCents: number; lines: string; note: string | null; createdBy: string | null }>(db, Prisma.sql`
      SELECT "id", "receivedOn", "amountCents", "lines", "note", "createdBy" FROM "CpamReceipt" WHERE "cptsId" = ${cptsId} ORDER BY "receivedOn" ASC, "id" ASC`),
  ]);
  return {
    facts: facts.map((f) => ({ id: f.id, kind: f.kind as FactKind, occurredOn: f.occurredOn, amountCents: f.amountCents, detail: f.detail, createdBy: f.createdBy })),
    governance: governance.map((g) => ({ id: g.id, changedOn: g.changedOn, description: g.description, declaredOn: g.declaredOn })),
    receipts: receipts.map((r) => ({ id: r.id, receivedOn: r.receivedOn, amountCents: r.amountCents, lines: r.lines, note: r.note, createdBy: r.createdBy })),
  };
}

const latest = (dates: IsoDate[]) => [...dates].sort().at(-1);
const earliest = (dates: IsoDate[]) => [...dates].sort()[0];

/** The DeadlineInput of a CPTS with its entered facts (the facts win over the older Cpts columns). */
export function withFacts(input: DeadlineInput, facts: DatedFacts): DeadlineInput {
  const of = (kind: FactKind) => facts.facts.filter((f) => f.kind === kind);
  const precoce = earliest(of("AIDE_MISSION_PRECOCE").map((f) => f.occurredOn));
  const filed = latest(of("PROJET_SANTE_DEPOT").map((f) => f.occurredOn));
  const answered = latest(of("PROJET_SANTE_REPONSE").map((f) => f.occurredOn));
  const open = facts.governance.filter((g) => g.declaredOn === null);
  const out: DeadlineInput = {
    ...input,
    governanceChanges: [...new Set([...(input.governanceChanges ?? []), ...open.map((g) => g.changedOn)])],
    governanceChangeDetails: open.map((g) => ({ date: g.changedOn, what: g.description })),
    terminations: [
      ...of("RESILIATION_ENVOYEE").map((f) => ({ date: f.occurredOn, direction: "envoyee" as const })),
      ...of("RESILIATION_RECUE").map((f) => ({ date: f.occurredOn, direction: "recue" as const })),
    ],
    hires: of("EMBAUCHE").map((f) => ({ id: f.id, date: f.occurredOn, role: f.detail ?? "salarié" })),
  };
  if (precoce) out.missionPrecoceAidDate = precoce;
  if (filed) out.projetSanteFiledDate = filed;
  if (answered && (!out.projetSanteFiledDate || answered >= out.projetSanteFiledDate)) out.projetSanteValidatedDate = answered;
  return out;
}

export function receiptsOf(facts: DatedFacts): Receipt[] {
  return facts.receipts.map((r) => ({ id: r.id, date: r.receivedOn, cents: r.amountCents, lines: r.lines ? r.lines.split(",").filter(Boolean) : [] }));
}

/** Public money other than the ACI in calendar year `year`: the aids entered (FIR, mission précoce). */
export function aidsOfYear(facts: DatedFacts, year: number): Subsidy[] {
  const sum = (kind: FactKind) => facts.facts.filter((f) => f.kind === kind && yearOf(f.occurredOn) === year).reduce((s, f) => s + (f.amountCents ?? 0), 0);
  const out: Subsidy[] = [];
  const fir = sum("AIDE_FIR");
  const precoce = sum("AIDE_MISSION_PRECOCE");
  if (fir) out.push({ funder: "ARS (FIR)", cents: fir });
  if (precoce) out.push({ funder: "Assurance Maladie (mission précoce)", cents: precoce });
  return out;
}

/** The date of the latest fact of this kind in the CPTS, or null. */
export async function latestFactOn(db: Db, cptsId: string, kind: FactKind): Promise<string | null> {
  const row = await db.cptsFact.findFirst({ where: { cptsId, kind }, orderBy: { occurredOn: "desc" }, select: { occurredOn: true } });
  return row?.occurredOn ?? null;
}

export async function createFact(db: Db, cptsId: string, data: { kind: FactKind; occurredOn: IsoDate; amountCents: number | null; detail: string | null; createdBy: string }): Promise<{ id: string }> {
  return db.cptsFact.create({ data: { cptsId, ...data }, select: { id: true } });
}

export async function deleteFact(db: Db, cptsId: string, id: string): Promise<FactRow | null> {
  const row = await db.cptsFact.findFirst({ where: { id, cptsId } });
  if (!row) return null;
  await db.cptsFact.delete({ where: { id: row.id } });
  return { id: row.id, kind: row.kind as FactKind, occurredOn: row.occurredOn, amountCents: row.amountCents, detail: row.detail, createdBy: row.createdBy };
}

export async function createGovernanceChange(db: Db, cptsId: string, data: { changedOn: IsoDate; description: string }): Promise<{ id: string }> {
  return db.governanceChange.create({ data: { cptsId, ...data }, select: { id: true } });
}

export async function createReceipt(db: Db, cptsId: string, data: { receivedOn: IsoDate; amountCents: number; lines: string; note: string | null; createdBy: string }): Promise<{ id: string }> {
  return db.cpamReceipt.create({ data: { cptsId, ...data }, select: { id: true } });
}

export async function deleteReceipt(db: Db, cptsId: string, id: string): Promise<boolean> {
  return (await db.cpamReceipt.deleteMany({ where: { id, cptsId } })).count === 1;
}
