// /aide: the commands this caller may use, with one example each.
import { z } from "zod";
import { defineCommand, ROLE_RANK } from "./types.ts";
import { commands } from "./index.ts";

export const aide = defineCommand({
  name: "aide",
  description: "Les commandes que vous pouvez utiliser, avec un exemple chacune",
  requiredRole: "non_membre",
  options: [],
  schema: z.object({}),
  example: "/aide",
  async run(ctx) {
    const open = commands.filter((c) => ROLE_RANK[ctx.caller.role] >= ROLE_RANK[c.requiredRole]);
    const intro = ctx.caller.memberId
      ? `Bonjour ${ctx.caller.name}, voici ce que coordo sait faire pour vous dans la ${ctx.cpts.name} :`
      : `Bonjour ! Votre compte n'est pas encore relié à la ${ctx.cpts.name}. Commencez par /adhesion ; en attendant :`;
    return {
      title: "Aide de coordo",
      text: intro,
      fields: open.map((c) => ({ name: `/${c.name}`, value: `${c.description}\nExemple : ${c.example}` })),
      ephemeral: true,
    };
  },
});
