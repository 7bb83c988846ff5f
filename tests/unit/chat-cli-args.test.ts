// French command-line errors of `coordo chat` and `coordo slack-manifest` (parseArgsFr, src/cli/args.ts).
import { describe, it, expect } from "vitest";
import { ArgsError, parseArgsFr } from "../../src/cli/args.ts";
import { main } from "../../src/cli/main.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (s: string) => void out.push(s),
    err: (s: string) => void err.push(s),
    context: async () => {
      throw new Error("aucune base ne doit être ouverte pour une ligne de commande invalide");
    },
  };
  return { out, err, io };
}

describe("erreurs de ligne de commande en français", () => {
  const config = { options: { cpts: { type: "string" as const }, socket: { type: "boolean" as const } }, strict: true };

  it("parseArgsFr nomme l'option inconnue, la valeur manquante, la valeur en trop et l'argument inattendu", () => {
    const message = (args: string[]) => {
      try {
        parseArgsFr({ ...config, args });
      } catch (e) {
        expect(e).toBeInstanceOf(ArgsError);
        expect((e as ArgsError).exitCode).toBe(2);
        return (e as Error).message;
      }
      throw new Error("aucune erreur levée");
    };
    expect(message(["--zz"])).toBe("Option inconnue « --zz ». Options acceptées : --cpts, --socket.");
    expect(message(["--cpts"])).toContain("L'option « --cpts » attend une valeur");
    expect(message(["--socket=oui"])).toContain("L'option « --socket » ne prend pas de valeur");
    expect(message(["demo"])).toContain("Argument inattendu « demo »");
    expect(parseArgsFr({ ...config, args: ["--cpts", "demo", "--socket"] }).values).toEqual({ cpts: "demo", socket: true });
  });

  it("coordo chat --zz répond en français avec le code 2, sans message anglais de Node", async () => {
    const { err, io } = capture();
    expect(await main(["chat", "--cpts", "demo", "--zz", "/aide"], io)).toBe(2);
    const text = err.join("\n");
    expect(text).toContain("Option inconnue « --zz »");
    expect(text).toContain("--cpts, --as, --click");
    expect(text).not.toMatch(/Unknown option|Unexpected argument|argument missing/);
  });

  it("coordo chat --cpts sans valeur et coordo slack-manifest --zz ou avec un argument sont refusés en français", async () => {
    const a = capture();
    expect(await main(["chat", "--cpts"], a.io)).toBe(2);
    expect(a.err.join("\n")).toContain("L'option « --cpts » attend une valeur");
    const b = capture();
    expect(await main(["slack-manifest", "--zz"], b.io)).toBe(2);
    expect(b.err.join("\n")).toContain("Option inconnue « --zz ». Options acceptées : --socket, --url.");
    const c = capture();
    expect(await main(["slack-manifest", "en-trop"], c.io)).toBe(2);
    expect(c.err.join("\n")).toContain("Argument inattendu « en-trop »");
    expect([...a.err, ...b.err, ...c.err].join("\n")).not.toMatch(/Unknown option|Unexpected argument|argument missing/);
  });
});
