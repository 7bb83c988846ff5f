// Discord application commands generated from the registry, and their hash (registered again only when it changes).
import { createHash } from "node:crypto";
import type { CommandDef, OptionDef } from "../../../commands/types.ts";

const TYPE = { string: 3, integer: 4, boolean: 5 } as const;

function option(o: OptionDef) {
  return {
    type: TYPE[o.type],
    name: o.name,
    description: o.description.slice(0, 100),
    required: o.required ?? false,
    ...(o.autocomplete ? { autocomplete: true } : o.choices ? { choices: o.choices.slice(0, 25).map((c) => ({ name: c.label.slice(0, 100), value: c.value })) } : {}),
  };
}

export function discordCommands(registry: readonly CommandDef<any>[]) {
  return registry.map((c) => ({
    type: 1,
    name: c.name,
    description: c.description.slice(0, 100),
    // required options first, as Discord demands
    options: [...c.options].sort((a, b) => Number(b.required ?? false) - Number(a.required ?? false)).map(option),
    dm_permission: false,
  }));
}

export function commandsHash(registry: readonly CommandDef<any>[]): string {
  return createHash("sha256").update(JSON.stringify(discordCommands(registry))).digest("hex");
}
