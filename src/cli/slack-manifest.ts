// `coordo slack-manifest [--socket]`: prints the Slack app manifest (JSON) generated from the command registry.
import { EXIT_USAGE, type CliIO } from "./io.ts";
import { ArgsError, parseArgsFr } from "./args.ts";
import { loadConfig, publicUrl } from "../config.ts";
import { commands } from "../../commands/index.ts";
import { slackManifest } from "../chat/slack/manifest.ts";

export async function run(args: string[], io: CliIO): Promise<number> {
  let socket: boolean | undefined;
  let url: string | undefined;
  try {
    const { values } = parseArgsFr({ args, options: { socket: { type: "boolean" }, url: { type: "string" } }, strict: true });
    socket = values.socket;
    url = values.url;
  } catch (e) {
    if (!(e instanceof ArgsError)) throw e;
    io.err(`${e.message}\nUsage : coordo slack-manifest [--socket] [--url https://coordo.exemple.fr]`);
    return EXIT_USAGE;
  }
  const config = loadConfig();
  io.out(JSON.stringify(slackManifest(commands, { publicUrl: url ?? publicUrl(config), socketMode: socket ?? Boolean(config.SLACK_APP_TOKEN) }), null, 2));
  return 0;
}
