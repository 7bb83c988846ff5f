// `coordo slack-manifest [--socket]`: prints the Slack app manifest (JSON) generated from the command registry.
import { parseArgs } from "node:util";
import { EXIT_USAGE, type CliIO } from "./io.ts";
import { loadConfig, publicUrl } from "../config.ts";
import { commands } from "../../commands/index.ts";
import { slackManifest } from "../chat/slack/manifest.ts";

export async function run(args: string[], io: CliIO): Promise<number> {
  let socket: boolean | undefined;
  let url: string | undefined;
  try {
    const { values } = parseArgs({ args, options: { socket: { type: "boolean" }, url: { type: "string" } }, strict: true });
    socket = values.socket;
    url = values.url;
  } catch (e) {
    io.err(`Arguments invalides : ${(e as Error).message}\nUsage : coordo slack-manifest [--socket] [--url https://coordo.exemple.fr]`);
    return EXIT_USAGE;
  }
  const config = loadConfig();
  io.out(JSON.stringify(slackManifest(commands, { publicUrl: url ?? publicUrl(config), socketMode: socket ?? Boolean(config.SLACK_APP_TOKEN) }), null, 2));
  return 0;
}
