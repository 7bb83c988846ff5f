// Reads what the pure rules need about one CPTS (contract, missions, indicators, crisis plan,
// deadline states, overrides of uncertain settings) and shapes it as rules input.
import type { Db } from "../client.ts";
import type { FundingInput, MissionContract, IndicatorResult } from "../../rules/funding.ts";
import type { DeadlineInput } from "../../rules/deadlines.ts";
import type { MissionId } from "../../rules/aci-tables.ts";
import { resolveSettings, type RulesSettings, type RulesSettingsOverrides } from "../../rules/settings.ts";

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
  /** null while the CPTS has no signed ACI. */
  funding: FundingInput | null;
  deadlines: DeadlineInput;
  contractId: string | null;
}

export async function loadRulesInputs(db: Db, cptsId: string): Promise<CptsRulesInputs | null> {
  const cpts = await db.cpts.findUnique({
    where: { id: cptsId },
    include: {
      contracts: {
        where: { terminatedOn: null },
        orderBy: { signedOn: "desc" },
        take: 1,
        include: {
          amendments: true,
          missions: true,
          indicators: { include: { missions: { include: { mission: true } }, results: true } },
        },
      },
      crisisPlans: { where: { adoptedOn: { not: null } }, orderBy: { version: "asc" } },
      crisisActivations: { where: { grave: true } },
      deadlineStates: { where: { doneOn: { not: null } } },
      governanceChanges: true,
    },
  });
  if (!cpts) return null;
  const settings = resolveSettings((cpts.settings ?? {}) as RulesSettingsOverrides);
  const memberCount = await db.member.count({ where: { cptsId, status: "ACTIF", roles: { some: { role: "ADHERENT" } } } });
  const contract = cpts.contracts[0];
  const plans = cpts.crisisPlans.map((p) => p.adoptedOn!).sort();
  const crisisPlan = plans.length ? { firstVersionDate: plans[0], updateDates: plans.slice(1) } : undefined;
  const missions: MissionContract[] | undefined = contract?.missions.map((m) => ({
    id: missionIdOfKind(m.kind),
    contracted: m.contracted,
    startDate: m.startOn ?? undefined,
    deployedDate: m.deployedOn ?? undefined,
    startDueDate: m.startDueOn ?? undefined,
    deployDueDate: m.deployDueOn ?? undefined,
  }));
  let funding: FundingInput | null = null;
  if (contract) {
    const achievement: NonNullable<FundingInput["indicatorAchievement"]> = {};
    for (const ind of contract.indicators) {
      for (const res of ind.results) {
        for (const link of ind.missions) {
          const id = missionIdOfKind(link.mission.kind);
          const byYear = (achievement[id] ??= {});
          const result: IndicatorResult = {
            weight: ind.weight,
            targetValue: ind.target ?? 0,
            actualValue: res.value,
            kind: ind.kind === "RESULTAT" ? "resultat" : "suivi",
          };
          (byYear[res.contractYear] ??= []).push(result);
        }
      }
    }
    funding = {
      signatureDate: contract.signedOn,
      population: cpts.population,
      size: contract.sizeAtSigning as 1 | 2 | 3 | 4,
      amendments: contract.amendments.map((a) => ({
        effectiveDate: a.effectiveOn,
        size: (a.size ?? undefined) as 1 | 2 | 3 | 4 | undefined,
        population: a.population ?? undefined,
      })),
      memberCount,
      missions,
      crisisPlan,
      graveCrisisDates: cpts.crisisActivations.map((a) => a.activatedOn),
      indicatorAchievement: achievement,
    };
  }
  return {
    cpts: { id: cpts.id, slug: cpts.slug, name: cpts.name, population: cpts.population },
    settings,
    funding,
    contractId: contract?.id ?? null,
    deadlines: {
      signatureDate: contract?.signedOn,
      missions,
      crisisPlan,
      governanceChanges: cpts.governanceChanges.filter((g) => !g.declaredOn).map((g) => g.changedOn),
      missionPrecoceAidDate: cpts.missionPrecoceAidOn ?? undefined,
      projetSanteFiledDate: cpts.projetSanteFiledOn ?? undefined,
      done: cpts.deadlineStates.map((d) => d.key),
    },
  };
}
