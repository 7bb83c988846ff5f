// Member imports from the files treasurers really have: a CSV saved by Excel (Windows-1252), an XLSX
// workbook, HelloAsso's export with its « Champ additionnel : … » columns. The preview says what the
// import does, the import does exactly that, and nothing reaches a user in English.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import iconv from "iconv-lite";
import ExcelJS from "exceljs";
import JSZip from "jszip";
import { adminTestEnv, type AdminTestEnv } from "./admin-setup.ts";
import { analyzeImport, importValidRows } from "../../src/app/services/member-import.ts";
import { confirmImport, createImport, getImport, importReport, setMapping, settled } from "../../src/app/services/member-import-jobs.ts";
import { detectEncoding } from "../../src/app/services/import-file.ts";

let env: AdminTestEnv;
let commune: { inseeCode: string; name: string };
beforeAll(async () => {
  env = await adminTestEnv();
  commune = await env.t.db.commune.findFirstOrThrow({ where: { cptsId: env.cptsId }, orderBy: { inseeCode: "asc" } });
  await env.t.db.member.create({ data: { cptsId: env.cptsId, firstName: "Inès", lastName: "Lefèvre", email: "ines.lefevre@exemple-sante.fr", profession: "infirmier", category: "PROFESSIONNEL" } });
});
afterAll(async () => env?.t.cleanup());

const ENGLISH = /\b(undefined|NaN|null|Invalid|Expected|Error|unexpected|failed|Cannot|zip|central directory|end of)\b/i;

/** HelloAsso's export columns (a real export has these, in this order, and more). */
const HELLOASSO_HEADER = ["Numéro", "Formule", "Montant (€)", "Statut", "Nom", "Prénom", "Date", "Email", "Moyen de paiement", "Attestation", "Champ additionnel : Profession", "Champ additionnel : Commune d'exercice", "Champ additionnel : Numéro RPPS", "Champ additionnel : Téléphone", "Adresse", "Code Postal", "Ville"];

