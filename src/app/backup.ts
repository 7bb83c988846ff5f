// Backups of the database. SQLite: SQLite's online backup API (better-sqlite3 `.backup()`: a consistent
// copy while coordo runs, WAL included), then an integrity check of the copy. PostgreSQL: pg_dump's
// custom format when pg_dump is installed (a clear French message otherwise). Restore checks the file
// before anything is overwritten (integrity, a coordo database, not from a newer coordo), keeps a copy of
// the current database, then copies the backup in with the same online API (or pg_restore).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { engineOf, sqlitePath } from "../db/client.ts";
import { loadMigrations } from "../db/migrate.ts";
import { UserError } from "./errors.ts";

/** `coordo-2026-12-01-031500.db` (SQLite) or `.dump` (pg_dump custom format), Europe/Paris time. */
export function backupFileName(url: string, at: Date, daily = false): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const day = `${parts.year}-${parts.month}-${parts.day}`;
  const ext = engineOf(url) === "sqlite" ? "db" : "dump";
  return daily ? `coordo-${day}.${ext}` : `coordo-${day}-${parts.hour}${parts.minute}${parts.second}.${ext}`;
}

/** pg_dump / pg_restore on PATH or in Debian's PostgreSQL directories; null when absent. */
export function pgTool(name: "pg_dump" | "pg_restore"): string | null {
  const candidates: string[] = [name];
  try {
    for (const v of readdirSync("/usr/lib/postgresql").sort().reverse()) candidates.push(`/usr/lib/postgresql/${v}/bin/${name}`);
  } catch {
    // no Debian PostgreSQL directory
  }
  for (const c of candidates) if (spawnSync(c, ["--version"], { stdio: "ignore" }).status === 0) return c;
  return null;
}

const NO_PG_TOOL = (tool: string) =>
  `${tool} est introuvable : la sauvegarde d'une base PostgreSQL passe par les outils de PostgreSQL. Installez-les (Debian : apt install postgresql-client), ` +
  "ou utilisez la sauvegarde de votre hébergeur PostgreSQL.";

/** Why a SQLite file cannot be restored (French), or null when it can. */
export function checkSqliteBackup(file: string): string | null {
  if (!existsSync(file)) return `fichier introuvable : ${file}`;
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const integrity = db.pragma("integrity_check", { simple: true });
    if (integrity !== "ok") return `le fichier est abîmé (contrôle d'intégrité : ${String(integrity)})`;
    const table = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'coordo_migrations'").get();
    if (!table) return "ce n'est pas une base de coordo (table coordo_migrations absente)";
    const known = new Set(loadMigrations("sqlite").map((m) => m.name));
    const unknown = (db.prepare("SELECT name FROM coordo_migrations").all() as { name: string }[]).filter((r) => !known.has(r.name));
    if (unknown.length) return `cette sauvegarde vient d'une version plus récente de coordo (migration ${unknown[0]!.name} inconnue) : mettez coordo à jour d'abord`;
    return null;
  } catch (e) {
    return `le fichier n'est pas une base SQLite lisible (${(e as Error).message})`;
  } finally {
    db?.close();
  }
}

/** Writes a backup of `url` to `file`; returns its size in bytes. Throws UserError with a French message. */
export async function backupDatabase(url: string, file: string): Promise<number> {
  const target = resolve(file);
  mkdirSync(dirname(target), { recursive: true });
  if (existsSync(target)) throw new UserError(`Le fichier ${target} existe déjà : choisissez un autre nom (--vers).`);
  if (engineOf(url) === "sqlite") {
    const source = sqlitePath(url);
    if (!existsSync(source)) throw new UserError(`Base SQLite introuvable : ${source} (DATABASE_URL).`);
    const db = new Database(source, { readonly: true, fileMustExist: true, timeout: 10_000 });
    try {
      await db.backup(target);
    } finally {
      db.close();
    }
    // one self-contained file (the live base is in WAL mode: its copy would come with -wal/-shm files)
    const copy = new Database(target);
    try {
      copy.pragma("journal_mode = DELETE");
    } finally {
      copy.close();
    }
    const problem = checkSqliteBackup(target);
    if (problem) {
      rmSync(target, { force: true });
      throw new UserError(`Sauvegarde ratée, fichier supprimé : ${problem}.`);
    }
    return statSync(target).size;
  }
  const pgDump = pgTool("pg_dump");
  if (!pgDump) throw new UserError(NO_PG_TOOL("pg_dump"));
  const r = spawnSync(pgDump, ["--format=custom", "--no-owner", `--file=${target}`, `--dbname=${url}`], { encoding: "utf8" });
  if (r.status !== 0) {
    rmSync(target, { force: true });
    throw new UserError(`pg_dump a échoué : ${(r.stderr || r.error?.message || "").trim().split("\n")[0]}`);
  }
  return statSync(target).size;
}

/**
 * Replaces the database of `url` by the backup `file` after checking it; the current database is first
 * saved next to the daily backups (`avant-restauration-….db`). Returns that safety copy (SQLite).
 */
export async function restoreDatabase(url: string, file: string, backupDir: string, now: Date): Promise<{ safetyCopy?: string }> {
  const source = resolve(file);
  if (engineOf(url) === "sqlite") {
    const problem = checkSqliteBackup(source);
    if (problem) throw new UserError(`Restauration refusée, rien n'a été modifié : ${problem}.`);
    const target = sqlitePath(url);
    let safetyCopy: string | undefined;
    if (existsSync(target)) {
      safetyCopy = join(resolve(backupDir), `avant-restauration-${backupFileName(url, now)}`);
      await backupDatabase(url, safetyCopy);
    }
    mkdirSync(dirname(target), { recursive: true });
    const from = new Database(source, { readonly: true, fileMustExist: true });
    try {
      // the online backup API writes the whole copy into the live file (other connections see it at once)
      await from.backup(target);
    } finally {
      from.close();
    }
    return { safetyCopy };
  }
  const pgRestore = pgTool("pg_restore");
  if (!pgRestore) throw new UserError(NO_PG_TOOL("pg_restore"));
  if (!existsSync(source)) throw new UserError(`Restauration refusée, rien n'a été modifié : fichier introuvable : ${source}.`);
  const list = spawnSync(pgRestore, ["--list", source], { encoding: "utf8" });
  if (list.status !== 0 || !list.stdout.includes("coordo_migrations")) {
    throw new UserError("Restauration refusée, rien n'a été modifié : ce fichier n'est pas une sauvegarde pg_dump d'une base coordo.");
  }
  const r = spawnSync(pgRestore, ["--clean", "--if-exists", "--no-owner", "--single-transaction", `--dbname=${url}`, source], { encoding: "utf8" });
  if (r.status !== 0) throw new UserError(`pg_restore a échoué (transaction annulée, base inchangée) : ${(r.stderr || "").trim().split("\n")[0]}`);
  return {};
}

/** Daily backups beyond the `keep` most recent are deleted (only files named coordo-AAAA-MM-JJ.db). */
export function pruneDailyBackups(dir: string, keep: number): string[] {
  if (!existsSync(dir)) return [];
  const daily = readdirSync(dir).filter((f) => /^coordo-\d{4}-\d{2}-\d{2}\.db$/.test(f)).sort();
  const removed = daily.slice(0, Math.max(0, daily.length - keep));
  for (const f of removed) rmSync(join(dir, f), { force: true });
  return removed;
}
