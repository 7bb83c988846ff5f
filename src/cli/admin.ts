// `coordo admin create --cpts <slug> --email <e-mail> --role coordonnateur|bureau [--mot-de-passe …]`
// creates a web admin account. Without --mot-de-passe a strong password is generated and printed once.
// `coordo admin mot-de-passe --email <e-mail> [--mot-de-passe …]` resets a forgotten password (its open
// sessions end; the audit log records it).
import { parseArgsFr } from "./args.ts";
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { hashPassword } from "../app/password.ts";
import { AdminRepository } from "../db/repos/admin-repo.ts";
import { CptsRepository } from "../db/repos/cpts-repo.ts";
import { isUniqueViolation } from "../db/client.ts";
import { EXIT_USAGE, type CliIO } from "./io.ts";

const USAGE = [
  "Utilisation :",
  "  coordo admin create --cpts <slug> --email <e-mail> --role coordonnateur|bureau [--mot-de-passe <mot de passe>]",
  "  coordo admin mot-de-passe --email <e-mail> [--mot-de-passe <mot de passe>]   (mot de passe oublié)",
].join("\n");

const resetArgs = z.object({
  email: z.email({ error: "--email : adresse e-mail valide requise" }),
  "mot-de-passe": z.string().min(12, "--mot-de-passe : 12 caractères au moins").max(200).optional(),
});

const createArgs = z.object({
  cpts: z.string({ error: "--cpts <slug> est requis" }).regex(/^[a-z0-9-]{2,40}$/, "--cpts : identifiant de CPTS (slug) attendu"),
  email: z.email({ error: "--email : adresse e-mail valide requise" }),
  role: z.enum(["coordonnateur", "bureau"], { error: "--role : « coordonnateur » ou « bureau » attendu" }),
  "mot-de-passe": z.string().min(12, "--mot-de-passe : 12 caractères au moins").max(200).optional(),
});

export async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "mot-de-passe" || sub === "password") return resetPassword(rest, io);
  if (sub !== "create" && sub !== "creer") {
    io.err(sub ? `Sous-commande inconnue : « ${sub} ».\n${USAGE}` : USAGE);
    return EXIT_USAGE;
  }
  let values: Record<string, unknown>;
  try {
    values = parseArgsFr({
      args: rest,
      options: { cpts: { type: "string" }, email: { type: "string" }, role: { type: "string" }, "mot-de-passe": { type: "string" } },
      strict: true,
    }).values;
  } catch (e) {
    io.err(`Option invalide : ${(e as Error).message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const parsed = createArgs.safeParse(values);
  if (!parsed.success) {
    io.err(`${parsed.error.issues.map((i) => i.message).join(" ; ")}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const a = parsed.data;
  const ctx = await io.context();
  const cpts = await new CptsRepository(ctx.db).bySlug(a.cpts);
  if (!cpts) {
    io.err(`Aucune CPTS « ${a.cpts} » : vérifiez l'identifiant (slug).`);
    return EXIT_USAGE;
  }
  const generated = a["mot-de-passe"] === undefined;
  const password = a["mot-de-passe"] ?? randomBytes(12).toString("base64url");
  const repo = new AdminRepository(ctx.db);
  try {
    await repo.createUser({ cptsId: cpts.id, email: a.email, passwordHash: await hashPassword(password), role: a.role === "coordonnateur" ? "COORDONNATEUR" : "BUREAU", actor: "cli" });
  } catch (e) {
    if (isUniqueViolation(e)) {
      io.err(`Un compte existe déjà pour ${a.email.toLowerCase()}.`);
      return EXIT_USAGE;
    }
    throw e;
  }
  io.out(`Compte ${a.role} créé pour ${a.email.toLowerCase()} (CPTS « ${cpts.name} »).`);
  if (generated) io.out(`Mot de passe généré (affiché une seule fois, à transmettre de façon sûre) : ${password}`);
  io.out(`Connexion : ${(ctx.config.PUBLIC_URL ?? `http://localhost:${ctx.config.PORT}`).replace(/\/$/, "")}/admin`);
  return 0;
}

async function resetPassword(args: string[], io: CliIO): Promise<number> {
  let values: Record<string, unknown>;
  try {
    values = parseArgsFr({ args, options: { email: { type: "string" }, "mot-de-passe": { type: "string" } }, strict: true }).values;
  } catch (e) {
    io.err(`Option invalide : ${(e as Error).message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const parsed = resetArgs.safeParse(values);
  if (!parsed.success) {
    io.err(`${parsed.error.issues.map((i) => i.message).join(" ; ")}\n${USAGE}`);
    return EXIT_USAGE;
  }
  const ctx = await io.context();
  const repo = new AdminRepository(ctx.db);
  const user = await repo.userByEmail(parsed.data.email);
  if (!user) {
    io.err(`Aucun compte d'administration pour ${parsed.data.email.toLowerCase()} : créez-le avec « coordo admin create ».`);
    return EXIT_USAGE;
  }
  const generated = parsed.data["mot-de-passe"] === undefined;
  const password = parsed.data["mot-de-passe"] ?? randomBytes(12).toString("base64url");
  await repo.setPassword(user.id, await hashPassword(password), "cli");
  io.out(`Mot de passe de ${user.email} remplacé ; ses sessions ouvertes sont fermées.`);
  if (generated) io.out(`Nouveau mot de passe (affiché une seule fois, à transmettre de façon sûre) : ${password}`);
  return 0;
}
