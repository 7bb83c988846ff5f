// Every chat command, fed arbitrary options (structured like Discord, or free text like Slack and the
// console) through the dispatcher: never a crash (no internal-error apology, nothing logged as an
// error), always an answer in French, and an input the command refuses writes nothing.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../helpers/db.ts";
import { fcParams } from "../helpers/fc-seed.ts";
import { loadDemo, DEMO_COORDINATOR_EMAIL } from "../../src/db/demo-seed.ts";
import { loadConfig } from "../../src/config.ts";
import { fixedClock, type AppContext } from "../../src/app/context.ts";
import { createLogger } from "../../src/log.ts";
import { Dispatcher, collectOptions } from "../../src/app/dispatcher.ts";
import { commands } from "../../commands/index.ts";
import type { CommandDef, OptionDef, OptionValues } from "../../commands/types.ts";

const NUM_RUNS = Number(process.env.FC_RUNS ?? 30);
const TODAY = "2026-03-20";

let t: TestDb;
let dispatcher: Dispatcher;
const errors: string[] = [];

beforeAll(async () => {
  t = await createTestDb();
  await loadDemo(t.db, TODAY);
  const cpts = await t.db.cpts.findUniqueOrThrow({ where: { slug: "demo" } });
  const ws = await t.db.chatWorkspace.findFirstOrThrow({ where: { cptsId: cpts.id, platform: "CONSOLE" } });
  const coordinator = await t.db.member.findFirstOrThrow({ where: { cptsId: cpts.id, email: DEMO_COORDINATOR_EMAIL } });
  const adherent = await t.db.member.findFirstOrThrow({ where: { cptsId: cpts.id, email: { endsWith: "@exemple-sante.fr" }, kind: "PHYSIQUE" } });
  await t.db.chatIdentity.create({ data: { workspaceId: ws.id, userId: "coord", memberId: coordinator.id } });
  await t.db.chatIdentity.create({ data: { workspaceId: ws.id, userId: "adh", memberId: adherent.id } });
  const log = createLogger("warn", (line) => {
    if (line.includes('"level":"error"')) errors.push(line);
  });
  const ctx: AppContext = { config: loadConfig({ PUBLIC_URL: "https://coordo.exemple.fr" }), db: t.db, engine: t.engine, log, clock: fixedClock(TODAY) };
  dispatcher = new Dispatcher(ctx);
});

afterAll(async () => {
  await t?.cleanup();
});

/** Strings that have broken parsers before: empty, blanks, quotes, separators, dates that do not exist, huge, control characters. */
const nasty = fc.constantFrom(
  "", " ", "\t", "=", "==", '"', "«", "»", "« »", "'", "\\", "0", "-1", "1e309", "NaN", "null", "undefined", "true", "[]", "{}",
  "2026-02-30", "2026-13-01", "31/02/2026", "9999-99-99", "<script>alert(1)</script>", "'; DROP TABLE \"Member\"; --", "\u0000", "\r\n",
  "toString", "constructor", "__proto__", "hasOwnProperty", "valueOf", "é".repeat(3000), "x".repeat(10_000), "🙂🙂", "a=b c=d", 'titre="sans fin', "--annee 2026",
);

function valueOf(def: OptionDef): fc.Arbitrary<string | number | boolean> {
  const typed =
    def.type === "integer" ? fc.oneof(fc.integer(), fc.integer({ min: 1990, max: 2110 }), fc.constantFrom(Number.MAX_SAFE_INTEGER, -0, 2 ** 53 + 1))
    : def.type === "boolean" ? fc.boolean()
    : fc.string({ maxLength: 200 });
  const choices = def.choices?.length ? [fc.constantFrom(...def.choices.map((c) => c.value))] : [];
  return fc.oneof(typed, nasty, fc.string({ unit: "grapheme", maxLength: 60 }), ...choices);
}

