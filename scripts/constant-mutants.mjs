#!/usr/bin/env node
// Constant mutants of the pure rules (issue 16): mutants StrykerJS does not make. For every number
// literal n in src/rules/*.ts → n + 1, and every ISO date string literal → one day later, the rules'
// unit tests (vitest.mutation.config.ts) must fail. `npm run test:mutation:constants` (outside CI);
// one file: `npm run test:mutation:constants -- src/rules/dues.ts`.
//
// Never touches the shared work tree: src/, tests/ and the configs are copied to a temp directory,
// mutants are written there, and one Vitest instance is reused for every mutant.
// Report: a table on stdout and reports/mutation/constants.json (merged per file).
//
// Not mutated (each with its reason):
// - literals in type positions (`1 | 2 | 3 | 4`): no runtime effect;
// - the radix of parseInt / Number#toString: not a rule;
// - a line marked `// constant-mutants: ignore-next-line <reason>` (equivalent mutant, reason given).
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

const repo = resolve(dirname(new URL(import.meta.url).pathname), "..");
const only = process.argv.slice(2).filter((a) => !a.startsWith("-")).map((a) => resolve(repo, a));
const IGNORE_MARK = /\/\/\s*constant-mutants:\s*ignore-next-line\s+\S/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?=$|T)/;

function nextDay(iso) {
  const [, y, m, d] = ISO_DATE.exec(iso);
  const t = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d) + 1));
  return t.toISOString().slice(0, 10) + iso.slice(10);
}

function isTypePosition(node) {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isTypeNode(p) && !ts.isExpressionWithTypeArguments(p)) return true;
    if (ts.isStatement(p) || ts.isExpressionStatement(p)) return false;
  }
  return false;
}

function isRadix(node) {
  const call = node.parent;
  if (!call || !ts.isCallExpression(call)) return false;
  const callee = call.expression.getText();
  if (/(^|\.)parseInt$/.test(callee)) return call.arguments[1] === node;
  if (/\.toString$/.test(callee)) return call.arguments[0] === node;
  return false;
}

/** Every constant mutant of one source file: { line, column, start, end, original, replacement }. */
function mutantsOf(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lines = text.split("\n");
  // A marker covers the next line that is not a comment (a Stryker comment may sit in between).
  const ignoredLines = new Set();
  lines.forEach((l, i) => {
    if (!IGNORE_MARK.test(l)) return;
    let j = i + 1;
    while (j < lines.length && /^\s*\/\//.test(lines[j])) j++;
    ignoredLines.add(j);
  });
  const out = [];
  const skipped = [];
  const visit = (node) => {
    let original;
    let replacement;
    if (ts.isNumericLiteral(node)) {
      original = node.getText(sf);
      const value = Number(original.replaceAll("_", ""));
      if (Number.isFinite(value)) replacement = String(value + 1);
    } else if ((ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && ISO_DATE.test(node.text)) {
      original = node.getText(sf);
      const q = original[0];
      replacement = q + nextDay(node.text) + q;
    }
    if (replacement !== undefined) {
      const start = node.getStart(sf);
      const { line, character } = sf.getLineAndCharacterOfPosition(start);
      const m = { line: line + 1, column: character + 1, start, end: node.getEnd(), original, replacement };
      if (isTypePosition(node)) skipped.push({ ...m, reason: "type" });
      else if (isRadix(node)) skipped.push({ ...m, reason: "radix" });
      else if (ignoredLines.has(line)) skipped.push({ ...m, reason: "marked equivalent" });
      else out.push(m);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { mutants: out, skipped };
}

// ── temp copy of the tree ──────────────────────────────────────────────────────────────────────
const work = mkdtempSync(join(tmpdir(), "coordo-constant-mutants-"));
let cleaned = false;
const cleanup = () => {
  if (!cleaned) {
    cleaned = true;
    rmSync(work, { recursive: true, force: true });
  }
};
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}
process.on("exit", cleanup);

for (const entry of ["src", "tests", "templates", "package.json", "tsconfig.json", "vitest.mutation.config.ts"]) {
  if (existsSync(join(repo, entry))) cpSync(join(repo, entry), join(work, entry), { recursive: true });
}
symlinkSync(join(repo, "node_modules"), join(work, "node_modules"), "dir");

const rulesDir = join(work, "src/rules");
const files = readdirSync(rulesDir)
  .filter((f) => f.endsWith(".ts") && f !== "index.ts")
  .map((f) => join(rulesDir, f))
  .filter((f) => only.length === 0 || only.includes(join(repo, relative(work, f))));

const { createVitest } = await import(join(repo, "node_modules/vitest/dist/node.js"));
const vitest = await createVitest(
  "test",
  {
    root: work,
    config: join(work, "vitest.mutation.config.ts"),
    watch: false,
    bail: 1,
    reporters: [{}],
    testTimeout: 20_000,
    // One worker process (a mutant that exhausts memory kills the worker, not this script), each test
    // file isolated: without isolation a worker may keep the rules module of an earlier run (a false
    // survivor), so isolation stays on even though it is slower.
    pool: "forks",
    isolate: true,
    maxWorkers: 1,
  },
  { server: { watch: null } },
);
const allSpecs = await vitest.globTestSpecifications();

/** Test files ordered for a quick bail: those named after the rules file first. */
function specsFor(file) {
  const stem = basename(file, ".ts");
  const own = (s) => (basename(s.moduleId).startsWith(stem) ? 0 : 1);
  return [...allSpecs].sort((a, b) => own(a) - own(b));
}

/** Kills the test worker processes (children of this process): a mutant stuck in a loop counts as killed. */
function killWorkers() {
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === process.pid) process.kill(Number(pid), "SIGKILL");
    } catch {
      // the process ended meanwhile
    }
  }
}

