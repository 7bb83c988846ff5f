// `coordo rebonds`: one poll of the bounce mailbox now (the service polls every BOUNCE_IMAP_POLL_SECONDS).
import type { CliIO } from "./io.ts";
import { parseArgsFr } from "./args.ts";
import { pollBounceMailbox } from "../mail/bounce-intake.ts";

export async function run(args: string[], io: CliIO): Promise<number> {
  parseArgsFr({ args, options: {}, allowPositionals: false, strict: true });
  const ctx = await io.context();
  if (!ctx.config.BOUNCE_IMAP_URL) {
    io.err("BOUNCE_IMAP_URL n'est pas défini : pas de boîte des rebonds à relever (voir README, « Rebonds après acceptation »).");
    return 2;
  }
  let c;
  try {
    c = await pollBounceMailbox(ctx);
  } catch (e) {
    io.err(`Relève de la boîte des rebonds impossible : ${(e as Error).message ?? String(e)}.`);
    return 1;
  }
  io.out(
    c.lus === 0
      ? "Boîte des rebonds relevée : aucun nouveau mail."
      : `Boîte des rebonds relevée : ${c.lus} mail(s) lu(s) — ${c.rebonds_definitifs} adresse(s) invalide(s), ${c.rebonds_temporaires} rejet(s) temporaire(s), ${c.plaintes} plainte(s), ${c.desabonnements} désabonnement(s), ${c.sans_suite} sans suite.`,
  );
  return 0;
}
