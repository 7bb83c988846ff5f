#!/usr/bin/env -S node --max-old-space-size=256 --max-semi-space-size=4 --v8-pool-size=1
// Entry point of the `coordo` command: runs the compiled build (dist/, made by `npm run build`, which
// `npm install` runs). From the TypeScript sources through tsx instead when dist/ is missing or older
// than a source file (a `git pull` without `npm install`), or with COORDO_SOURCE=1 (`npm run dev`).
// V8 heap flags (also in package.json's scripts): a small young generation and a bounded old one make the
// garbage collector run before the heap balloons — peak memory of a national reminders run 320 → ~190 Mo
// for the same time. The live set stays far below the 256 Mo bound (a 6 Mo CSV import included). One V8 helper
// thread instead of four (--v8-pool-size=1): each kept its own malloc arena; national run 121-124 → 116-117 Mo,
// same CPU per mail on 2 cores (README « Mémoire d'une exécution nationale »). Semi-spaces of 4 MB rather than 2:
// fewer scavenges promoting a claimed batch's bodies to the old generation; national run CPU per mail −3 to −17 %
// (4 alternated pairs), peak 114-116 MB either way; `coordo start` under Slack load +3 to +6 MB (issue 18).
import { existsSync, readFileSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);

// `.env` of the working directory (as `node --env-file` would): variables already set win.
if (existsSync(".env")) {
  try {
    process.loadEnvFile(".env");
  } catch (e) {
    process.stderr.write(`coordo : fichier .env illisible (${e.message}).\n`);
    process.exit(2);
  }
}

/** Why dist/ cannot be used, or null when it is up to date. */
function distProblem() {
  if (process.env.COORDO_SOURCE === "1") return null;
  let build;
  try {
    build = JSON.parse(readFileSync(new URL("dist/build.json", root), "utf8"));
  } catch {
    return "la version compilée (dist/) est absente : lancez « npm run build » (ou « npm install »)";
  }
  const builtAt = Date.parse(build.builtAt);
  for (const input of build.inputs) {
    let mtime;
    try {
      mtime = statSync(new URL(input, root)).mtimeMs;
    } catch {
      mtime = Infinity; // a source removed since the build
    }
    if (mtime > builtAt) return `la version compilée (dist/) est plus ancienne que ${input} : lancez « npm run build »`;
  }
  return "";
}

const problem = distProblem();
let main;
try {
  if (problem === "") {
    ({ main } = await import(new URL("dist/main.js", root).href));
  } else {
    // a stale build is normal while developing: said only on a terminal
    if (problem && (process.stderr.isTTY || !problem.includes("plus ancienne"))) {
      process.stderr.write(`coordo : ${problem} ; exécution depuis les sources TypeScript (démarrage plus lent).\n`);
    }
    const { register } = await import("tsx/esm/api");
    register();
    ({ main } = await import(new URL("src/cli/main.ts", root).href));
  }
} catch (e) {
  process.stderr.write(`coordo n'a pas pu se charger : ${e?.message ?? e}. Réinstallez avec « npm install ».\n`);
  process.exit(1);
}
process.exitCode = await main(process.argv.slice(2));
