// `coordo chat`: runs one chat command as a member through the console adapter and prints the reply;
// `coordo chat lier`: links a Discord guild / Slack team to a CPTS.
import { EXIT_USAGE, type CliIO } from "./io.ts";
import { ArgsError, parseArgsFr } from "./args.ts";
import { UserError } from "../app/errors.ts";
import { ConsoleChat } from "../chat/console/adapter.ts";
import { renderText } from "../chat/console/render.ts";
import { linkRepresentativeAccounts } from "../app/services/federation.ts";
import { ChatRepository } from "../db/repos/chat-repo.ts";

export const USAGE =
  'Usage : coordo chat --cpts <slug> --as <e-mail du membre> "/commande options" [--click "<libellé du bouton>" ...]\n' +
  "        coordo chat lier --cpts <slug> --plateforme discord|slack --espace <identifiant du serveur ou de l'espace>";

export async function run(args: string[], io: CliIO): Promise<number> {
  let values: { cpts?: string; as?: string; click?: string[]; plateforme?: string; espace?: string };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgsFr({
      args,
      options: { cpts: { type: "string" }, as: { type: "string" }, click: { type: "string", multiple: true }, plateforme: { type: "string" }, espace: { type: "string" } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (e) {
    if (!(e instanceof ArgsError)) throw e;
    io.err(`${e.message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (positionals[0] === "lier") return link(values, io);
  if (!values.cpts || !values.as || positionals.length !== 1) {
    io.err(`Indiquez --cpts, --as et une commande entre guillemets.\n${USAGE}`);
    return EXIT_USAGE;
  }
  const ctx = await io.context();
  const chat = new ConsoleChat(ctx);
  chat.onProgress = (text) => io.out(`⏳ ${text}`);
  try {
    const session = await chat.session(values.cpts, values.as);
    const replies = [await chat.command(session, positionals[0]!)];
    io.out(renderText(replies[0]!));
    for (const label of values.click ?? []) {
      io.out(`\n> clic « ${label} »`);
      replies.push(await chat.click(session, replies, label));
      io.out(renderText(replies.at(-1)!));
    }
    return 0;
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    io.err(e.message);
    return 1;
  }
}

async function link(values: { cpts?: string; plateforme?: string; espace?: string }, io: CliIO): Promise<number> {
  const platform = values.plateforme?.toUpperCase();
  if (!values.cpts || !values.espace || (platform !== "DISCORD" && platform !== "SLACK")) {
    io.err(`Indiquez --cpts, --plateforme (discord ou slack) et --espace.\n${USAGE}`);
    return EXIT_USAGE;
  }
  const ctx = await io.context();
  const cpts = await ctx.db.cpts.findUnique({ where: { slug: values.cpts }, select: { id: true, name: true } });
  if (!cpts) {
    io.err(`CPTS « ${values.cpts} » introuvable.`);
    return 1;
  }
  const r = await new ChatRepository(ctx.db).linkWorkspace(platform, values.espace, cpts.id);
  if (r.otherCptsId) {
    io.err(`Cet espace est déjà relié à une autre CPTS : un espace ne sert qu'une CPTS.`);
    return 1;
  }
  io.out(r.created ? `Espace ${values.plateforme} ${values.espace} relié à la ${cpts.name}.` : `Cet espace était déjà relié à la ${cpts.name}.`);
  // An inter-CPTS: its member CPTS's representatives vote from this space too.
  const linked = await linkRepresentativeAccounts(ctx, cpts.id, "cli");
  if (linked) io.out(`${linked} compte(s) de représentant·es des CPTS membres relié(s) dans cet espace.`);
  return 0;
}
