// The members CSV import fed arbitrary files: the preview never throws and explains itself in French,
// and the import writes exactly the rows the preview called valid — each whole (member, then its
// payment) — and nothing of the others. Oversized inputs are refused or handled within bounded memory.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { fcParams } from "../helpers/fc-seed.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { silentLogger } from "../../src/log.ts";
import { importValidRows, previewImport } from "../../src/app/services/member-import.ts";

const NUM_RUNS = Number(process.env.FC_RUNS ?? 60);
const TODAY = "2026-03-20";

let t: TestDb;
let ctx: AppContext;
let n = 0;

beforeAll(async () => {
  t = await createTestDb();
  ctx = { config: loadConfig({ PUBLIC_URL: "https://coordo.exemple.fr" }), db: t.db, engine: t.engine, log: silentLogger, clock: fixedClock(TODAY) };
});

afterAll(async () => {
  await t?.cleanup();
});

/** A fresh CPTS per run, with two members already known (updates and duplicates are then possible). */
async function freshCpts() {
  const slug = `import-${n++}`;
  const cpts = await t.db.cpts.create({
    data: { slug, name: `CPTS ${slug}`, population: 20_000, communes: { create: [{ inseeCode: String(10000 + n).padStart(5, "0"), name: "Commune" }] } },
  });
  await t.db.member.createMany({
    data: [
      { cptsId: cpts.id, lastName: "Connue", email: "connue@exemple.fr" },
      { cptsId: cpts.id, lastName: "Deja", email: "deja@exemple.fr" },
    ],
  });
  return { id: cpts.id, insee: String(10000 + n).padStart(5, "0") };
}

const cell = (insee: string) =>
  fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom("", " ", '"', '""', ";", ",", "\n", "\r\n", "é", "Dupont", "Le Gall", "O'Neil", "=1+1", "<b>x</b>", "infirmier", "Infirmière", "kiné", "pharmacien", "astronaute",
      "30", "30,00", "30.5", "1.234,50", "-5", "abc", "0", "2026-03-01", "01/03/2026", "31/02/2026", "2027-01-01", "1/1/2026", "carte", "chèque", "virement", insee, "2A123", "99999", "REF-1", "Validé", "Refusé"),
  );

const email = fc.oneof(
  fc.constantFrom("connue@exemple.fr", "deja@exemple.fr", "DEJA@exemple.fr", "", "pas-un-email", "a@b", "x@y.fr", "x@y.fr"),
  fc.emailAddress(),
);

const HEADERS = [
  ["nom", "prenom", "email", "profession", "commune_insee", "montant", "date_paiement", "moyen", "reference"],
  ["Nom", "Prénom", "E-mail", "Métier", "Code INSEE", "Montant", "Date", "Moyen de paiement", "Référence"],
  ["Nom payeur", "Prénom payeur", "Email payeur", "Montant tarif", "Date de la commande", "Statut de la commande", "Numéro de commande"],
  ["nom", "courriel"],
  ["prenom", "nom"],
];

function quote(v: string, delimiter: string, style: number): string {
  if (style === 2) return v; // raw: may break the CSV on purpose
  if (style === 1 || v.includes(delimiter) || v.includes('"') || /[\r\n]/.test(v)) return `"${v.replace(/"/g, '""')}"`;
  return v;
}

function csvFile(insee: string) {
  return fc
    .record({
      header: fc.constantFrom(...HEADERS),
      delimiter: fc.constantFrom(",", ";"),
      bom: fc.boolean(),
      crlf: fc.boolean(),
      rows: fc.array(fc.tuple(email, fc.array(cell(insee), { minLength: 9, maxLength: 9 }), fc.nat(2)), { maxLength: 12 }),
    })
    .map(({ header, delimiter, bom, crlf, rows }) => {
      const emailCol = header.findIndex((h) => /mail|courriel/i.test(h));
      const lines = [header.join(delimiter)];
      for (const [mail, cells, style] of rows) {
        const values = header.map((_, i) => (i === emailCol ? mail : cells[i]!));
        lines.push(values.map((v) => quote(v, delimiter, style)).join(delimiter));
      }
      return (bom ? "\uFEFF" : "") + lines.join(crlf ? "\r\n" : "\n");
    });
}

const INSEE_TOKEN = "@INSEE@";

const ENGLISH = /\b(undefined|NaN|null|Invalid|Expected|TypeError|RangeError)\b/;

