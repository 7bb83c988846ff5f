// Every subcommand, with unknown options and bad values: a French sentence naming the problem, exit code 2,
// never a stack trace nor an English message from a library.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main, helpText } from "../../src/cli/main.ts";

let dir: string;
const saved = { ...process.env };
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "coordo-cli-fuzz-"));
  process.env.DATABASE_URL = `file:${join(dir, "fuzz.db")}`;
  process.env.BACKUP_DIR = join(dir, "sauvegardes");
  process.env.LOG_LEVEL = "error";
});
afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

async function run(argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(argv, { out: (s) => lines.push(s), err: (s) => lines.push(s) });
  return { code, text: lines.join("\n") };
}

const ENGLISH = /\b(Unknown|unknown option|argument missing|Unexpected|expected|Invalid|undefined|null|TypeError|Error:|place it at the end|must be|cannot|is not)\b/;
const STACK = /\n\s+at .+[:(]\d+|\.ts:\d+|\.js:\d+/;

function expectUsage(r: { code: number; text: string }, mention?: string) {
  expect(r.code, r.text).toBe(2);
  expect(r.text, r.text).not.toMatch(ENGLISH);
  expect(r.text).not.toMatch(STACK);
  expect(r.text.trim().length).toBeGreaterThan(10);
  if (mention) expect(r.text).toContain(mention);
}

const commands = helpText()
  .split("\n")
  .filter((l) => /^ {2}\S/.test(l))
  .map((l) => l.trim().split(/\s+/)[0]!);

describe("coordo : options inconnues et valeurs invalides", () => {
  it("la liste des sous-commandes est lue depuis l'aide", () => {
    expect(commands).toEqual(expect.arrayContaining(["start", "migrate", "demo", "financement", "echeances", "job", "outbox", "chat", "admin", "federation", "config", "sauvegarde", "restauration"]));
  });

  it.each(commands)("coordo %s --zz-inconnue : code 2, l'option nommée, en français", async (cmd) => {
    expectUsage(await run([cmd, "--zz-inconnue"]), "--zz-inconnue");
  });

  it.each([
    [["job", "list", "--zz"], "--zz"],
    [["job", "run", "--zz"], "--zz"],
    [["job", "run", "dues-reminders", "--at", "demain"], "--at"],
    [["financement", "--taille", "2", "--signature", "9999-12-31"], "--signature"],
    [["financement", "--population", "beaucoup"], "--population"],
    [["financement", "--taille", "9"], "--taille"],
    [["echeances", "--at", "2026-13-45"], "--at"],
    [["outbox", "--limite", "abc"], "--limite"],
    [["outbox", "--etat", "perdu"], "--etat"],
    [["chat", "--cpts"], "--cpts"],
    [["chat", "--as"], "--as"],
    [["admin", "create", "--role", "roi"], "--role"],
    [["admin", "create", "--zz"], "--zz"],
    [["federation", "creer", "--zz"], "--zz"],
    [["sauvegarde", "--vers"], "--vers"],
    [["restauration"], "FICHIER"],
    [["restauration", "a.db", "b.db"], "FICHIER"],
    [["start", "en-trop"], "en-trop"],
    [["migrate", "en-trop"], "en-trop"],
    [["config", "--json=oui"], "--json"],
  ] as [string[], string][])("coordo %j : code 2, en français, sans trace", async (argv, mention) => {
    expectUsage(await run(argv), mention);
  });

  it("une commande inconnue : code 2", async () => {
    expectUsage(await run(["fabriquer"]), "fabriquer");
  });
});
