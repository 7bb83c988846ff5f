// Members as the admin sees them: dues status of the current year (rules/dues.ts), filters, the
// dues summary by profession, edits (validated, audited) and the CSV export.
import { z } from "zod";
import type { AppContext } from "../context.ts";
import { MemberAdminRepository, writeAudit, type MemberFilter } from "../../db/repos/admin-repo.ts";
import { MemberListRepository } from "../../db/repos/member-list-repo.ts";
import { memberDuesBalance, DUES_STATUS_LABELS, type DuesStatus, type DuesPayment } from "../../rules/dues.ts";
import { professionLabel, PROFESSIONS } from "../../rules/professions.ts";
import { yearOf } from "../../rules/dates.ts";
import { owesDues } from "../../rules/membership.ts";
import { UserError } from "../errors.ts";
import { isUniqueViolation } from "../../db/client.ts";

export const ROLE_LABELS_FR: Record<string, string> = {
  ADHERENT: "Adhérent", CA: "Conseil d'administration", BUREAU: "Bureau", COORDONNATEUR: "Coordonnateur", PARTENAIRE: "Partenaire",
};
export const STATUS_LABELS_FR: Record<string, string> = {
  ACTIF: "Actif", CANDIDAT: "Candidat", NON_ADHERENT: "Non adhérent", ARCHIVE: "Archivé", EFFACE: "Effacé",
};
export const CATEGORY_LABELS_FR: Record<string, string> = { PROFESSIONNEL: "Professionnel", STRUCTURE: "Structure", PARTENAIRE: "Partenaire" };

export interface MemberRow {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  profession: string | null;
  professionLabel: string;
  communeInsee: string | null;
  category: string;
  status: string;
  roles: string[];
  dues: DuesStatus;
  paidThisYearCents: number;
  /** Amount due this year for the member's category (null: none set). */
  dueCents: number | null;
  /** Left to pay this year (0 when up to date or exempt). */
  balanceCents: number;
}

/** Amount due per category (PROFESSIONNEL, STRUCTURE, PARTENAIRE) for one year, as the CPTS set it. */
export type DuesRates = Readonly<Record<string, number>>;

export async function duesRatesOf(ctx: AppContext, cptsId: string, year: number): Promise<DuesRates> {
  return Object.fromEntries((await new MemberAdminRepository(ctx.db).duesRates(cptsId, year)).map((r) => [r.category, r.amountCents]));
}

type MemberWithPayments = Awaited<ReturnType<MemberAdminRepository["list"]>>[number];

export function displayName(m: { firstName?: string | null; lastName?: string | null; organization?: string | null; email?: string | null }): string {
  const person = [m.firstName, m.lastName].filter(Boolean).join(" ");
  return m.organization || person || m.email || "(sans nom)";
}

export function rulesPayments(m: { id: string; payments: { year: number; paidOn: string; amountCents: number; refundedOn: string | null }[] }): DuesPayment[] {
  return m.payments.map((p) => ({ memberId: m.id, date: p.paidOn, amountCents: p.amountCents, duesYear: p.year, refundedDate: p.refundedOn ?? undefined }));
}

export function toRow(m: MemberWithPayments, at: string, rates: DuesRates = {}): MemberRow {
  const pays = rulesPayments(m);
  const owes = owesDues(m.roles.map((r) => r.role), m.category, m.duesExempt);
  // Who owes dues is one rule (members and board); anyone else shows as exempt.
  const balance = memberDuesBalance({ id: m.id, category: m.category, exempt: !owes, dueCents: rates[m.category] }, pays, at);
  return {
    id: m.id,
    name: displayName(m),
    email: m.email,
    phone: m.phone,
    profession: m.profession,
    professionLabel: m.kind === "MORALE" && !m.profession ? "Structure" : professionLabel(m.profession),
    communeInsee: m.communeInsee,
    category: m.category,
    status: m.status,
    roles: m.roles.map((r) => r.role),
    dues: balance.status,
    paidThisYearCents: balance.paidCents,
    dueCents: balance.dueCents,
    balanceCents: balance.balanceCents,
  };
}

