// The synthetic national data set of the benchmarks: CPTS of all sizes, members in the regional
// profession mix, five years of dues with a realistic unpaid share, contracts and missions at
// various stages, a coordinator and a console chat workspace per CPTS. Seeded, so two builds with
// the same options hold the same rows (ids included); written with batched createMany inside
// transactions, because row-by-row inserts would take minutes at this scale.
//
//   node --import tsx bench/dataset.ts [--quick] [--url file:/tmp/x.db]   builds and prints its time
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDb, engineOf, type Db, type Engine, type Tx } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { addDays, addMonths, parisToday, startOfYear, yearOf, daysBetween } from "../src/rules/dates.ts";
import { latestDueStep } from "../src/rules/dues.ts";
import { distributeByShare } from "../src/rules/professions.ts";
import { hashPassword } from "../src/app/password.ts";
import { prng } from "../src/prng.ts";

export interface DatasetOptions {
  cpts: number;
  members: number;
  years: number;
  seed: number;
  /** The bench's "today" (Europe/Paris); payments and reminder steps are laid out around it. */
  today: string;
}

export const FULL: Omit<DatasetOptions, "today"> = { cpts: 800, members: 100_000, years: 5, seed: 20261123 };
export const QUICK: Omit<DatasetOptions, "today"> = { cpts: 80, members: 10_000, years: 5, seed: 20261123 };

export const BENCH_ADMIN_PASSWORD = "bench-coordo-2026";
/** Chat user ids, the same in each CPTS's console and Slack workspaces: its coordinator and one adherent. */
export const COORDINATOR_USER = "UCOORDINATION";
export const ADHERENT_USER = "UADHERENT";

export interface DatasetSummary {
  engine: Engine;
  cpts: number;
  members: number;
  payments: number;
  contracts: number;
  missions: number;
  communes: number;
  ledger: number;
  /** Members who have not paid for the current year (the reminders' audience before opt-outs). */
  unpaidCurrentYear: number;
  buildSeconds: number;
}

export interface BenchCpts {
  id: string;
  slug: string;
  population: number;
  members: number;
  coordinatorId: string;
  consoleWorkspace: string;
  /** Slack team id of the CPTS's workspace. */
  slackTeam: string;
}

export { prng };

const FIRST = ["Camille", "Léa", "Hugo", "Louis", "Chloé", "Emma", "Nathan", "Inès", "Jules", "Manon", "Lucas", "Sarah", "Paul", "Alice", "Théo", "Julie", "Marc", "Claire", "Antoine", "Zoé", "Nicolas", "Aurélie", "Mehdi", "Fatou", "Youssef", "Anaïs"];
const LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "Nguyen", "Diallo", "Benali", "Le Gall"];
const PLACES = ["Val", "Plaine", "Côte", "Pays", "Vallée", "Bocage", "Marais", "Plateau", "Monts", "Rives"];
const RIVERS = ["de l'Aa", "de la Lys", "de la Somme", "de l'Oise", "de la Marne", "du Lot", "de l'Aude", "de la Loire", "du Cher", "de l'Orne", "de la Sèvre", "du Tarn"];
const MISSION_KINDS = ["ACCES_SOINS", "PARCOURS", "PREVENTION", "CRISE", "QUALITE", "ACCOMPAGNEMENT"] as const;
const STAGES = ["DYNAMIQUE_IDENTIFIEE", "LETTRE_INTENTION_VALIDEE", "ASSOCIATION_CREEE", "PROJET_SANTE_VALIDE"] as const;

const ascii = (s: string) => s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, "-");

/** Population by size class: T1 35 %, T2 35 %, T3 20 %, T4 10 % of the CPTS (DOMAIN §2 bounds). */
function population(rnd: () => number): number {
  const r = rnd();
  if (r < 0.35) return Math.round(12_000 + rnd() * 27_000);
  if (r < 0.7) return Math.round(40_000 + rnd() * 39_999);
  if (r < 0.9) return Math.round(80_000 + rnd() * 94_999);
  return Math.round(175_001 + rnd() * 225_000);
}

