// CPTS (tenant) and its territory. A commune belongs to at most one CPTS (unique INSEE code):
// a conflicting write is refused with a French message naming the other CPTS.
import { z } from "zod";
import { isUniqueViolation, type Db, type Tx } from "../client.ts";
import { UserError, zodIssuesFr } from "../../app/errors.ts";
import { secretToken } from "../secret-token.ts";
import { Prisma } from "../generated/postgres/client.ts";
import { directRows } from "../direct-read.ts";
import type { CptsMailIdentity } from "../../mail/identity.ts";

export const communeInput = z.object({
  inseeCode: z.string().regex(/^(\d{5}|2[AB]\d{3})$/, "code INSEE à 5 caractères attendu (ex. 59350)"),
  name: z.string().trim().min(1, "nom de commune requis").max(120),
  postalCode: z.string().regex(/^\d{5}$/, "code postal à 5 chiffres attendu").optional(),
  population: z.number().int().min(0).optional(),
});

export const cptsInput = z.object({
  slug: z.string().regex(/^[a-z0-9-]{2,40}$/, "identifiant en minuscules, chiffres et tirets (2 à 40 caractères)"),
  name: z.string().trim().min(2, "nom requis").max(200),
  population: z.number({ error: "nombre d'habitants attendu" }).int().min(1, "la population doit être positive"),
  departments: z.string().default(""),
  communes: z.array(communeInput).default([]),
});

export type CommuneInput = z.input<typeof communeInput>;
export type CptsInput = z.input<typeof cptsInput>;

function parse<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const r = schema.safeParse(input);
  if (!r.success) throw new UserError(`Données invalides — ${zodIssuesFr(r.error.issues)}.`);
  return r.data;
}

/** A CPTS's mail identity (display name, Reply-To), read by the sender for each CPTS of a run: prepared once on SQLite. */
export async function cptsMailIdentity(db: Db, cptsId: string): Promise<CptsMailIdentity | null> {
  const [c] = await directRows<{ slug: string; name: string; mailSenderName: string | null; mailReplyTo: string | null; contactEmail: string | null }>(
    db,
    Prisma.sql`SELECT "slug", "name", "mailSenderName", "mailReplyTo", "contactEmail" FROM "Cpts" WHERE "id" = ${cptsId}`,
  );
  return c ? { slug: c.slug, name: c.name, senderName: c.mailSenderName, replyTo: c.mailReplyTo, contactEmail: c.contactEmail } : null;
}

export class CptsRepository {
  constructor(private readonly db: Db) {}

  bySlug(slug: string) {
    return this.db.cpts.findUnique({ where: { slug } });
  }

  /** Creates the CPTS and its communes together: on any conflict nothing is written. */
  async create(input: CptsInput) {
    const data = parse(cptsInput, input);
    return this.db.$transaction(async (tx) => {
      const cpts = await tx.cpts.create({ data: { slug: data.slug, name: data.name, population: data.population, departments: data.departments, icalToken: secretToken(), helloassoToken: secretToken() } });
      for (const c of data.communes) await this.insertCommune(tx, cpts.id, c);
      return cpts;
    });
  }

  async addCommune(cptsId: string, input: CommuneInput) {
    const data = parse(communeInput, input);
    return this.db.$transaction((tx) => this.insertCommune(tx, cptsId, data));
  }

  private async insertCommune(tx: Tx, cptsId: string, c: z.output<typeof communeInput>) {
    const owner = await tx.commune.findUnique({ where: { inseeCode: c.inseeCode }, include: { cpts: { select: { name: true, id: true } } } });
    if (owner) throw communeConflict(c, owner.cpts.name, owner.cpts.id === cptsId);
    try {
      return await tx.commune.create({ data: { ...c, cptsId } });
    } catch (e) {
      // Another writer won the race between the check and the insert: the database refused it.
      if (isUniqueViolation(e)) throw communeConflict(c, "une autre CPTS", false);
      throw e;
    }
  }
}

function communeConflict(c: { inseeCode: string; name: string }, other: string, same: boolean): UserError {
  return same
    ? new UserError(`La commune ${c.name} (${c.inseeCode}) fait déjà partie de cette CPTS.`, "inseeCode")
    : new UserError(
        `La commune ${c.name} (${c.inseeCode}) appartient déjà à la CPTS « ${other} » : une commune ne peut appartenir qu'à une seule CPTS. Retirez-la d'abord de l'autre territoire.`,
        "inseeCode",
      );
}
