// `coordo adresses [--cpts slug]` lists the addresses flagged « invalide » (date, server's reason);
// `coordo adresses retablir --cpts slug (--email e-mail … | --toutes)` clears flags set by mistake and re-queues
// the mails that failed because of them.
import { parseArgsFr } from "./args.ts";
import { EXIT_USAGE, type CliIO } from "./io.ts";
import { clearEmailFlags, flaggedMembers } from "../app/services/email-flags.ts";
import { formatDateTimeFr } from "../rules/paris-time.ts";

const USAGE = [
  "Utilisation :",
  "  coordo adresses [--cpts slug]                                   les adresses marquées invalides (date, raison)",
  "  coordo adresses retablir --cpts slug (--email e-mail … | --toutes)  lève le marquage et remet en file les mails en échec",
].join("\n");

export async function run(args: string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgsFr({ args, allowPositionals: true, options: { cpts: { type: "string" }, email: { type: "string", multiple: true }, toutes: { type: "boolean" } } });
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const [sub, ...extra] = parsed.positionals;
  if ((sub !== undefined && sub !== "retablir" && sub !== "rétablir" && sub !== "liste") || extra.length) {
    io.err(`Sous-commande inconnue : « ${[sub, ...extra].join(" ")} ».\n${USAGE}`);
    return EXIT_USAGE;
  }
  const v = parsed.values;
  const clearing = sub === "retablir" || sub === "rétablir";
  if (clearing && !v.cpts) {
    io.err(`Indiquez la CPTS avec --cpts.\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (clearing && !v.toutes === !(v.email?.length)) {
    io.err(`Indiquez soit --email (une ou plusieurs adresses), soit --toutes.\n${USAGE}`);
    return EXIT_USAGE;
  }
  const ctx = await io.context();
  const cptsList = await ctx.db.cpts.findMany({ where: v.cpts ? { slug: v.cpts } : {}, select: { id: true, slug: true, name: true }, orderBy: { slug: "asc" } });
  if (v.cpts && cptsList.length === 0) {
    io.err(`CPTS « ${v.cpts} » introuvable.`);
    return EXIT_USAGE;
  }
  if (!clearing) {
    let total = 0;
    for (const c of cptsList) {
      const flagged = await flaggedMembers(ctx.db, c.id);
      if (flagged.length === 0) continue;
      total += flagged.length;
      io.out(`${c.name} (${c.slug}) : ${flagged.length} adresse(s) marquée(s) invalide(s)`);
      for (const m of flagged) io.out(`  ${m.email ?? "(sans adresse)"}  ${m.name}  ${m.at ? `le ${formatDateTimeFr(m.at)}` : ""}${m.reason ? `  raison : ${m.reason}` : ""}`);
    }
    if (total === 0) io.out("Aucune adresse marquée invalide.");
    return 0;
  }
  const cpts = cptsList[0]!;
  let ids: string[] | "tous" = "tous";
  if (v.email?.length) {
    const wanted = v.email.map((e) => e.trim().toLowerCase());
    const found = await ctx.db.member.findMany({ where: { cptsId: cpts.id, email: { in: wanted } }, select: { id: true, email: true, emailInvalid: true } });
    const missing = wanted.filter((e) => !found.some((f) => f.email?.toLowerCase() === e));
    if (missing.length) {
      io.err(`Adresse(s) inconnue(s) dans ${cpts.name} : ${missing.join(", ")}. Rien n'a été modifié.`);
      return 1;
    }
    const notFlagged = found.filter((f) => !f.emailInvalid).map((f) => f.email);
    if (notFlagged.length) io.out(`Déjà valide(s), rien à faire : ${notFlagged.join(", ")}`);
    ids = found.filter((f) => f.emailInvalid).map((f) => f.id);
  }
  const r = await clearEmailFlags(ctx.db, cpts.id, ids, "cli:adresses");
  io.out(`${cpts.name} : ${r.cleared} adresse(s) rétablie(s), ${r.requeued} mail(s) en échec remis en file (ils partiront avec le service coordo start).`);
  return 0;
}
