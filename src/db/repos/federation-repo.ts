// Inter-CPTS and their member CPTS (Cpts.parentId).
import type { Db, Tx } from "../client.ts";

const cptsFields = { id: true, slug: true, name: true, kind: true, parentId: true } as const;

export class FederationRepository {
  constructor(private readonly db: Db | Tx) {}

  byId(id: string) {
    return this.db.cpts.findUnique({ where: { id }, select: cptsFields });
  }

  bySlug(slug: string) {
    return this.db.cpts.findUnique({ where: { slug }, select: cptsFields });
  }

  createInter(data: { slug: string; name: string; population: number; departments: string }) {
    return this.db.cpts.create({ data: { ...data, kind: "INTER_CPTS" }, select: cptsFields });
  }

  setParent(cptsId: string, parentId: string | null) {
    return this.db.cpts.update({ where: { id: cptsId }, data: { parentId } });
  }

  children(interId: string) {
    return this.db.cpts.findMany({ where: { parentId: interId }, select: cptsFields, orderBy: { name: "asc" } });
  }

  audit(cptsId: string, actor: string, action: string, target: string, details: object) {
    return this.db.auditLog.create({ data: { cptsId, actor, action, target, details } });
  }
}
