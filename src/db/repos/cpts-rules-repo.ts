// Reads what the pure rules need about one CPTS (contract, missions, indicators, crisis plan,
// deadline states, overrides of uncertain settings) and shapes it as rules input.
import type { Db } from "../client.ts";
import type { FundingInput, MissionContract, IndicatorResult } from "../../rules/funding.ts";
import type { DeadlineInput } from "../../rules/deadlines.ts";
import type { MissionId } from "../../rules/aci-tables.ts";
import { resolveSettings, type RulesSettings, type RulesSettingsOverrides } from "../../rules/settings.ts";
import { loadDatedFacts, withFacts, type DatedFacts } from "./facts-repo.ts";
import { Prisma } from "../generated/postgres/client.ts";
import { directRows, jsonColumn, plainRows } from "../direct-read.ts";

const MISSION_OF_KIND: Record<string, MissionId> = {
  ACCES_SOINS: "acces_soins",
  PARCOURS: "parcours",
  PREVENTION: "prevention",
  CRISE: "crise",
  QUALITE: "qualite",
  ACCOMPAGNEMENT: "accompagnement",
};
export const KIND_OF_MISSION: Record<MissionId, string> = Object.fromEntries(
  Object.entries(MISSION_OF_KIND).map(([k, v]) => [v, k]),
) as Record<MissionId, string>;

export function missionIdOfKind(kind: string): MissionId {
  return MISSION_OF_KIND[kind]!;
}

export interface CptsRulesInputs {
  cpts: { id: string; slug: string; name: string; population: number };
  settings: RulesSettings;
  /** null while the CPTS has no signed ACI, or when not asked for (`funding: false`). */
  funding: FundingInput | null;
  deadlines: DeadlineInput;
  contractId: string | null;
  /** Facts entered in the admin (aids, projet de santé, governance, termination, hires) and CPAM receipts. */
  facts: DatedFacts;
}

interface RulesCptsRow {
  id: string;
  slug: string;
  name: string;
  population: number;
  settings: unknown;
  missionPrecoceAidOn: string | null;
  projetSanteFiledOn: string | null;
  kId: string | null;
  kSignedOn: string | null;
  kSize: number | null;
}

/** Dated facts of the CPTS, one row each: t = plan (adopted crisis plan), grave (grave real activation, never an exercise), done (deadline key), gov (undeclared change), amend. */
interface RulesFactRow {
  t: "amend" | "plan" | "grave" | "done" | "gov";
  v: string;
  size: number | null;
  population: number | null;
}

interface RulesMissionRow {
  id: string;
  kind: string;
  contracted: boolean | number;
  startOn: string | null;
  deployedOn: string | null;
  startDueOn: string | null;
  deployDueOn: string | null;
}

interface RulesIndicatorRow {
  weight: number;
  target: number | null;
  kind: string;
  contractYear: number;
  value: number;
  missionKind: string;
}

/**
 * Flat SELECTs (CPTS + current contract; the dated facts; missions; indicator results per mission;
 * active adherents counted up to the majoration's minimum): /echeances and /financement run this on every call, so it avoids Prisma's
 * nested reads (a dozen statements and several milliseconds of query compilation). Their columns are text (dates
 * included), integers, floats, booleans, enums and Json: on PostgreSQL they go by pg directly (plainRows); the
 * count, a bigint, stays with directRows.
 */
