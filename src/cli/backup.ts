// `coordo sauvegarde [--vers FICHIER]` and `coordo restauration FICHIER --confirmer`.
import { join } from "node:path";
import type { CliIO } from "./io.ts";
import { EXIT_USAGE } from "./io.ts";
import { loadConfig } from "../config.ts";
import { ArgsError, parseArgsFr } from "./args.ts";
import { backupDatabase, backupFileName, restoreDatabase } from "../app/backup.ts";
import { engineOf } from "../db/client.ts";

const mo = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1).replace(".", ",")} Mo`;

export async function sauvegarde(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgsFr({ args, options: { vers: { type: "string" } }, allowPositionals: false, strict: true });
  const config = loadConfig();
  if (values.vers !== undefined && values.vers.trim() === "") throw new ArgsError("L'option « --vers » attend un nom de fichier (par exemple --vers /var/backups/coordo.db).");
  const file = values.vers ?? join(config.BACKUP_DIR, backupFileName(config.DATABASE_URL, new Date()));
  const size = await backupDatabase(config.DATABASE_URL, file);
  io.out(`Sauvegarde écrite : ${file} (${mo(size)}${engineOf(config.DATABASE_URL) === "sqlite" ? ", intégrité vérifiée" : ", format pg_dump"}).`);
  io.out(`Pour la restaurer : coordo restauration ${file} --confirmer (coordo arrêté).`);
  return 0;
}

export async function restauration(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgsFr({ args, options: { confirmer: { type: "boolean" } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw new ArgsError("Indiquez un fichier de sauvegarde : coordo restauration FICHIER --confirmer.");
  const config = loadConfig();
  if (!values.confirmer) {
    io.err(
      `La restauration remplace toute la base actuelle (${engineOf(config.DATABASE_URL) === "sqlite" ? "une copie en est gardée d'abord" : "PostgreSQL"}) par ${positionals[0]}. ` +
        "Arrêtez coordo, puis relancez avec --confirmer.",
    );
    return EXIT_USAGE;
  }
  const { safetyCopy } = await restoreDatabase(config.DATABASE_URL, positionals[0]!, config.BACKUP_DIR, new Date());
  io.out(`Base restaurée depuis ${positionals[0]}.${safetyCopy ? ` L'ancienne base est gardée dans ${safetyCopy}.` : ""}`);
  io.out("Redémarrez coordo (les migrations manquantes seront appliquées).");
  return 0;
}