describe(`import d'adhérents : fichiers réels (${process.env.TEST_PG_ADMIN_URL ? "PostgreSQL" : "SQLite"})`, () => {
  it("lit un CSV Windows-1252 d'Excel : accents justes, « Validé » reconnu, encodage affiché, prénom existant jamais abîmé", async () => {
    const text = [
      HELLOASSO_HEADER.join(";"),
      `9001;Adhésion professionnel de santé;30,00;Validé;Lefèvre;Inès;01/03/2026;ines.lefevre@exemple-sante.fr;Carte bancaire;;Infirmière;${commune.name};10101010101;06 12 34 56 78;1 rue de la Paix;59000;Lille`,
      `9002;Adhésion professionnel de santé;30,00;Validé;Bénard;Zoé;02/03/2026;zoe.benard@exemple-sante.fr;Carte bancaire;;Sage-femme;${commune.name};;0612345679;;;`,
    ].join("\r\n");
    const file = iconv.encode(text, "windows-1252");
    expect(file.includes(Buffer.from("è", "utf8"))).toBe(false); // really single-byte
    const p = await analyzeImport(env.ctx, env.cptsId, file);
    expect(p.encoding).toBe("windows-1252");
    expect(p.format).toBe("helloasso");
    expect(p.rows[0]).toMatchObject({ email: "ines.lefevre@exemple-sante.fr", lastName: "Lefèvre", firstName: "Inès", amountCents: 3000, paidOn: "2026-03-01", payment: "nouveau", errors: [] });
    expect(p.rows[1]).toMatchObject({ lastName: "Bénard", firstName: "Zoé", action: "creation", profession: "sage_femme", communeInsee: commune.inseeCode, category: "PROFESSIONNEL" });
    expect(p.counts).toMatchObject({ creations: 1, payments: 2, invalid: 0 });
    const r = await importValidRows(env.ctx, env.cptsId, file, "auto", "admin:test");
    expect(r).toMatchObject({ created: 1, payments: 2, failed: [] });
    expect(r.updated).toBe(p.counts.updates);
    const ines = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: "ines.lefevre@exemple-sante.fr" } });
    expect(ines).toMatchObject({ firstName: "Inès", lastName: "Lefèvre", rpps: "10101010101", phone: "0612345678" });
  });

  it("détecte UTF-8 avec ou sans BOM et ISO-8859-15 (€, œ)", () => {
    expect(detectEncoding(Buffer.from("\uFEFFnom;email\nLefèvre;a@b.fr", "utf8"))).toBe("utf-8-bom");
    expect(detectEncoding(Buffer.from("nom;email\nLefèvre;a@b.fr", "utf8"))).toBe("utf-8");
    expect(detectEncoding(iconv.encode("nom;email;note\nLefèvre;a@b.fr;cœur 30 €", "iso-8859-15"))).toBe("iso-8859-15");
    expect(detectEncoding(iconv.encode("nom;email;note\nLefèvre;a@b.fr;l’été 30 €", "windows-1252"))).toBe("windows-1252");
  });

  it("un nom illisible (mauvais encodage en amont) n'écrase jamais celui d'un adhérent, et bloque une création", async () => {
    const text = "nom;prenom;email\nLefÃ¨vre;InÃ¨s;ines.lefevre@exemple-sante.fr\nDup\uFFFDnt;Jean;jean.nouveau@exemple-sante.fr\n";
    const p = await analyzeImport(env.ctx, env.cptsId, Buffer.from(text, "utf8"));
    expect(p.rows[0]!.errors).toEqual([]);
    expect(p.rows[0]!.warnings.join()).toContain("prénom illisible");
    expect(p.rows[0]!.action).toBe("inchange");
    expect(p.rows[1]!.errors.join()).toContain("nom illisible");
    const r = await importValidRows(env.ctx, env.cptsId, Buffer.from(text, "utf8"), "auto", "admin:test");
    expect(r).toMatchObject({ created: 0, updated: 0, unchanged: 1, skippedInvalid: 1 });
    const ines = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: "ines.lefevre@exemple-sante.fr" } });
    expect([ines.firstName, ines.lastName]).toEqual(["Inès", "Lefèvre"]);
  });

  it("lit un classeur XLSX écrit par exceljs : dates, montants et téléphones numériques, liens", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Adhérents");
    ws.addRow(["Nom", "Prénom", "Email", "Profession", "Commune INSEE", "Téléphone", "Montant", "Date paiement", "Référence"]);
    ws.addRow(["Écrivain", "Hélène", { text: "helene.xlsx@exemple-sante.fr", hyperlink: "mailto:helene.xlsx@exemple-sante.fr" }, "Pharmacien·ne", commune.inseeCode, 612345670, 30, new Date(Date.UTC(2026, 2, 5)), "XL-1"]);
    ws.addRow(["Tableur", "Tom", "tom.xlsx@exemple-sante.fr", "Orthophoniste", commune.inseeCode, "06 00 00 00 01", 45.5, "05/03/2026", "XL-2"]);
    const file = new Uint8Array(await wb.xlsx.writeBuffer());
    const p = await analyzeImport(env.ctx, env.cptsId, file);
    expect(p.source).toBe("xlsx");
    expect(p.encoding).toBeUndefined();
    expect(p.rows[0]).toMatchObject({ email: "helene.xlsx@exemple-sante.fr", lastName: "Écrivain", firstName: "Hélène", profession: "pharmacien", phone: "0612345670", amountCents: 3000, paidOn: "2026-03-05", errors: [] });
    expect(p.rows[1]).toMatchObject({ amountCents: 4550, paidOn: "2026-03-05", errors: [] });
    expect(p.rows[1]!.warnings).toEqual([]);
    const r = await importValidRows(env.ctx, env.cptsId, file, "auto", "admin:test");
    expect(r).toMatchObject({ created: 2, payments: 2, failed: [] });
    // written in bulk, read back like the payment service's own writes (role, consent, audited payment)
    const helene = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: "helene.xlsx@exemple-sante.fr" }, include: { roles: true, consents: true, payments: true } });
    expect([helene.kind, helene.category, helene.status, helene.prefNewsletter, helene.joinedOn]).toEqual(["PHYSIQUE", "PROFESSIONNEL", "ACTIF", true, "2026-03-05"]);
    expect(helene.roles.map((x) => [x.role, x.since])).toEqual([["ADHERENT", "2026-03-05"]]);
    expect(helene.consents.map((x) => [x.purpose, x.textVersion, x.channel, x.given])).toEqual([["adhesion", "import-csv", "import", true]]);
    expect(helene.payments.map((x) => [x.year, x.amountCents, x.source, x.externalId, x.createdAt instanceof Date])).toEqual([[2026, 3000, "CSV", "XL-1", true]]);
    const audit = await env.t.db.auditLog.findFirstOrThrow({ where: { action: "cotisation.enregistree", target: helene.id } });
    expect(audit.details).toMatchObject({ paymentId: helene.payments[0]!.id, source: "CSV", amountCents: 3000, year: 2026 });
  });

  it("un classeur dont les parties sont rangées autrement dans l'archive (feuille avant workbook.xml et styles) se lit pareil", async () => {
    // exceljs writes the parts of a workbook as they are ready: their order in the zip varies with the machine's
    // load, and other tools write their own order. Here: the sheet first, then the rest (the order once seen in CI).
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("Adhérents");
    ws.addRow(["Nom", "Prénom", "Email", "Montant", "Date paiement"]);
    ws.addRow(["Ordre", "Zoé", "zoe.ordre@exemple-sante.fr", 30, new Date(Date.UTC(2026, 2, 5))]);
    const original = await JSZip.loadAsync(await wb.xlsx.writeBuffer());
    const names = Object.keys(original.files).filter((n) => !original.files[n]!.dir);
    const first = ["_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"].filter((n) => names.includes(n));
    const reordered = new JSZip();
    for (const n of [...first, ...names.filter((x) => !first.includes(x))]) reordered.file(n, await original.files[n]!.async("uint8array"));
    const file = new Uint8Array(await reordered.generateAsync({ type: "uint8array" }));
    const p = await analyzeImport(env.ctx, env.cptsId, file);
    expect(p.fileError).toBeUndefined();
    expect(p.source).toBe("xlsx");
    expect(p.rows[0]).toMatchObject({ email: "zoe.ordre@exemple-sante.fr", firstName: "Zoé", amountCents: 3000, paidOn: "2026-03-05", errors: [] });
  });

  it("export HelloAsso : champs additionnels et formule lus, doublon, hors territoire et remboursement expliqués, aperçu = résultat", async () => {
    const header = [...HELLOASSO_HEADER, "Champ additionnel : Lieu d'installation"];
    const line = (cells: string[]) => cells.join(";");
    const first = [
      line(["7001", "Adhésion structure", "100,00", "Validé", "", "", "10/03/2026", "ehpad.soleil@exemple-sante.fr", "Carte bancaire", "", "", commune.name, "", "", "", "", "", ""]),
      line(["7002", "Adhésion professionnel de santé", "30,00", "Validé", "Kiné", "Karim", "11/03/2026", "karim.kine@exemple-sante.fr", "Carte bancaire", "", "Masseur-kinésithérapeute", "Paris", "12345678901", "0700000000", "", "", "", ""]),
      line(["7003", "Adhésion professionnel de santé", "30,00", "Validé", "Ortho", "Olga", "12/03/2026", "olga.ortho@exemple-sante.fr", "Carte bancaire", "", "Orthophoniste", "", "", "", "", "", "", commune.name]),
    ];
    // the structure needs a name: HelloAsso puts it in « Nom » for an organisation's order
    first[0] = first[0]!.replace(";Validé;;;", ";Validé;EHPAD Soleil;;");
    const text1 = [line(header), ...first].join("\n");
    const r1 = await importValidRows(env.ctx, env.cptsId, Buffer.from(text1), "auto", "admin:test");
    expect(r1).toMatchObject({ created: 3, payments: 3, failed: [] });

    const text2 = [
      line(header),
      ...first,
      first[1]!, // the same order twice
      line(["7002", "Adhésion professionnel de santé", "30,00", "Remboursé", "Kiné", "Karim", "11/03/2026", "karim.kine@exemple-sante.fr", "Carte bancaire", "", "", "", "", "", "", "", "", ""]),
      line(["7004", "Adhésion professionnel de santé", "30,00", "Refusé", "Refus", "Roger", "13/03/2026", "roger.refus@exemple-sante.fr", "Carte bancaire", "", "", "", "", "", "", "", "", ""]),
      line(["7005", "Adhésion professionnel de santé", "30,00", "Validé", "", "", "14/03/2026", "olga.ortho@exemple-sante.fr", "Carte bancaire", "", "", commune.name, "", "", "", "", "", ""]),
    ].join("\n");
    const p = await analyzeImport(env.ctx, env.cptsId, Buffer.from(text2));
    const byLine = (n: number) => p.rows.find((r) => r.line === n)!;
    expect(byLine(2)).toMatchObject({ action: "inchange", payment: "deja_enregistre" });
    expect(byLine(5)).toMatchObject({ action: "ignoree", duplicateOf: 3 });
    expect(byLine(6)).toMatchObject({ payment: "remboursement" });
    expect(byLine(6).note).toContain("remboursée");
    expect(byLine(7)).toMatchObject({ action: "ignoree" });
    expect(byLine(7).note).toContain("Refusé");
    expect(byLine(8)).toMatchObject({ action: "mise_a_jour", changes: ["commune"], payment: "nouveau" });
    expect(byLine(8).warnings).toEqual([]);
    expect(p.counts).toMatchObject({ creations: 0, updates: 1, duplicates: 1, refunds: 1, payments: 1, alreadyRecorded: 3, ignored: 2 });
    const r2 = await importValidRows(env.ctx, env.cptsId, Buffer.from(text2), "auto", "admin:test");
    expect({ created: r2.created, updated: r2.updated, payments: r2.payments, refunds: r2.refunds, already: r2.alreadyRecorded.length, ignored: r2.ignored }).toEqual({
      created: p.counts.creations, updated: p.counts.updates, payments: p.counts.payments, refunds: p.counts.refunds, already: p.counts.alreadyRecorded, ignored: p.counts.ignored,
    });

    const members = await env.t.db.member.findMany({ where: { cptsId: env.cptsId, email: { in: ["ehpad.soleil@exemple-sante.fr", "karim.kine@exemple-sante.fr", "olga.ortho@exemple-sante.fr", "roger.refus@exemple-sante.fr"] } }, orderBy: { email: "asc" } });
    expect(members.map((m) => [m.email, m.kind, m.category, m.profession, m.communeInsee, m.rpps, m.phone])).toEqual([
      ["ehpad.soleil@exemple-sante.fr", "MORALE", "STRUCTURE", null, commune.inseeCode, null, null],
      ["karim.kine@exemple-sante.fr", "PHYSIQUE", "PROFESSIONNEL", "masseur_kinesitherapeute", null, "12345678901", "0700000000"],
      ["olga.ortho@exemple-sante.fr", "PHYSIQUE", "PROFESSIONNEL", "orthophoniste", commune.inseeCode, null, null],
    ]);
    const karimPay = await env.t.db.duesPayment.findFirstOrThrow({ where: { cptsId: env.cptsId, externalId: "helloasso-commande:7002" } });
    expect(karimPay.refundedOn).toBe(env.ctx.clock.today());
  });

  it("commune hors territoire signalée ; colonne inconnue proposée à l'étape de correspondance, puis lue", async () => {
    const header = [...HELLOASSO_HEADER, "Champ additionnel : Lieu d'installation"];
    const text = [header.join(";"), ["7101", "Adhésion professionnel de santé", "30,00", "Validé", "Map", "Marie", "10/03/2026", "marie.map@exemple-sante.fr", "Carte", "", "Orthophoniste", "Paris", "", "", "", "", "", commune.name].join(";")].join("\n");
    const id = await createImport(env.ctx, { cptsId: env.cptsId, actor: "admin:test", fileName: "export.csv", content: Buffer.from(text), format: "auto" });
    await settled(id);
    let v = (await getImport(env.ctx, env.cptsId, id))!;
    expect(v.state).toBe("APERCU");
    const unknown = v.preview!.columns.filter((c) => c.unknown);
    expect(unknown.map((c) => c.header)).toEqual(["Champ additionnel : Lieu d'installation"]);
    expect(unknown[0]!.samples).toEqual([commune.name]);
    expect(v.preview!.counts.outsideTerritory).toBe(1);
    expect(v.preview!.notable[0]!.messages.join()).toContain("« Paris » hors du territoire");
    // the coordinator says the unknown column is the practice's commune (and the other one is to ignore)
    const communeCol = v.preview!.columns.find((c) => c.field === "communeInsee")!.index;
    await setMapping(env.ctx, env.cptsId, id, { [unknown[0]!.index]: "communeInsee", [communeCol]: "ignorer" });
    await settled(id);
    v = (await getImport(env.ctx, env.cptsId, id))!;
    expect(v.state).toBe("APERCU");
    expect(v.preview!.counts).toMatchObject({ outsideTerritory: 0, creations: 1 });
    await confirmImport(env.ctx, env.cptsId, id, "admin:test");
    await settled(id);
    v = (await getImport(env.ctx, env.cptsId, id))!;
    expect(v.state).toBe("TERMINE");
    expect(v.result).toMatchObject({ created: 1, payments: 1, failed: [] });
    const marie = await env.t.db.member.findFirstOrThrow({ where: { cptsId: env.cptsId, email: "marie.map@exemple-sante.fr" } });
    expect(marie.communeInsee).toBe(commune.inseeCode);
    // the kept file is dropped once imported
    expect(await env.t.db.memberImportFile.count({ where: { importId: id } })).toBe(0);
    // confirming again does nothing
    await confirmImport(env.ctx, env.cptsId, id, "admin:test");
    expect((await getImport(env.ctx, env.cptsId, id))!.state).toBe("TERMINE");
  });

  it("tâche de fond : aperçu, import, rapport d'erreurs CSV téléchargeable ; un autre CPTS ne voit rien", async () => {
    const lines = ["nom;prenom;email;montant;date_paiement"];
    for (let i = 0; i < 450; i++) lines.push(`Lot${i};Léa;lot${i}@exemple-sante.fr;30;0${(i % 9) + 1}/03/2026`);
    lines.push("Fautive;Fanny;pas-une-adresse;30;01/03/2026");
    lines.push("Fred;=HYPERLIEN(\"x\");fred@exemple-sante.fr;trente;01/03/2026");
    const content = iconv.encode(lines.join("\r\n"), "windows-1252");
    const id = await createImport(env.ctx, { cptsId: env.cptsId, actor: "admin:test", fileName: "gros.csv", content, format: "auto" });
    await settled(id);
    const v = (await getImport(env.ctx, env.cptsId, id))!;
    expect(v.preview).toMatchObject({ encoding: "windows-1252", counts: { valid: 450, invalid: 2, creations: 450, payments: 450 } });
    await confirmImport(env.ctx, env.cptsId, id, "admin:test");
    await settled(id);
    const done = (await getImport(env.ctx, env.cptsId, id))!;
    expect(done).toMatchObject({ state: "TERMINE", total: 450, done: 450, result: { created: 450, payments: 450, skippedInvalid: 2 } });
    const report = (await importReport(env.ctx, env.cptsId, id))!;
    expect(report.startsWith("\uFEFFligne;email;nom;résultat;détail")).toBe(true);
    expect(report).toContain("e-mail invalide");
    expect(report).toContain("'=HYPERLIEN"); // never a formula in Excel
    const other = await env.t.db.cpts.create({ data: { slug: "autre-import", name: "Autre CPTS", population: 10_000 } });
    expect(await getImport(env.ctx, other.id, id)).toBeNull();
    expect(await importReport(env.ctx, other.id, id)).toBeNull();
  });

  it("deux commandes HelloAsso du même montant le même jour pour la même personne : comptées, mais signalées", async () => {
    const text = [HELLOASSO_HEADER.slice(0, 9).join(";"), "7201;Adhésion professionnel de santé;30,00;Validé;Double;Denis;15/03/2026;denis.double@exemple-sante.fr;Carte", "7202;Adhésion professionnel de santé;30,00;Validé;Double;Denis;15/03/2026;denis.double@exemple-sante.fr;Carte"].join("\n");
    const p = await analyzeImport(env.ctx, env.cptsId, Buffer.from(text));
    expect(p.counts).toMatchObject({ creations: 1, unchanged: 1, payments: 2, duplicates: 0 });
    expect(p.rows[1]!.warnings.join()).toContain("même montant le même jour que la ligne 2");
  });

  it("un aperçu jamais confirmé perd son fichier au bout de 7 jours", async () => {
    const old = await createImport(env.ctx, { cptsId: env.cptsId, actor: "admin:test", fileName: "oublie.csv", content: Buffer.from("nom;email\nOubli;oubli@exemple-sante.fr"), format: "auto" });
    await settled(old);
    await env.t.db.memberImport.update({ where: { id: old }, data: { createdAt: new Date(env.ctx.clock.now().getTime() - 8 * 24 * 3600_000) } });
    await settled(await createImport(env.ctx, { cptsId: env.cptsId, actor: "admin:test", fileName: "neuf.csv", content: Buffer.from("nom;email\nNeuf;neuf@exemple-sante.fr"), format: "auto" }));
    const row = await env.t.db.memberImport.findUniqueOrThrow({ where: { id: old }, select: { state: true, file: { select: { importId: true } } } });
    expect([row.state, row.file]).toEqual(["ECHEC", null]);
    await expect(confirmImport(env.ctx, env.cptsId, old, "admin:test")).rejects.toThrow(/ne peut pas être lancé/);
  });

  it("une image, un ancien .xls, un classeur abîmé ou un CSV cassé : message en français, jamais celui de la bibliothèque", async () => {
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489", "hex");
    const xls = Buffer.concat([Buffer.from("d0cf11e0a1b11ae1", "hex"), Buffer.alloc(600)]);
    const brokenXlsx = Buffer.concat([Buffer.from("504b0304", "hex"), Buffer.from("ceci n'est pas un zip ".repeat(20))]);
    const brokenCsv = Buffer.from('nom;email\n"Dupont;dupont@exemple.fr\nDurand;"dur"and@exemple.fr\n');
    const messages: string[] = [];
    for (const file of [png, xls, brokenXlsx, brokenCsv, Buffer.alloc(0)]) {
      const p = await analyzeImport(env.ctx, env.cptsId, file);
      expect(p.fileError).toBeTruthy();
      messages.push(p.fileError!);
    }
    expect(messages[0]).toContain("image PNG");
    expect(messages[1]).toContain("Excel 97-2003");
    expect(messages[2]).toContain("classeur Excel est illisible");
    expect(messages[3]).toContain("pas un CSV lisible");
    for (const m of messages) expect(m).not.toMatch(ENGLISH);
  });
});