// A loaded machine may need more: CONSTANT_MUTANTS_TIMEOUT_MS=300000 npm run test:mutation:constants …
const MUTANT_TIMEOUT_MS = Number(process.env.CONSTANT_MUTANTS_TIMEOUT_MS) || 60_000;

async function run(specs) {
  for (const f of files) vitest.invalidateFile(f);
  let timedOut = false;
  const watchdog = setTimeout(() => {
    timedOut = true;
    killWorkers();
  }, MUTANT_TIMEOUT_MS);
  const result = await vitest.runTestSpecifications(specs).finally(() => clearTimeout(watchdog));
  if (timedOut) return false;
  const failed = result.testModules.some((m) => m.state() === "failed" || !m.ok()) || result.unhandledErrors.length > 0;
  return !failed;
}

const started = Date.now();
if (!(await run(allSpecs))) {
  console.error("Les tests échouent sans mutant : corrigez-les avant de lancer les mutants de constantes.");
  await vitest.close();
  process.exit(1);
}

const jsonPath = join(repo, "reports/mutation/constants.json");
function saveReport(report) {
  mkdirSync(dirname(jsonPath), { recursive: true });
  const previous = existsSync(jsonPath) ? JSON.parse(readFileSync(jsonPath, "utf8")).files ?? {} : {};
  const merged = { ...previous, ...report };
  writeFileSync(jsonPath, JSON.stringify({ generatedAt: new Date().toISOString(), files: merged }, null, 2) + "\n");
  return merged;
}

const report = {};
for (const file of files) {
  const rel = relative(work, file);
  const original = readFileSync(file, "utf8");
  const { mutants, skipped } = mutantsOf(rel, original);
  const survived = [];
  let killed = 0;
  const specs = specsFor(file);
  try {
    for (const m of mutants) {
      writeFileSync(file, original.slice(0, m.start) + m.replacement + original.slice(m.end));
      const passed = await run(specs);
      if (passed) survived.push({ line: m.line, column: m.column, original: m.original, mutated: m.replacement });
      else killed++;
    }
  } finally {
    writeFileSync(file, original);
  }
  const total = mutants.length;
  report[rel] = {
    mutants: total,
    killed,
    survived: survived.length,
    skipped: skipped.length,
    score: total === 0 ? null : Math.round((killed / total) * 1000) / 10,
    survivors: survived,
  };
  saveReport(report);
  process.stdout.write(`${rel}: ${killed}/${total} tués${survived.length ? `, survivants : ${survived.map((s) => `l.${s.line} ${s.original}→${s.mutated}`).join(", ")}` : ""}\n`);
}
await vitest.close();

const merged = saveReport(report);

const rows = Object.entries(merged).sort(([a], [b]) => a.localeCompare(b));
console.log("\n| fichier | mutants | tués | survivants | ignorés | score |\n|---|---:|---:|---:|---:|---:|");
for (const [f, r] of rows) console.log(`| ${f} | ${r.mutants} | ${r.killed} | ${r.survived} | ${r.skipped} | ${r.score ?? "—"} % |`);
console.log(`\n${rows.reduce((n, [, r]) => n + r.mutants, 0)} mutants, ${Math.round((Date.now() - started) / 1000)} s ; rapport : ${relative(repo, jsonPath)}`);
process.exit(0);
