#!/usr/bin/env -S node --max-old-space-size=256 --max-semi-space-size=2
// Entry point of the `coordo` command: TypeScript sources run through tsx (no build step).
// V8 heap flags (also in package.json's scripts): a small young generation and a bounded old one make the
// garbage collector run before the heap balloons — peak memory of a national reminders run 320 → ~190 Mo
// for the same time. The live set stays far below the 256 Mo bound (a 6 Mo CSV import included).
import { register } from "tsx/esm/api";
register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
