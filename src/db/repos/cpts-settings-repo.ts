// A CPTS's overrides of the tunable rules (Cpts.settings, Json): read resolved, and patched with an
// audit row in one transaction. Json goes through Prisma so that both engines parse it the same way.
import type { Db } from "../client.ts";
import { resolveSettings, type RulesSettings, type RulesSettingsOverrides } from "../../rules/settings.ts";

export class CptsSettingsRepository {
  constructor(private readonly db: Db) {}

  async overrides(cptsId: string): Promise<RulesSettingsOverrides> {
    const row = await this.db.cpts.findUnique({ where: { id: cptsId }, select: { settings: true } });
    const value = row?.settings;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as RulesSettingsOverrides) : {};
  }

  async resolved(cptsId: string): Promise<RulesSettings> {
    return resolveSettings(await this.overrides(cptsId));
  }

  /** Applies `patch` to the stored overrides (other keys kept) and audits it. */
  async patch(cptsId: string, patch: (current: RulesSettingsOverrides) => RulesSettingsOverrides, actor: string, action: string, details: object): Promise<void> {
    await this.db.$transaction(async (tx) => {
      const row = await tx.cpts.findUnique({ where: { id: cptsId }, select: { settings: true } });
      const current = row?.settings && typeof row.settings === "object" && !Array.isArray(row.settings) ? (row.settings as RulesSettingsOverrides) : {};
      await tx.cpts.update({ where: { id: cptsId }, data: { settings: patch(current) as object } });
      await tx.auditLog.create({ data: { cptsId, actor, action, target: cptsId, details } });
    });
  }
}