describe("import CSV des adhérents : fichiers arbitraires", () => {
  it("l'aperçu ne plante jamais, n'écrit rien et s'explique en français", async () => {
    const { id, insee } = await freshCpts();
    await fc.assert(
      fc.asyncProperty(csvFile(insee), async (text) => {
        const before = await t.db.member.count({ where: { cptsId: id } });
        const p = await previewImport(ctx, id, text, "auto");
        expect(await t.db.member.count({ where: { cptsId: id } })).toBe(before);
        if (p.fileError) {
          expect(p.fileError).toMatch(/^(Le fichier|Colonne)/);
          expect(p.rows).toEqual([]);
        }
        expect(p.valid + p.invalid + p.counts.ignored).toBe(p.rows.length);
        for (const row of p.rows) for (const e of row.errors) expect(e.replace(/«[^»]*»/g, "")).not.toMatch(ENGLISH);
      }),
      fcParams({ numRuns: NUM_RUNS }),
    );
  }, 120_000);

  it("l'import écrit exactement les lignes valides de l'aperçu, chacune entière, et rien des autres", async () => {
    let imported = 0;
    await fc.assert(
      fc.asyncProperty(csvFile(INSEE_TOKEN), async (file) => {
        const { id, insee } = await freshCpts();
        const text = file.split(INSEE_TOKEN).join(insee);
        const known = new Set((await t.db.member.findMany({ where: { cptsId: id }, select: { email: true } })).map((m) => m.email));
        const preview = await previewImport(ctx, id, text, "auto");
        const result = await importValidRows(ctx, id, text, "auto", "admin:test@exemple.fr");

        // rows without error that the preview marks « ignorée » (duplicate, payment not validated) write nothing
        const valid = preview.rows.filter((r) => r.errors.length === 0 && r.action !== "ignoree");
        const invalidOnly = new Set(preview.rows.filter((r) => r.errors.length > 0).map((r) => r.email).filter((e) => !valid.some((v) => v.email === e)));
        const members = await t.db.member.findMany({ where: { cptsId: id }, include: { payments: true } });
        const emails = new Set(members.map((m) => m.email));
        // every valid row's member exists; no member was created from an invalid row alone
        for (const row of valid) expect(emails.has(row.email), row.email).toBe(true);
        for (const e of invalidOnly) if (!known.has(e)) expect(emails.has(e), e).toBe(false);
        expect(result.created).toBe(members.length - known.size);
        expect(result.created).toBe(new Set(valid.filter((r) => !known.has(r.email)).map((r) => r.email)).size);
        expect(result.skippedInvalid).toBe(preview.invalid);
        expect({ created: result.created, updated: result.updated, payments: result.payments }).toEqual({ created: preview.counts.creations, updated: preview.counts.updates, payments: preview.counts.payments });
        // each payment of the file belongs to a valid row, on that row's member, with that row's amount
        const payments = members.flatMap((m) => m.payments.map((p) => ({ ...p, email: m.email })));
        expect(result.payments).toBe(payments.length);
        for (const p of payments) {
          expect(valid.some((r) => r.email === p.email && r.amountCents === p.amountCents && r.paidOn === p.paidOn), `${p.email} ${p.amountCents}`).toBe(true);
        }
        imported += result.created + result.updated;
      }),
      fcParams({ numRuns: NUM_RUNS }),
    );
    // the generator must reach the writing path, else this property proves nothing
    expect(imported).toBeGreaterThan(0);
  }, 120_000);
});

describe("entrées surdimensionnées", () => {
  it("un CSV de 10 Mo est traité en mémoire bornée, sans rien écrire à l'aperçu", async () => {
    const { id, insee } = await freshCpts();
    const line = (i: number) => `Nom${i},Prénom${i},adherent${i}@exemple-volumineux.fr,infirmier,${insee},30,01/03/2026,virement,REF-${i}`;
    const rows: string[] = ["nom,prenom,email,profession,commune_insee,montant,date_paiement,moyen,reference"];
    let size = rows[0]!.length;
    for (let i = 0; size < 10 * 1024 * 1024; i++) {
      const l = line(i);
      rows.push(l);
      size += l.length + 1;
    }
    const text = rows.join("\n");
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let peak = heapBefore;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed)), 5);
    const preview = await previewImport(ctx, id, text, "auto");
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    expect(preview.fileError).toBeUndefined();
    expect(preview.rows.length).toBe(rows.length - 1);
    expect(preview.valid).toBe(rows.length - 1);
    expect(await t.db.member.count({ where: { cptsId: id } })).toBe(2);
    // ~120 000 rows parsed and checked: the heap grows by a bounded multiple of the file, not without limit
    expect((peak - heapBefore) / 1024 / 1024).toBeLessThan(400);
  }, 120_000);

  it("une lettre d'information de plus de 100 ko est refusée en français, rien n'est écrit", async () => {
    const { createNewsletter } = await import("../../src/app/services/newsletters.ts");
    const { id } = await freshCpts();
    const body = "Bonjour à toutes et à tous. ".repeat(4_000); // ~112 kB
    await expect(createNewsletter(ctx, { cptsId: id, subject: "Lettre volumineuse", body, audience: "ADHERENTS" })).rejects.toThrow(/Lettre d'information invalide/);
    expect(await t.db.newsletter.count({ where: { cptsId: id } })).toBe(0);
    const justUnder = "Bonjour. ".repeat(11_000); // ~99 kB
    const created = await createNewsletter(ctx, { cptsId: id, subject: "Lettre longue", body: justUnder, audience: "ADHERENTS" });
    expect(created.id).toBeTruthy();
  });
});