export async function listMembers(ctx: AppContext, cptsId: string, filter: MemberFilter & { dues?: string }, at: string): Promise<MemberRow[]> {
  const rates = await duesRatesOf(ctx, cptsId, yearOf(at));
  const rows = (await new MemberAdminRepository(ctx.db).list(cptsId, filter)).map((m) => toRow(m, at, rates));
  if (filter.dues === "non_paye") return rows.filter((r) => r.dues === "en_retard" || r.dues === "jamais_paye");
  return filter.dues ? rows.filter((r) => r.dues === filter.dues) : rows;
}

export interface DuesSummary {
  year: number;
  due: number;
  paid: number;
  /** Paid part of the due only (« partiel »): not counted in `paid` nor in the rate. */
  partial: number;
  /** Sum of what is left to pay by those members. */
  balanceCents: number;
  ratePercent: number;
  byProfession: { key: string; label: string; due: number; paid: number }[];
}

/** Dues of the current year among active members who owe them (exempt and non-members excluded), counted by the database. */
export async function duesSummary(ctx: AppContext, cptsId: string, at: string): Promise<DuesSummary> {
  const groups = await new MemberListRepository(ctx.db).duesByProfession(cptsId, at);
  const by = new Map<string, { key: string; label: string; due: number; paid: number }>();
  let due = 0, paid = 0, partial = 0, balanceCents = 0;
  for (const g of groups) {
    if (g.status === "exonere") continue;
    const e = by.get(g.key) ?? { key: g.key, label: g.key === "structure" ? "Structures" : professionLabel(g.key === "autre" ? null : g.key), due: 0, paid: 0 };
    e.due += g.count;
    due += g.count;
    if (g.status === "a_jour") (e.paid += g.count), (paid += g.count);
    if (g.status === "partiel") partial += g.count;
    balanceCents += g.balanceCents;
    by.set(g.key, e);
  }
  return {
    year: yearOf(at),
    due,
    paid,
    partial,
    balanceCents,
    ratePercent: due ? Math.round((paid * 1000) / due) / 10 : 0,
    byProfession: [...by.values()].sort((a, b) => b.due - a.due || a.label.localeCompare(b.label, "fr")),
  };
}

// ── edit ──
const trimmed = (max: number) => z.preprocess((v) => (typeof v === "string" ? (v.trim() === "" ? undefined : v.trim()) : v), z.string().max(max, `${max} caractères au plus`).optional());

export const memberForm = z
  .object({
    kind: z.enum(["PHYSIQUE", "MORALE"], { error: "type de personne invalide" }),
    category: z.enum(["PROFESSIONNEL", "STRUCTURE", "PARTENAIRE"], { error: "catégorie invalide" }),
    status: z.enum(["ACTIF", "CANDIDAT", "NON_ADHERENT", "ARCHIVE"], { error: "statut invalide" }),
    firstName: trimmed(100),
    lastName: trimmed(100),
    organization: trimmed(200),
    profession: trimmed(60).refine((v) => v === undefined || /^[a-z_]{2,60}$/.test(v), "profession inconnue"),
    communeInsee: trimmed(5).refine((v) => v === undefined || /^(\d{5}|2[AB]\d{3})$/.test(v), "code INSEE à 5 caractères attendu"),
    email: z.preprocess((v) => (typeof v === "string" ? (v.trim() === "" ? undefined : v.trim().toLowerCase()) : v), z.email("adresse e-mail invalide").optional()),
    phone: trimmed(30).refine((v) => v === undefined || /^[+0-9 .()-]{6,30}$/.test(v), "numéro de téléphone invalide"),
    rpps: trimmed(11).refine((v) => v === undefined || /^\d{11}$/.test(v), "numéro RPPS à 11 chiffres attendu"),
    duesExempt: z.preprocess((v) => v === "on" || v === true, z.boolean()),
    prefNewsletter: z.preprocess((v) => v === "on" || v === true, z.boolean()),
    prefDuesReminders: z.preprocess((v) => v === "on" || v === true, z.boolean()),
    prefAlerts: z.preprocess((v) => v === "on" || v === true, z.boolean()),
    roles: z.array(z.enum(["ADHERENT", "CA", "BUREAU", "COORDONNATEUR", "PARTENAIRE"], { error: "rôle inconnu" })).default([]),
  })
  .superRefine((v, ctx) => {
    if (v.kind === "PHYSIQUE" && !v.lastName) ctx.addIssue({ code: "custom", path: ["lastName"], message: "nom requis pour une personne physique" });
    if (v.kind === "MORALE" && !v.organization) ctx.addIssue({ code: "custom", path: ["organization"], message: "raison sociale requise pour une structure" });
  });
