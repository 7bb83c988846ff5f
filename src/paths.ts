// Where coordo's own files are at run time, from the sources (src/…) or from the build (dist/chunks/…):
// the package root is the nearest directory above this module holding package.json and prisma/.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "prisma"))) return dir;
    if (dirname(dir) === dir) throw new Error(`racine de coordo introuvable au-dessus de ${from}`);
  }
}

export const APP_ROOT: string = findRoot(dirname(fileURLToPath(import.meta.url)));
