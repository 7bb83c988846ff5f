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

  /** The legal-person record of a member CPTS in the inter-CPTS (any status). */
  memberRecord(interId: string, cptsId: string) {
    return this.db.member.findFirst({ where: { cptsId: interId, representsCptsId: cptsId }, select: { id: true, email: true, status: true } });
  }

  memberRecords(interId: string) {
    return this.db.member.findMany({ where: { cptsId: interId, representsCptsId: { not: null }, status: "ACTIF" }, select: { id: true, email: true, representsCptsId: true } });
  }

  /** A person of the member CPTS by e-mail (the representative must be one of its members). */
  personByEmail(cptsId: string, email: string) {
    return this.db.member.findFirst({ where: { cptsId, email: email.trim().toLowerCase(), status: { in: ["ACTIF", "CANDIDAT"] } }, select: { id: true, firstName: true, lastName: true, organization: true, email: true } });
  }

  /** The member CPTS's coordinator with an e-mail: its representative by default. */
  coordinator(cptsId: string) {
    return this.db.member.findFirst({
      where: { cptsId, status: "ACTIF", email: { not: null }, roles: { some: { role: "COORDONNATEUR" } } },
      orderBy: { createdAt: "asc" },
      select: { id: true, firstName: true, lastName: true, organization: true, email: true },
    });
  }

  /** The inter-CPTS member whose e-mail this is (another record than `exceptId`). */
  otherWithEmail(interId: string, email: string, exceptId?: string) {
    return this.db.member.findFirst({ where: { cptsId: interId, email, ...(exceptId ? { id: { not: exceptId } } : {}) }, select: { id: true, organization: true, firstName: true, lastName: true } });
  }

  /**
   * Chat accounts of a person that stay valid in another space: Discord user ids are global, a
   * console account is its e-mail. (Slack user ids belong to one workspace: the representative
   * links with /adhesion lier there.)
   */
  portableIdentities(memberId: string) {
    return this.db.chatIdentity.findMany({ where: { memberId, workspace: { platform: { in: ["DISCORD", "CONSOLE"] } } }, select: { userId: true, displayName: true, workspace: { select: { platform: true } } } });
  }

  workspaces(cptsId: string) {
    return this.db.chatWorkspace.findMany({ where: { cptsId }, select: { id: true, platform: true } });
  }

  audit(cptsId: string, actor: string, action: string, target: string, details: object) {
    return this.db.auditLog.create({ data: { cptsId, actor, action, target, details } });
  }
}