export type MemberFormData = z.output<typeof memberForm>;

export const PROFESSION_OPTIONS: [string, string][] = [["", "—"], ...PROFESSIONS.map((p): [string, string] => [p.key, p.label])];

export async function saveMember(ctx: AppContext, cptsId: string, id: string | null, data: MemberFormData, actor: string): Promise<string> {
  try {
    return await ctx.db.$transaction(async (tx) => {
      const fields = {
        kind: data.kind, category: data.category, status: data.status,
        firstName: data.firstName ?? null, lastName: data.lastName ?? null, organization: data.organization ?? null,
        profession: data.profession ?? null, communeInsee: data.communeInsee ?? null, email: data.email ?? null,
        phone: data.phone ?? null, rpps: data.rpps ?? null, duesExempt: data.duesExempt,
        prefNewsletter: data.prefNewsletter, prefDuesReminders: data.prefDuesReminders, prefAlerts: data.prefAlerts,
      };
      let memberId: string;
      if (id) {
        const existing = await tx.member.findFirst({ where: { id, cptsId }, select: { id: true, email: true } });
        if (!existing) throw new UserError("Cet adhérent n'existe pas dans votre CPTS.");
        // a new address is not the one the server refused: the « adresse invalide » flag goes with the old one
        const newAddress = (existing.email ?? "").toLowerCase() !== (fields.email ?? "").toLowerCase();
        await tx.member.update({
          where: { id },
          data: { ...fields, archivedAt: data.status === "ARCHIVE" ? new Date() : null, ...(newAddress ? { emailInvalid: false, emailInvalidAt: null, emailInvalidReason: null } : {}) },
        });
        await tx.memberRole.deleteMany({ where: { memberId: id, role: { notIn: data.roles } } });
        memberId = id;
      } else {
        const m = await tx.member.create({ data: { ...fields, cptsId, joinedOn: ctx.clock.today() } });
        await tx.consentRecord.create({ data: { memberId: m.id, purpose: "adhesion", textVersion: "admin", channel: "admin" } });
        memberId = m.id;
      }
      const have = new Set((await tx.memberRole.findMany({ where: { memberId }, select: { role: true } })).map((r) => r.role));
      for (const role of data.roles) if (!have.has(role)) await tx.memberRole.create({ data: { memberId, role, since: ctx.clock.today() } });
      await writeAudit(tx, { cptsId, actor, action: id ? "adherent.modifie" : "adherent.cree", target: memberId, details: { email: data.email ?? null, roles: data.roles, status: data.status } });
      return memberId;
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new UserError("Un autre adhérent de la CPTS utilise déjà cette adresse e-mail.", "email");
    throw e;
  }
}

// ── CSV export ──
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? "" : String(v);
  // Neutralise spreadsheet formulas (CSV injection).
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[;"\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return "\uFEFF" + [header, ...rows].map((r) => r.map(csvCell).join(";")).join("\r\n") + "\r\n";
}

const csvEuros = (cents: number) => (cents / 100).toFixed(2).replace(".", ",");

export function membersCsv(rows: MemberRow[]): string {
  return toCsv(
    ["nom", "email", "telephone", "profession", "commune_insee", "categorie", "statut", "roles", "cotisation", "paye_annee_euros", "du_annee_euros", "reste_du_euros"],
    rows.map((r) => [r.name, r.email, r.phone, r.professionLabel, r.communeInsee, CATEGORY_LABELS_FR[r.category], STATUS_LABELS_FR[r.status], r.roles.map((x) => ROLE_LABELS_FR[x]).join(", "), DUES_STATUS_LABELS[r.dues], csvEuros(r.paidThisYearCents), r.dueCents === null ? "" : csvEuros(r.dueCents), csvEuros(r.balanceCents)]),
  );
}
