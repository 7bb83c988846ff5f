// `coordo start [--demo]`: runs until SIGTERM or SIGINT, then stops within 10 s whatever is in flight.
import type { CliIO } from "./io.ts";
import { ConfigError, isLocalUrl, loadConfig, publicUrl } from "../config.ts";
import { createLogger } from "../log.ts";
import { parseArgsFr } from "./args.ts";
import { bindPort, StartError } from "../http/bind.ts";

const STOP_BUDGET_MS = 6_000; // app/start.ts's (not imported: the port is bound before the application loads)

export async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgsFr({ args, options: { demo: { type: "boolean" } }, allowPositionals: false, strict: true });
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  let running;
  // Signals are caught from the very start: a SIGTERM that arrives while coordo is still starting
  // (/health already answers) stops it as soon as it is up, instead of killing it mid-start.
  let signalled: string | undefined;
  let onSignal: ((sig: string) => void) | undefined;
  const caught = (sig: string) => {
    if (signalled) return;
    signalled = sig;
    log.info("signal reçu, arrêt en cours", { signal: sig });
    // last resort: whatever still holds the event loop (a hung socket), the process ends within 10 s
    setTimeout(() => {
      log.error("arrêt forcé : des opérations n'ont pas fini à temps (elles reprendront au prochain démarrage)");
      process.exit(1);
    }, STOP_BUDGET_MS + 1_500).unref();
    onSignal?.(sig);
  };
  process.once("SIGTERM", () => caught("SIGTERM"));
  process.once("SIGINT", () => caught("SIGINT"));
  try {
    if ((values.demo || config.COORDO_DEMO) && !isLocalUrl(publicUrl(config))) {
      throw new ConfigError(
        `La CPTS de démonstration (et son mot de passe publié) est refusée : PUBLIC_URL (${publicUrl(config)}) n'est pas une adresse locale. ` +
          "Démarrez sans --demo ni COORDO_DEMO=1, ou essayez coordo sur http://localhost.",
      );
    }
    // the port first, before the application is even loaded: a taken port fails in a fraction of a second
    const bound = await bindPort(config.PORT, config.HOST);
    const { startCoordo } = await import("../app/start.ts");
    running = await startCoordo(config, log, { demo: values.demo, bound });
  } catch (e) {
    if (!(e instanceof StartError)) throw e;
    io.err(e.message);
    return 1;
  }
  const stop = running.stop;
  await new Promise<void>((resolve) => {
    onSignal = () => void stop().then(resolve, resolve);
    if (signalled) onSignal(signalled);
  });
  // handles left open by a library (sockets in keep-alive...) must not keep the process alive
  setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
  return 0;
}
