import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { COORDO_NODE_FLAGS } from "../../bench/proc.ts";

const root = new URL("../../", import.meta.url);

describe("options de Node de coordo", () => {
  it("npm start, npm run coordo, l'exécutable et le banc d'essai lancent coordo avec les mêmes options", () => {
    const scripts = JSON.parse(readFileSync(new URL("package.json", root), "utf8")).scripts as Record<string, string>;
    const flags = COORDO_NODE_FLAGS.join(" ");
    expect(scripts.start).toBe(`node ${flags} bin/coordo.js start --demo`);
    expect(scripts.coordo).toBe(`node ${flags} bin/coordo.js`);
    expect(readFileSync(new URL("bin/coordo.js", root), "utf8").split("\n")[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    // the deployment files too: a service started without them would keep four V8 helper threads and a larger heap
    for (const f of ["Procfile", "deploy/Procfile"]) expect(readFileSync(new URL(f, root), "utf8")).toContain(`exec node ${flags} bin/coordo.js start`);
    expect(readFileSync(new URL("deploy/coordo.service", root), "utf8")).toContain(`ExecStart=/usr/bin/node ${flags} /opt/coordo/bin/coordo.js start`);
  });

  it("l'exécutable se lance directement (ligne shebang) et applique la limite du tas", () => {
    const out = execFileSync(new URL("bin/coordo.js", root).pathname, ["--help"], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
    expect(out).toContain("coordo");
    const limitMb = Number(
      execFileSync(process.execPath, [...COORDO_NODE_FLAGS, "-e", "console.log(require('v8').getHeapStatistics().heap_size_limit / 1048576)"], { encoding: "utf8" }),
    );
    expect(limitMb).toBeGreaterThan(256);
    expect(limitMb).toBeLessThan(400);
  });
});