function optionsOf(cmd: CommandDef<unknown>): fc.Arbitrary<OptionValues> {
  const known = Object.fromEntries(cmd.options.map((o) => [o.name, valueOf(o)]));
  return fc.tuple(
    fc.record(known, { requiredKeys: [] }),
    fc.option(fc.tuple(fc.constantFrom("inconnue", "annee2", "x", "email", "cle", "titre"), fc.string({ maxLength: 20 })), { freq: 4 }),
  ).map(([values, extra]) => (extra ? { ...values, [extra[0]]: extra[1] } : values) as OptionValues);
}

/** Renders options as the free text a Slack or console user would type, quoting some values. */
function asText(values: OptionValues, style: number): string {
  return Object.entries(values)
    .map(([k, v]) => {
      const s = String(v);
      if (style % 3 === 0) return `${k}=${s}`;
      if (style % 3 === 1) return `${k}="${s}"`;
      return s;
    })
    .join(" ");
}

const TABLES = ["member", "duesPayment", "outboxMessage", "meeting", "attendance", "vote", "voteBallot", "newsletter", "reminderLedger", "deadlineState", "crisisActivation", "crisisPlanReview", "indemnity", "consentRecord"] as const;

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) out[table] = await (t.db[table] as unknown as { count(): Promise<number> }).count();
  return out;
}

/** What the dispatcher itself would refuse (unknown option, wrong type, out of range) — decided here independently. */
function refused(cmd: CommandDef<unknown>, req: { text?: string; options?: OptionValues }): boolean {
  try {
    return !cmd.schema.safeParse(collectOptions(cmd, req)).success;
  } catch {
    return true;
  }
}

const ENGLISH = /\b(undefined|NaN|null|Invalid|Expected|Required|TypeError|RangeError|Error:|received|must be)\b/;

describe("commandes de chat : options arbitraires", () => {
  for (const cmd of commands) {
    it(`/${cmd.name} : jamais de plantage, une réponse en français, rien d'écrit quand l'entrée est refusée`, async () => {
      await fc.assert(
        fc.asyncProperty(optionsOf(cmd), fc.nat(5), fc.constantFrom("coord", "adh", "inconnu"), async (values, style, user) => {
          const req = style < 3 ? { options: values } : { text: asText(values, style) };
          const before = errors.length;
          const invalid = refused(cmd, req);
          const snapshot = invalid ? await counts() : null;
          const { reply } = await dispatcher.dispatch({ type: "command", platform: "CONSOLE", workspaceExternalId: "console", userId: user, command: cmd.name, ...req });
          expect(typeof reply.text).toBe("string");
          expect(reply.text.trim().length).toBeGreaterThan(0);
          expect(reply.text).not.toMatch(/erreur interne/i);
          expect(errors.slice(before)).toEqual([]);
          // the reply may quote what the user typed (« reçu : … »): only coordo's own words must be French
          let own = reply.text;
          for (const v of Object.values(values).map(String).sort((a, b) => b.length - a.length)) if (v) own = own.split(v).join("");
          expect(own).not.toMatch(ENGLISH);
          if (snapshot) expect(await counts()).toEqual(snapshot);
        }),
        fcParams({ numRuns: NUM_RUNS, endOnFailure: true }),
      );
    }, Math.max(120_000, NUM_RUNS * 4_000)); // FC_RUNS raised by hand to hunt rarer inputs: the limit follows
  }

  // Names every JavaScript object inherits: typed where a sub-action or a choice is expected, they
  // must be refused like any unknown word (CI once found « /plan-crise toString » crashing).
  for (const cmd of commands) {
    it(`/${cmd.name} : un nom hérité (toString, __proto__…) est refusé comme un mot inconnu`, async () => {
      for (const word of ["toString", "__proto__", "constructor", "hasOwnProperty", "valueOf"]) {
        for (const req of [{ text: word }, { options: Object.fromEntries(cmd.options.map((o) => [o.name, word])) as OptionValues }]) {
          const before = errors.length;
          const { reply } = await dispatcher.dispatch({ type: "command", platform: "CONSOLE", workspaceExternalId: "console", userId: "coord", command: cmd.name, ...req });
          expect(reply.text, `${JSON.stringify(req)}`).not.toMatch(/erreur interne/i);
          expect(errors.slice(before)).toEqual([]);
        }
      }
    });
  }
});
