// `npm run bench [-- --json] [--quick]`: builds the national data set, then measures what a federation
// sharing one deployment would feel — reminder throughput against the SMTP server's own ceiling, chat
// latency, the rules for every CPTS, start-up time — and prints each figure against its target.
import { createDb } from "../src/db/client.ts";
import { loadRulesInputs, type CptsRulesInputs } from "../src/db/repos/cpts-rules-repo.ts";
import { entitlement, paymentCalendar, deadlines } from "../src/rules/index.ts";
import { benchDatabaseUrl, benchToday, createDataset, FULL, QUICK, type BenchCpts, type DatasetSummary } from "./dataset.ts";
import { freePort, peakRssMb, spawnCoordo, stopChild, waitHealthy } from "./proc.ts";

const args = process.argv.slice(2);
const JSON_OUT = args.includes("--json");
const QUICK_MODE = args.includes("--quick");
const say = (s: string) => (JSON_OUT ? process.stderr.write(s + "\n") : process.stdout.write(s + "\n"));
const round = (n: number, digits = 3) => (Number.isFinite(n) ? +n.toFixed(digits) : null);

interface Results {
  dataset: DatasetSummary & { url: string };
  rules?: { cpts: number; load_s: number; compute_s: number; per_cpts_ms: number };
  start?: { runs_s: number[]; median_s: number; rss_mb: number | null };
}

/** (3) Funding + payment calendar + deadlines for every CPTS: inputs loaded first, then the pure rules timed. */
async function measureRules(url: string, cpts: BenchCpts[], today: string): Promise<NonNullable<Results["rules"]>> {
  const db = createDb(url);
  try {
    const t0 = performance.now();
    const inputs: CptsRulesInputs[] = [];
    for (const c of cpts) inputs.push((await loadRulesInputs(db, c.id))!);
    const loadS = (performance.now() - t0) / 1000;
    // One warm-up pass (JIT), then the measured pass.
    const compute = () => {
      let sink = 0;
      for (const i of inputs) {
        if (i.funding) {
          sink += entitlement(i.funding, i.settings).annees.length;
          sink += paymentCalendar(i.funding, i.settings).length;
        }
        sink += deadlines(i.deadlines, today, i.settings).length;
      }
      return sink;
    };
    compute();
    const t1 = performance.now();
    const n = compute();
    const computeS = (performance.now() - t1) / 1000;
    if (n === 0) throw new Error("les règles n'ont rien produit : jeu de données vide ?");
    return { cpts: inputs.length, load_s: round(loadS)!, compute_s: round(computeS, 4)!, per_cpts_ms: round((computeS * 1000) / inputs.length, 4)! };
  } finally {
    await db.$disconnect();
  }
}

/** (4) `coordo start` to the first 200 on /health, on the national data set (migrations already applied). */
async function measureStart(url: string): Promise<NonNullable<Results["start"]>> {
  const runs: number[] = [];
  let rss: number | null = null;
  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const t0 = performance.now();
    const child = spawnCoordo(["start"], { DATABASE_URL: url, PORT: String(port) });
    try {
      const ready = await waitHealthy(port, child);
      runs.push((ready - t0) / 1000);
      rss = Math.max(rss ?? 0, peakRssMb(child.proc.pid!) ?? 0);
    } finally {
      await stopChild(child);
    }
  }
  const sorted = [...runs].sort((a, b) => a - b);
  return { runs_s: runs.map((r) => round(r)!), median_s: round(sorted[1]!)!, rss_mb: rss };
}

async function main(): Promise<void> {
  const shape = QUICK_MODE ? QUICK : FULL;
  const today = benchToday();
  const url = await benchDatabaseUrl();
  say(`coordo bench — ${QUICK_MODE ? "mode rapide" : "jeu national"} : ${shape.cpts} CPTS, ${shape.members} membres, ${shape.years} ans de cotisations (${url.startsWith("file:") ? "SQLite" : "PostgreSQL"})`);
  const { summary, cpts } = await createDataset(url, { ...shape, today });
  say(`  jeu de données construit en ${summary.buildSeconds} s (${summary.payments} paiements, ${summary.unpaidCurrentYear} adhérents sans cotisation ${today.slice(0, 4)})`);
  const results: Results = { dataset: { ...summary, url: url.startsWith("file:") ? url : "postgresql://…" } };

  results.rules = await measureRules(url, cpts, today);
  say(`  règles : ${results.rules.cpts} CPTS en ${results.rules.compute_s} s (chargement ${results.rules.load_s} s)`);
  results.start = await measureStart(url);
  say(`  démarrage : ${results.start.runs_s.join(" s, ")} s`);

  const figures = {
    dataset: { cpts: summary.cpts, members: summary.members, payments: summary.payments, contracts: summary.contracts, build_s: summary.buildSeconds, engine: summary.engine },
    rules_all_cpts_s: results.rules.compute_s,
    start_s: results.start.median_s,
    details: results,
  };
  const targets: [string, string, number | null, string, boolean | null][] = [
    ["rules_all_cpts_s", "règles, toutes les CPTS / rules, all CPTS (s)", figures.rules_all_cpts_s, "≤ 1", figures.rules_all_cpts_s <= 1],
    ["start_s", "démarrage / start to ready (s)", figures.start_s, "≤ 2", figures.start_s <= 2],
  ];
  if (JSON_OUT) {
    process.stdout.write(JSON.stringify(figures) + "\n");
    return;
  }
  say("");
  say("| mesure / measure | valeur / value | cible / target | |");
  say("|---|---|---|---|");
  for (const [, label, value, target, ok] of targets) say(`| ${label} | ${value ?? "—"} | ${target} | ${ok === null ? "" : ok ? "OK" : "MANQUÉ / MISSED"} |`);
}

await main();
