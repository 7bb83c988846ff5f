// Offline replacement for `prisma migrate dev` (Prisma 6.19 + driver adapters, no engine download).
//   npm run migration:new -- <snake_name>
// Diffs the last committed prisma/schema.base.prisma (git HEAD) against the working copy, for both
// engines, and writes prisma/{sqlite,postgres}/migrations/<timestamp>_<name>/migration.sql.
// The PostgreSQL diff needs a reachable server (PG_URL, default postgresql://postgres@127.0.0.1:55432/postgres).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) { console.error("usage : npm run migration:new -- <nom_en_snake_case>"); process.exit(64); }
process.env.PG_URL ??= "postgresql://postgres@127.0.0.1:55432/postgres";
const tmp = mkdtempSync(join(tmpdir(), "coordo-mig-"));
let previous = null;
try { previous = execFileSync("git", ["show", "HEAD:prisma/schema.base.prisma"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }); } catch {}
spawnSync(process.execPath, ["scripts/gen-schemas.mjs"], { stdio: "inherit" });
const ts = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
let bad = false;
for (const [dir, provider, urlEnv, config] of [["sqlite", "sqlite", "SQLITE_URL", "prisma.sqlite.config.ts"], ["postgres", "postgresql", "PG_URL", "prisma.pg.config.ts"]]) {
  const from = previous
    ? (() => { const f = join(tmp, `${dir}.prev.prisma`); writeFileSync(f, previous.replace("__PROVIDER__", provider).replace("__URLENV__", urlEnv).replace("__OUTPUT__", "./unused")); return ["--from-schema-datamodel", f]; })()
    : ["--from-empty"];
  const out = join(tmp, `${dir}.sql`);
  const r = spawnSync(process.execPath, ["--require", "./scripts/unref-long-timers.cjs", "node_modules/prisma/build/index.js", "migrate", "diff", "--config", config,
    ...from, "--to-schema-datamodel", `prisma/${dir}/schema.prisma`, "--script", "-o", out], { encoding: "utf8" });
  if (r.status !== 0) { console.error(`${dir} : migrate diff a échoué (code ${r.status})\n${r.stdout}${r.stderr}`); bad = true; continue; }
  const sql = readFileSync(out, "utf8");
  if (!/\S/.test(sql.replace(/^--.*$/gm, ""))) { console.log(`${dir} : aucun changement`); continue; }
  const target = `prisma/${dir}/migrations/${ts}_${name}`;
  mkdirSync(target, { recursive: true });
  writeFileSync(`${target}/migration.sql`, sql);
  console.log(`${dir} : ${target}/migration.sql écrit`);
}
rmSync(tmp, { recursive: true, force: true });
process.exit(bad ? 1 : 0);
