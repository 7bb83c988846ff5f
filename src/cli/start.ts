import type { CliIO } from "./io.ts";
import { loadConfig } from "../config.ts";
import { createLogger } from "../log.ts";
import { startCoordo } from "../app/start.ts";

export async function run(args: string[], _io: CliIO): Promise<number> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  const running = await startCoordo(config, log, { demo: args.includes("--demo") });
  await new Promise<void>((resolve) => {
    const onSignal = (sig: string) => {
      log.info("signal reçu, arrêt en cours", { signal: sig });
      running.stop().then(resolve, resolve);
    };
    process.once("SIGTERM", () => onSignal("SIGTERM"));
    process.once("SIGINT", () => onSignal("SIGINT"));
  });
  return 0;
}
