// Writes one schema per provider from prisma/schema.base.prisma (they differ only in provider/output).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
const base = readFileSync(new URL("../prisma/schema.base.prisma", import.meta.url), "utf8");
const targets = { sqlite: ["sqlite", "SQLITE_URL"], postgres: ["postgresql", "PG_URL"] };
for (const [dir, [provider, urlEnv]] of Object.entries(targets)) {
  const out = base
    .replace(/^\/\/ Single source.*\n\/\/.*\n/m, `// GENERATED from prisma/schema.base.prisma by scripts/gen-schemas.mjs - do not edit\n`)
    .replace("__PROVIDER__", provider).replace("__URLENV__", urlEnv).replace("__OUTPUT__", `../../src/db/generated/${dir}`);
  mkdirSync(new URL(`../prisma/${dir}/`, import.meta.url), { recursive: true });
  writeFileSync(new URL(`../prisma/${dir}/schema.prisma`, import.meta.url), out);
}
console.log("schemas written: prisma/sqlite/schema.prisma prisma/postgres/schema.prisma");
