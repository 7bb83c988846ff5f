import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dir = fileURLToPath(new URL("../../../src/rules/", import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));

describe("pureté du module de règles", () => {
  it.each(files)("%s n'importe que des fichiers du module de règles", (file) => {
    const source = readFileSync(dir + file, "utf8");
    const specifiers = [...source.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1]);
    expect(specifiers.filter((s) => !s!.startsWith("./"))).toEqual([]);
  });

  it.each(files)("%s ne lit jamais l'horloge", (file) => {
    const source = readFileSync(dir + file, "utf8");
    expect(source).not.toMatch(/Date\.now\(|new Date\(\s*\)/);
  });
});
