import { describe, it, expect } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { migrate, MigrationError, type Migration } from "../../src/db/migrate.ts";

const m = (name: string, sql: string): Migration => ({ name, sql, checksum: createHash("sha256").update(sql).digest("hex") });

describe("migrations appliquées au démarrage", () => {
  it("applique dans l'ordre, une seule fois, et refuse une migration modifiée", async () => {
    const url = `file:${join(mkdtempSync(join(tmpdir(), "mig-")), "m.db")}`;
    const a = m("001_a", "CREATE TABLE a (id INTEGER PRIMARY KEY);");
    const b = m("002_b", "CREATE TABLE b (id INTEGER PRIMARY KEY); INSERT INTO a (id) VALUES (1);");
    expect(await migrate(url, [a, b])).toEqual(["001_a", "002_b"]);
    expect(await migrate(url, [a, b])).toEqual([]);
    await expect(migrate(url, [m("001_a", "CREATE TABLE a (x TEXT);"), b])).rejects.toBeInstanceOf(MigrationError);
  });

  it("annule entièrement une migration qui échoue", async () => {
    const url = `file:${join(mkdtempSync(join(tmpdir(), "mig-")), "m.db")}`;
    const bad = m("001_bad", "CREATE TABLE ok (id INTEGER); CREATE TABLE ok (id INTEGER);");
    await expect(migrate(url, [bad])).rejects.toThrow();
    const good = m("001_bad", "CREATE TABLE ok (id INTEGER);");
    expect(await migrate(url, [good])).toEqual(["001_bad"]);
  });
});
