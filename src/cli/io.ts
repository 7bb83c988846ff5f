// What every CLI subcommand receives: output streams and a way to open the application context.
import type { AppContext } from "../app/context.ts";

export interface CliIO {
  out(s: string): void;
  err(s: string): void;
  /** Opens config + migrated database; the caller must not close it (main does). */
  context(): Promise<AppContext>;
}

export type CliCommand = {
  name: string;
  summary: string;
  usage: string;
  run(args: string[], io: CliIO): Promise<number>;
};

/** Exit code for bad arguments (the message says which one and the expected form). */
export const EXIT_USAGE = 2;