/** Splits `total` proportionally to `weights` (largest remainder, at least `min` each). */
function apportion(total: number, weights: number[], min: number): number[] {
  const free = total - min * weights.length;
  const sum = weights.reduce((s, w) => s + w, 0);
  const exact = weights.map((w) => (free * w) / sum);
  const out = exact.map((e) => min + Math.floor(e));
  let left = total - out.reduce((s, n) => s + n, 0);
  const order = exact.map((e, i) => [e - Math.floor(e), i] as const).sort((a, b) => b[0] - a[0]);
  for (const [, i] of order) {
    if (left-- <= 0) break;
    out[i]!++;
  }
  return out;
}

/** Deterministic ids (the same on every run); cuid-like so that they look like the app's. */
function idMaker(prefix: string) {
  let n = 0;
  return () => `${prefix}${(n++).toString(36).padStart(9, "0")}`;
}

function chunks<T>(xs: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

const CREATED_AT = new Date().toISOString();

/** A Member row with every column the bench sets (multi-row INSERTs need the same keys on each row). */
function memberRow(m: { id: string; cptsId: string; email: string; joinedOn: string; communeInsee: string } & Partial<Record<"kind" | "category" | "firstName" | "lastName" | "organization" | "profession", string | null>> & Partial<Record<"prefDuesReminders" | "prefNewsletter" | "emailInvalid", boolean>>): Row {
  return {
    id: m.id, cptsId: m.cptsId, kind: m.kind ?? "PHYSIQUE", category: m.category ?? "PROFESSIONNEL", status: "ACTIF",
    firstName: m.firstName ?? null, lastName: m.lastName ?? null, organization: m.organization ?? null, profession: m.profession ?? null,
    communeInsee: m.communeInsee, email: m.email, joinedOn: m.joinedOn,
    prefDuesReminders: m.prefDuesReminders ?? true, prefNewsletter: m.prefNewsletter ?? true, emailInvalid: m.emailInvalid ?? false,
    // secret-sized (coordo renews shorter tokens at start), deterministic like the ids
    unsubscribeToken: createHash("sha256").update(`u${m.id}`).digest("base64url"), createdAt: CREATED_AT, updatedAt: CREATED_AT,
  };
}

const TX = { timeout: 600_000, maxWait: 60_000 };

type Row = Record<string, string | number | boolean | null>;

/**
 * Multi-row INSERT for the big tables. Prisma 6.19's createMany costs ~0.6 ms per Member row in
 * the client engine (measured: 10 000 members in 6 s); one statement per batch of rows through the
 * same transaction does it in 1 s. Every row of a call has the same keys.
 */
export async function insertRows(tx: Tx, engine: Engine, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const perStatement = Math.max(1, Math.min(2000, Math.floor(30_000 / cols.length)));
  const head = `INSERT INTO "${table}" (${cols.map((c) => `"${c}"`).join(", ")}) VALUES `;
  for (let i = 0; i < rows.length; i += perStatement) {
    const batch = rows.slice(i, i + perStatement);
    let n = 0;
    const values = batch.map(() => `(${cols.map(() => (engine === "postgres" ? `$${++n}` : "?")).join(", ")})`).join(", ");
    const args = batch.flatMap((r) => cols.map((c) => {
      const v = r[c] ?? null;
      return typeof v === "boolean" && engine === "sqlite" ? (v ? 1 : 0) : v;
    }));
    await tx.$executeRawUnsafe(head + values, ...args);
  }
}

export async function buildDataset(db: Db, engine: Engine, opts: DatasetOptions): Promise<{ summary: DatasetSummary; cpts: BenchCpts[] }> {
  const t0 = performance.now();
  const rnd = prng(opts.seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const today = opts.today;
  const year = yearOf(today);
  const firstYear = year - opts.years + 1;
  const dueStep = latestDueStep({ offsetsDays: [15, 45, 90] }, today);
  // Early January no step is due yet: the bench still needs reminders to send, so its policy starts at day 0.
  const offsetsDays = dueStep === 0 ? "0,45,90" : "15,45,90";
  const step = dueStep === 0 ? 1 : dueStep;
  const passwordHash = await hashPassword(BENCH_ADMIN_PASSWORD);

  const pops = Array.from({ length: opts.cpts }, () => population(rnd));
  const memberCounts = apportion(opts.members - opts.cpts, pops, 15); // + 1 coordinator each
  const mix = distributeByShare(1000);
  const professionPool = mix.flatMap(({ key, count }) => Array<string>(count).fill(key));

  const cptsId = idMaker("bcpts");
  const memberId = idMaker("bmem");
  const genericId = idMaker("brow");
  let insee = 0;
  const summary: DatasetSummary = { engine, cpts: 0, members: 0, payments: 0, contracts: 0, missions: 0, communes: 0, ledger: 0, unpaidCurrentYear: 0, buildSeconds: 0 };
  const out: BenchCpts[] = [];

  // One transaction per group of CPTS: big enough to amortise commits, small enough for PostgreSQL's memory.
  const groups = chunks(pops.map((p, i) => i), 40);
  for (const group of groups) {
    const rows = {
      cpts: [] as object[], communes: [] as object[], members: [] as Row[], roles: [] as Row[], rates: [] as object[],
      payments: [] as Row[], policies: [] as object[], ledger: [] as Row[], contracts: [] as object[], missions: [] as object[],
      amendments: [] as object[], plans: [] as object[], workspaces: [] as object[], identities: [] as object[], admins: [] as object[],
    };
    for (const i of group) {
      const id = cptsId();
      const pop = pops[i]!;
      const place = `${pick(PLACES)} ${pick(RIVERS)}`;
      const slug = `${ascii(place)}-${i + 1}`;
      const dept = String(1 + (i % 95)).padStart(2, "0");
      const signed = rnd() < 0.72;
      const stage = signed ? "ACI_SIGNE" : pick(STAGES);
      rows.cpts.push({
        id, slug, name: `CPTS ${place} (${i + 1})`, population: pop, stage, departments: dept,
        contactEmail: `coordination@${slug}.cpts-bench.fr`, paymentLink: `https://www.helloasso.com/associations/${slug}/adhesions/cotisation`,
        newsletterCadence: pick(["MENSUELLE", "TRIMESTRIELLE", "SEMESTRIELLE"]), alertChannelId: "alertes",
      });
      const communeCount = 3 + Math.floor(rnd() * 12);
      for (let c = 0; c < communeCount; c++) {
        insee++;
        rows.communes.push({ id: genericId(), cptsId: id, inseeCode: String(1000 + insee).padStart(5, "0"), name: `Commune ${insee}`, postalCode: `${dept}${String(insee % 1000).padStart(3, "0")}`, population: Math.round(pop / communeCount) });
      }
      const communes = rows.communes.slice(-communeCount).map((c) => (c as { inseeCode: string }).inseeCode);
      for (let y = firstYear; y <= year; y++) {
        rows.rates.push({ id: genericId(), cptsId: id, year: y, category: "PROFESSIONNEL", amountCents: 2000 + 500 * Math.floor(rnd() * 4) });
        rows.rates.push({ id: genericId(), cptsId: id, year: y, category: "STRUCTURE", amountCents: 10000 });
        rows.rates.push({ id: genericId(), cptsId: id, year: y, category: "PARTENAIRE", amountCents: 0 });
      }
      rows.policies.push({ id: genericId(), cptsId: id, offsetsDays, maxCount: 3 });

      const coordinatorId = memberId();
      rows.members.push(memberRow({ id: coordinatorId, cptsId: id, firstName: pick(FIRST), lastName: pick(LAST), email: `coordination@${slug}.cpts-bench.fr`, communeInsee: communes[0]!, joinedOn: addMonths(today, -60) }));
      rows.roles.push({ id: genericId(), memberId: coordinatorId, role: "COORDONNATEUR", office: null });
      rows.admins.push({ id: genericId(), cptsId: id, email: `coordination@${slug}.cpts-bench.fr`, passwordHash, role: "COORDONNATEUR", memberId: coordinatorId });
      const consoleId = genericId();
      const slackId = genericId();
      const consoleWorkspace = `console-${slug}`;
      const slackTeam = `TB${String(i + 1).padStart(6, "0")}`;
      rows.workspaces.push({ id: consoleId, platform: "CONSOLE", externalId: consoleWorkspace, name: `Console ${slug}`, cptsId: id, alertChannelId: "alertes" });
      rows.workspaces.push({ id: slackId, platform: "SLACK", externalId: slackTeam, name: `Slack ${slug}`, cptsId: id, alertChannelId: "CALERTES" });
      for (const workspaceId of [consoleId, slackId]) rows.identities.push({ id: genericId(), workspaceId, userId: COORDINATOR_USER, displayName: "Coordination", memberId: coordinatorId });

      const count = memberCounts[i]!;
      let boardLeft = 6;
      let adherentLinked = false;
      for (let k = 0; k < count; k++) {
        const mid = memberId();
        const structure = rnd() < 0.03;
        const first = pick(FIRST);
        const last = pick(LAST);
        const joinedOn = rnd() < 0.6 ? addDays(startOfYear(firstYear), -Math.floor(rnd() * 700)) : addDays(startOfYear(firstYear), Math.floor(rnd() * daysBetween(startOfYear(firstYear), today)));
        rows.members.push(memberRow({
          id: mid, cptsId: id, kind: structure ? "MORALE" : "PHYSIQUE", category: structure ? "STRUCTURE" : "PROFESSIONNEL",
          firstName: structure ? null : first, lastName: structure ? null : last, organization: structure ? `Structure ${last} ${k}` : null,
          profession: structure ? null : pick(professionPool), communeInsee: pick(communes),
          email: structure ? `structure.${k}@${slug}.bench-sante.fr` : `${ascii(first)}.${ascii(last)}.${k}@${slug}.bench-sante.fr`,
          joinedOn, prefDuesReminders: rnd() > 0.02, prefNewsletter: rnd() > 0.05, emailInvalid: rnd() < 0.005,
        }));
        rows.roles.push({ id: genericId(), memberId: mid, role: "ADHERENT", office: null });
        if (!adherentLinked && !structure) {
          adherentLinked = true;
          for (const workspaceId of [consoleId, slackId]) rows.identities.push({ id: genericId(), workspaceId, userId: ADHERENT_USER, displayName: first, memberId: mid });
        }
        if (boardLeft > 0 && !structure) {
          boardLeft--;
          rows.roles.push({ id: genericId(), memberId: mid, role: "CA", office: null });
          if (boardLeft < 3) rows.roles.push({ id: genericId(), memberId: mid, role: "BUREAU", office: (["PRESIDENT", "TRESORIER", "SECRETAIRE"] as const)[boardLeft]! });
        }
        // Dues: older years mostly paid, the current year about 62 % paid so far.
        let paidCurrent = false;
        for (let y = Math.max(firstYear, yearOf(joinedOn)); y <= year; y++) {
          const current = y === year;
          if (rnd() >= (current ? 0.62 : 0.86)) continue;
          const start = startOfYear(y);
          const span = current ? Math.max(1, daysBetween(start, today)) : 300;
          const paidOn = addDays(start, Math.floor(rnd() * span));
          if (paidOn > today) continue;
          if (current) paidCurrent = true;
          const source = pick(["HELLOASSO", "HELLOASSO", "MANUEL", "CSV"] as const);
          rows.payments.push({
            id: genericId(), cptsId: id, memberId: mid, year: y, amountCents: structure ? 10000 : 3000, paidOn, source,
            method: source === "HELLOASSO" ? "CARTE" : pick(["VIREMENT", "CHEQUE"] as const), externalId: `bench-${mid}-${y}`,
          });
        }
        if (!paidCurrent && joinedOn <= today) {
          summary.unpaidCurrentYear++;
          // Half of them already had the earlier steps of this year.
          if (rnd() < 0.5) for (let s = 1; s < step; s++) rows.ledger.push({ id: genericId(), cptsId: id, memberId: mid, year, step: s, trigger: "job" });
        }
      }

      if (signed) {
        const contractId = genericId();
        const signedOn = addDays(today, -30 - Math.floor(rnd() * 365 * 4.8));
        const size = pop < 40_000 ? 1 : pop < 80_000 ? 2 : pop <= 175_000 ? 3 : 4;
        rows.contracts.push({ id: contractId, cptsId: id, signedOn, sizeAtSigning: size });
        const age = daysBetween(signedOn, today);
        for (const kind of MISSION_KINDS) {
          const optional = kind === "QUALITE" || kind === "ACCOMPAGNEMENT";
          const contracted = !optional || rnd() < 0.4;
          // Mostly on time, sometimes late, sometimes not started yet.
          const startAfter = Math.floor(rnd() * (optional ? 400 : 420));
          const deployAfter = startAfter + 120 + Math.floor(rnd() * 500);
          rows.missions.push({
            id: genericId(), contractId, kind, contracted,
            startOn: contracted && startAfter < age ? addDays(signedOn, startAfter) : null,
            deployedOn: contracted && deployAfter < age ? addDays(signedOn, deployAfter) : null,
            startDueOn: optional && contracted ? addMonths(signedOn, 12) : null,
            deployDueOn: optional && contracted ? addMonths(signedOn, 30) : null,
          });
        }
        if (rnd() < 0.1) rows.amendments.push({ id: genericId(), contractId, effectiveOn: addMonths(signedOn, 24), population: Math.round(pop * 1.2), size: Math.min(4, size + 1), description: "Extension du territoire" });
        // Crisis plan: adopted at 12-18 months, then refreshed yearly (sometimes late).
        let v = 0;
        for (let at = addMonths(signedOn, 12 + Math.floor(rnd() * 6)); at <= today; at = addMonths(at, 12 + Math.floor(rnd() * 3))) {
          rows.plans.push({ id: genericId(), cptsId: id, version: ++v, adoptedOn: at });
        }
      }
      out.push({ id, slug, population: pop, members: count + 1, coordinatorId, consoleWorkspace, slackTeam });
    }

    await db.$transaction(async (tx) => {
      await tx.cpts.createMany({ data: rows.cpts as never });
      await tx.commune.createMany({ data: rows.communes as never });
      await tx.duesRate.createMany({ data: rows.rates as never });
      await tx.reminderPolicy.createMany({ data: rows.policies as never });
      await insertRows(tx, engine, "Member", rows.members);
      await insertRows(tx, engine, "MemberRole", rows.roles);
      await tx.adminUser.createMany({ data: rows.admins as never });
      await tx.chatWorkspace.createMany({ data: rows.workspaces as never });
      await tx.chatIdentity.createMany({ data: rows.identities as never });
      await insertRows(tx, engine, "DuesPayment", rows.payments);
      await insertRows(tx, engine, "ReminderLedger", rows.ledger);
      if (rows.contracts.length) await tx.aciContract.createMany({ data: rows.contracts as never });
      if (rows.missions.length) await tx.aciMission.createMany({ data: rows.missions as never });
      if (rows.amendments.length) await tx.aciAmendment.createMany({ data: rows.amendments as never });
      if (rows.plans.length) await tx.crisisPlanVersion.createMany({ data: rows.plans as never });
    }, TX);
    summary.cpts += rows.cpts.length;
    summary.members += rows.members.length;
    summary.payments += rows.payments.length;
    summary.contracts += rows.contracts.length;
    summary.missions += rows.missions.length;
    summary.communes += rows.communes.length;
    summary.ledger += rows.ledger.length;
  }
  summary.buildSeconds = +((performance.now() - t0) / 1000).toFixed(2);
  return { summary, cpts: out };
}

/** A fresh database for the bench: DATABASE_URL when it names PostgreSQL, else a temporary SQLite file. */
export async function benchDatabaseUrl(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const url = env.DATABASE_URL;
  if (url && engineOf(url) === "postgres") return url;
  return `file:${join(mkdtempSync(join(tmpdir(), "coordo-bench-")), "bench.db")}`;
}

/** Migrates `url` then builds the data set into it (the database must be empty). */
export async function createDataset(url: string, opts: DatasetOptions): Promise<{ summary: DatasetSummary; cpts: BenchCpts[] }> {
  await migrate(url);
  const db = createDb(url);
  try {
    const existing = await db.cpts.count();
    if (existing > 0) throw new Error(`La base ${engineOf(url)} contient déjà ${existing} CPTS : le banc d'essai a besoin d'une base vide.`);
    return await buildDataset(db, engineOf(url), opts);
  } finally {
    await db.$disconnect();
  }
}

export function benchToday(): string {
  return parisToday(new Date());
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes("--quick");
  const urlArg = process.argv.indexOf("--url");
  const url = urlArg > 0 ? process.argv[urlArg + 1]! : await benchDatabaseUrl();
  const { summary } = await createDataset(url, { ...(quick ? QUICK : FULL), today: benchToday() });
  console.log(`Jeu de données ${quick ? "réduit" : "national"} construit en ${summary.buildSeconds} s (${url.startsWith("file:") ? url : "PostgreSQL"})`);
  console.log(JSON.stringify(summary));
}

