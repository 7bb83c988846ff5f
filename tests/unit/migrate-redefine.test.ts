// Prisma's SQLite « RedefineTables » migrations (CREATE new_X, copy, DROP X, rename) switch the foreign
// keys off with a PRAGMA, which SQLite ignores inside a transaction: run as they were, dropping the old
// table fired ON DELETE CASCADE / SET NULL on every referencing row (an 800-CPTS base lost all its roles
// and payments when 20261201221413_member_dues_summary redefined "Member").
import { describe, it, expect } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";
import { migrate, MigrationError, type Migration } from "../../src/db/migrate.ts";

const m = (name: string, sql: string): Migration => ({ name, sql, checksum: createHash("sha256").update(sql).digest("hex") });

const base = m(
  "001_base",
  `CREATE TABLE "Parent" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT);
   CREATE TABLE "Child" ("id" TEXT NOT NULL PRIMARY KEY, "parentId" TEXT NOT NULL, CONSTRAINT "Child_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Parent" ("id") ON DELETE CASCADE);
   CREATE TABLE "Link" ("id" TEXT NOT NULL PRIMARY KEY, "parentId" TEXT, CONSTRAINT "Link_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Parent" ("id") ON DELETE SET NULL);`,
);
// the shape prisma migrate diff writes for a new column on SQLite
const redefine = m(
  "002_redefine",
  `PRAGMA defer_foreign_keys=ON;
   PRAGMA foreign_keys=OFF;
   CREATE TABLE "new_Parent" ("id" TEXT NOT NULL PRIMARY KEY, "name" TEXT, "extra" INTEGER NOT NULL DEFAULT 0);
   INSERT INTO "new_Parent" ("id", "name") SELECT "id", "name" FROM "Parent";
   DROP TABLE "Parent";
   ALTER TABLE "new_Parent" RENAME TO "Parent";
   PRAGMA foreign_keys=ON;
   PRAGMA defer_foreign_keys=OFF;`,
);

function seeded(): { url: string; file: string } {
  const file = join(mkdtempSync(join(tmpdir(), "mig-redefine-")), "m.db");
  return { url: `file:${file}`, file };
}

describe("migration SQLite qui redéfinit une table référencée", () => {
  it("garde les lignes qui la référencent (ni cascade ni mise à NULL)", async () => {
    const { url, file } = seeded();
    await migrate(url, [base]);
    const db = new Database(file);
    db.exec(`INSERT INTO "Parent" VALUES ('p1', 'un'); INSERT INTO "Child" VALUES ('c1', 'p1'); INSERT INTO "Link" VALUES ('l1', 'p1');`);
    db.close();
    expect(await migrate(url, [base, redefine])).toEqual(["002_redefine"]);
    const after = new Database(file, { readonly: true });
    expect(after.prepare(`SELECT "id", "parentId" FROM "Child"`).all()).toEqual([{ id: "c1", parentId: "p1" }]);
    expect(after.prepare(`SELECT "id", "parentId" FROM "Link"`).all()).toEqual([{ id: "l1", parentId: "p1" }]);
    expect(after.prepare(`SELECT "id", "extra" FROM "Parent"`).all()).toEqual([{ id: "p1", extra: 0 }]);
    after.close();
  });

  it("refuse (et annule) une migration qui laisserait une clé étrangère orpheline", async () => {
    const { url, file } = seeded();
    await migrate(url, [base]);
    const db = new Database(file);
    db.exec(`INSERT INTO "Parent" VALUES ('p1', 'un'); INSERT INTO "Child" VALUES ('c1', 'p1');`);
    db.close();
    const lossy = m("002_lossy", `PRAGMA foreign_keys=OFF; CREATE TABLE "new_Parent" ("id" TEXT NOT NULL PRIMARY KEY); DROP TABLE "Parent"; ALTER TABLE "new_Parent" RENAME TO "Parent"; PRAGMA foreign_keys=ON;`);
    await expect(migrate(url, [base, lossy])).rejects.toBeInstanceOf(MigrationError);
    const after = new Database(file, { readonly: true });
    expect(after.prepare(`SELECT count(*) AS n FROM "Parent"`).get()).toEqual({ n: 1 });
    after.close();
  });
});
