// RGPD rights from the chat: access (my data as a JSON file) and erasure (anonymisation that
// keeps the accounting records: payments, indemnities and attendance sheets).
import type { AppContext } from "../context.ts";
import { UserError } from "../errors.ts";
import { MemberRepository } from "../../db/repos/member-repo.ts";

export async function exportMemberData(ctx: AppContext, cptsId: string, memberId: string): Promise<{ name: string; content: string }> {
  const data = await new MemberRepository(ctx.db).exportAll(cptsId, memberId);
  if (!data) throw new UserError("Aucune donnée n'est associée à votre compte.");
  const { unsubscribeToken: _token, ...member } = data;
  const content = JSON.stringify({ exporteLe: ctx.clock.now().toISOString(), cpts: cptsId, membre: member }, null, 2);
  return { name: `mes-donnees-${ctx.clock.today()}.json`, content };
}

export async function eraseMember(ctx: AppContext, cptsId: string, memberId: string, actor: string): Promise<boolean> {
  return new MemberRepository(ctx.db).anonymise(cptsId, memberId, ctx.clock.now(), actor);
}
