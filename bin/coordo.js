#!/usr/bin/env node
// Entry point of the `coordo` command: TypeScript sources run through tsx (no build step).
import { register } from "tsx/esm/api";
register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
