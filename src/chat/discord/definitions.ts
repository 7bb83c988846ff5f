// Discord application commands generated from the registry, and their hash (registered again only when it changes).
import { createHash } from "node:crypto";
import type { CommandDef, OptionDef } from "../../../commands/types.ts";

const TYPE = { string: 3, integer: 4, boolean: 5 } as const;

/** Discord's "Manage Server" permission: admin commands are shown to server managers only (roles are still checked by coordo). */
export const MANAGE_GUILD = String(1 << 5);

/** A description within Discord's 100 characters, cut at a word boundary with an ellipsis (never mid-word). */
export function fitDescription(s: string, max = 100): string {
  const t = s.replace(/\s+/g, " ").trim();
  if (t.length <= max) return t;
  const head = t.slice(0, max - 1);
  const space = head.lastIndexOf(" ");
  return `${(space > max / 2 ? head.slice(0, space) : head).replace(/[\s,;:.(–-]+$/, "")}…`;
}

function option(o: OptionDef) {
  return {
    type: TYPE[o.type],
    name: o.name,
    description: fitDescription(o.description),
    required: o.required ?? false,
    ...(o.autocomplete ? { autocomplete: true } : o.choices ? { choices: o.choices.slice(0, 25).map((c) => ({ name: fitDescription(c.label), value: c.value })) } : {}),
  };
}

export function discordCommands(registry: readonly CommandDef<any>[]) {
  return registry.map((c) => ({
    type: 1,
    name: c.name,
    description: fitDescription(c.description),
    // required options first, as Discord demands
    options: [...c.options].sort((a, b) => Number(b.required ?? false) - Number(a.required ?? false)).map(option),
    dm_permission: false,
    // bureau and coordination commands: hidden from members who cannot manage the server
    ...(c.requiredRole === "bureau" || c.requiredRole === "coordonnateur" ? { default_member_permissions: MANAGE_GUILD } : {}),
  }));
}

export function commandsHash(registry: readonly CommandDef<any>[]): string {
  return createHash("sha256").update(JSON.stringify(discordCommands(registry))).digest("hex");
}
