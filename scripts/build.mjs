// `npm run build` (also the last step of `npm install`): compiles coordo into dist/ with esbuild.
// Why esbuild rather than tsc: it is already installed (tsx runs on it), transpiles the whole tree in
// well under a second (so `npm install` and `npm ci` stay fast; tsc's emit would type-check again, ~20 s),
// and bundles our modules into a few files (one read per chunk at start instead of ~300 module loads).
// Type checking stays `npm run typecheck`. Dependencies stay in node_modules (external), but for a few pure ES
// module packages bundled in (BUNDLED below): Prisma's query compiler (wasm), better-sqlite3's native module
// and templates are found as usual.
// Read at run time from the package root, not from dist: package.json (version) and the migrations SQL
// (prisma/<engine>/migrations, see src/paths.ts). The generated Prisma clients and templates/ are bundled.
import { build } from "esbuild";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = `${root}dist`;
// Built aside then swapped in: a coordo started meanwhile never reads a half-written dist/.
const outdir = `${root}dist.tmp-${process.pid}`;
const t0 = performance.now();
const startedAt = new Date(); // a source saved during the build counts as newer than it
rmSync(outdir, { recursive: true, force: true });
const postinstall = process.argv.includes("--postinstall");

// Prisma's runtime (@prisma/client/runtime/client) is CommonJS: for Node its package exports give the same
// client.js to `import`. Imported from an ES module, Node first scans its 229 KB with cjs-module-lexer to list
// the named exports: ~120 ms of CPU at every start, vs ~60 ms to require() it. So the bundle require()s it
// (same file, same single instance in Node's module cache) and the names are listed here, at build time.
const BY_REQUIRE = ["@prisma/client/runtime/client"];
const byRequire = {
  name: "cjs-by-require",
  setup(b) {
    b.onResolve({ filter: /^@prisma\/client\/runtime\/client$/ }, (a) => (BY_REQUIRE.includes(a.path) ? { path: a.path, namespace: "cjs-by-require" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "cjs-by-require" }, (a) => {
      const names = Object.keys(createRequire(`${root}package.json`)(a.path)).filter((n) => {
        try {
          new Function(`const { ${n} } = {};`); // a name that can be declared (not « default », not a keyword)
          return n !== "default";
        } catch {
          return false;
        }
      });
      return {
        contents: `import { createRequire } from "node:module";\nconst m = createRequire(import.meta.url)(${JSON.stringify(a.path)});\nexport default m;\nexport const { ${names.join(", ")} } = m;\n`,
        loader: "js",
        resolveDir: root,
      };
    });
  },
};
// Pure-JavaScript ES module packages of the start and job paths are bundled into dist/ instead of loaded from
// node_modules: Node 20 loads each ES module file on its own, and zod alone is ~100 files — 250-300 ms of CPU
// and ~15 MB of memory at every coordo command, against ~45 ms and ~4 MB as one bundled chunk. Everything else
// stays in node_modules (CommonJS packages, native modules, Prisma's runtime and wasm, the chat SDKs loaded on demand).
const BUNDLED = /^(zod|hono|@hono\/node-server|node-cron)(\/|$)/;
const externalDeps = {
  name: "external-deps",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) => (BUNDLED.test(a.path) ? undefined : { path: a.path, external: true }));
  },
};
// Prisma's query compiler ships as base64 in a JS module: 2.5 MB of source kept in memory twice (the module's text
// and the string) for the whole run, then decoded at the first query. The build writes the decoded .wasm into
// dist/ and the generated client compiles it from there (falls back to the base64 module when the generated
// code no longer has this shape).
const WASM_BASE64 = /const \{ wasm \} = await import\("@prisma\/client\/runtime\/query_compiler_bg\.(\w+)\.wasm-base64\.mjs"\)\s*return await decodeBase64AsWasm\(wasm\)/;
const wasmFromFile = {
  name: "wasm-from-file",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]db[\\/]generated[\\/]\w+[\\/]internal[\\/]class\.ts$/ }, async (a) => {
      const source = readFileSync(a.path, "utf8");
      const m = WASM_BASE64.exec(source);
      if (!m) {
        process.stderr.write(`coordo : compilateur de requêtes de Prisma laissé en base64 (${a.path} : forme inattendue).\n`);
        return undefined;
      }
      const file = `query_compiler_bg.${m[1]}.wasm`;
      const { wasm } = await import(createRequire(`${root}package.json`).resolve(`@prisma/client/runtime/query_compiler_bg.${m[1]}.wasm-base64.mjs`));
      mkdirSync(outdir, { recursive: true });
      writeFileSync(`${outdir}/${file}`, Buffer.from(wasm, "base64"));
      // dist/chunks/<chunk>.js → dist/<file>
      const load = `const { readFileSync } = await import("node:fs")\n    return new WebAssembly.Module(readFileSync(new URL(import.meta.url.includes("/chunks/") ? "../${file}" : "./${file}", import.meta.url)))`;
      return { contents: source.replace(m[0], load), loader: "ts" };
    });
  },
};
let result;
try {
  result = await build({
  absWorkingDir: root,
  entryPoints: { main: "src/cli/main.ts" },
  outdir,
  bundle: true,
  splitting: true, // subcommands stay loaded on demand (one chunk each)
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  metafile: true,
  logLevel: "warning",
  legalComments: "none",
  chunkNames: "chunks/[name]-[hash]",
  plugins: [byRequire, externalDeps, wasmFromFile],
  });
} catch (e) {
  rmSync(outdir, { recursive: true, force: true });
  // During `npm install` a failed compile must not fail the install: bin/coordo.js then runs the sources.
  process.stderr.write(`coordo : compilation impossible (${e.errors?.length ?? "?"} erreur(s) ci-dessus) ; ${postinstall ? "coordo tournera depuis les sources TypeScript. Corrigez puis lancez « npm run build »." : "dist/ inchangé."}\n`);
  process.exit(postinstall ? 0 : 1);
}
// Inputs of the build: bin/coordo.js runs from source instead when one of them is newer (a stale dist).
const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith("node_modules/") && !p.startsWith("cjs-by-require:"));
writeFileSync(`${outdir}/build.json`, JSON.stringify({ builtAt: startedAt.toISOString(), inputs }, null, 0) + "\n");
const old = `${root}dist.old-${process.pid}`;
if (existsSync(dist)) renameSync(dist, old);
renameSync(outdir, dist);
rmSync(old, { recursive: true, force: true });
if (!postinstall) {
  console.log(`coordo compilé dans dist/ (${inputs.length} fichiers sources) en ${Math.round(performance.now() - t0)} ms`);
}