export async function loadRulesInputs(db: Db, cptsId: string, opts: { funding?: boolean } = {}): Promise<CptsRulesInputs | null> {
  // `funding: false`: the caller computes deadlines (or reads settings) only: the indicator results and the adherent
  // count, read for the funding alone, are skipped and `funding` stays null (/echeances, the deadline alerts, the
  // crisis plan's page: a real CPTS has dozens of indicator rows a contract)
  const withFunding = opts.funding !== false;
  const [cpts] = await plainRows<RulesCptsRow>(db, Prisma.sql`SELECT c."id", c."slug", c."name", c."population", c."settings", c."missionPrecoceAidOn", c."projetSanteFiledOn",
      k."id" AS "kId", k."signedOn" AS "kSignedOn", k."sizeAtSigning" AS "kSize"
    FROM "Cpts" c
    LEFT JOIN "AciContract" k ON k."id" = (
      SELECT a."id" FROM "AciContract" a WHERE a."cptsId" = c."id" AND a."terminatedOn" IS NULL ORDER BY a."signedOn" DESC, a."id" ASC LIMIT 1)
    WHERE c."id" = ${cptsId}`);
  if (!cpts) return null;
  const contractId = cpts.kId;
  const facts = await plainRows<RulesFactRow>(db, Prisma.sql`
    SELECT 'amend' AS "t", "effectiveOn" AS "v", "size", "population" FROM "AciAmendment" WHERE "contractId" = ${contractId ?? ""}
    UNION ALL SELECT 'plan', "adoptedOn", CAST(NULL AS INTEGER), CAST(NULL AS INTEGER) FROM "CrisisPlanVersion" WHERE "cptsId" = ${cptsId} AND "adoptedOn" IS NOT NULL
    UNION ALL SELECT 'grave', "activatedOn", CAST(NULL AS INTEGER), CAST(NULL AS INTEGER) FROM "CrisisActivation" WHERE "cptsId" = ${cptsId} AND "grave" = TRUE AND "exercise" = FALSE
    UNION ALL SELECT 'done', "key", CAST(NULL AS INTEGER), CAST(NULL AS INTEGER) FROM "DeadlineState" WHERE "cptsId" = ${cptsId} AND "doneOn" IS NOT NULL
    UNION ALL SELECT 'gov', "changedOn", CAST(NULL AS INTEGER), CAST(NULL AS INTEGER) FROM "GovernanceChange" WHERE "cptsId" = ${cptsId} AND "declaredOn" IS NULL
    ORDER BY 1, 2`);
  const missionRows = contractId
    ? await plainRows<RulesMissionRow>(db, Prisma.sql`SELECT "id", "kind", "contracted", "startOn", "deployedOn", "startDueOn", "deployDueOn"
        FROM "AciMission" WHERE "contractId" = ${contractId} ORDER BY "kind", "id"`)
    : [];
  // one row per (indicator, result, linked mission)
  const indicatorRows = contractId && withFunding
    ? await plainRows<RulesIndicatorRow>(db, Prisma.sql`SELECT i."weight", i."target", i."kind", res."contractYear", res."value", mi."kind" AS "missionKind"
        FROM "AciIndicator" i
        JOIN "AciIndicatorResult" res ON res."indicatorId" = i."id"
        JOIN "AciIndicatorMission" l ON l."indicatorId" = i."id"
        JOIN "AciMission" mi ON mi."id" = l."missionId"
        WHERE i."contractId" = ${contractId}
        ORDER BY i."code", res."contractYear", l."missionId"`)
    : [];
  const of = (t: RulesFactRow["t"]) => facts.filter((f) => f.t === t);
  const settings = resolveSettings((jsonColumn(cpts.settings) ?? {}) as RulesSettingsOverrides);
  const plans = of("plan").map((p) => p.v).sort();
  const crisisPlan = plans.length ? { firstVersionDate: plans[0], updateDates: plans.slice(1) } : undefined;
  const missions: MissionContract[] | undefined = contractId
    ? missionRows.map((m) => ({
        id: missionIdOfKind(m.kind),
        contracted: Boolean(m.contracted),
        startDate: m.startOn ?? undefined,
        deployedDate: m.deployedOn ?? undefined,
        startDueDate: m.startDueOn ?? undefined,
        deployDueDate: m.deployDueOn ?? undefined,
      }))
    : undefined;
  let funding: FundingInput | null = null;
  if (contractId && withFunding) {
    // the rule only asks whether the active adherents reach the majoration's minimum: counted up to
    // it (a CPTS of 100,000 members is not counted whole on every /echeances, /financement, dashboard)
    const cap = Math.max(0, Math.trunc(settings.majoration.minMembers));
    const [adherents] = await directRows<{ n: number | bigint }>(db, Prisma.sql`SELECT COUNT(*) AS "n" FROM (
      SELECT 1 FROM "Member" m WHERE m."cptsId" = ${cptsId} AND m."status" = ${"ACTIF"}
        AND EXISTS (SELECT 1 FROM "MemberRole" r WHERE r."memberId" = m."id" AND r."role" = ${"ADHERENT"}) LIMIT ${cap}) x`);
    const achievement: NonNullable<FundingInput["indicatorAchievement"]> = {};
    for (const row of indicatorRows) {
      const byYear = (achievement[missionIdOfKind(row.missionKind)] ??= {});
      const result: IndicatorResult = {
        weight: row.weight,
        targetValue: row.target ?? 0,
        actualValue: row.value,
        kind: row.kind === "RESULTAT" ? "resultat" : "suivi",
      };
      (byYear[row.contractYear] ??= []).push(result);
    }
    funding = {
      signatureDate: cpts.kSignedOn!,
      population: cpts.population,
      size: cpts.kSize as 1 | 2 | 3 | 4,
      amendments: of("amend").map((a) => ({
        effectiveDate: a.v,
        size: (a.size ?? undefined) as 1 | 2 | 3 | 4 | undefined,
        population: a.population ?? undefined,
      })),
      memberCount: Number(adherents?.n ?? 0),
      missions,
      crisisPlan,
      graveCrisisDates: of("grave").map((a) => a.v),
      indicatorAchievement: achievement,
    };
  }
  const entered = await loadDatedFacts(db, cptsId);
  return {
    cpts: { id: cpts.id, slug: cpts.slug, name: cpts.name, population: cpts.population },
    settings,
    funding,
    contractId,
    facts: entered,
    deadlines: withFacts({
      signatureDate: cpts.kSignedOn ?? undefined,
      missions,
      crisisPlan,
      governanceChanges: of("gov").map((g) => g.v),
      missionPrecoceAidDate: cpts.missionPrecoceAidOn ?? undefined,
      projetSanteFiledDate: cpts.projetSanteFiledOn ?? undefined,
      done: of("done").map((d) => d.v),
    }, entered),
  };
}
