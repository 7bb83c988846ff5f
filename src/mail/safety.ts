// Checks that sending real mail will not hurt the members: `coordo start` and `coordo job run` refuse to run
// with SMTP_URL set when the mails would carry http links (RFC 8058 one-click unsubscribe wants https) or
// an address on a domain nobody can verify (Message-IDs and SPF/DKIM then point nowhere).
import { existsSync } from "node:fs";
import type { Config } from "../config.ts";
import { domainOf, parseMailbox } from "./identity.ts";

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** A domain that can never be a verified sender (RFC 2606 / 6761 names, no dot, IP literal). */
export function isPlaceholderDomain(domain: string): boolean {
  const d = domain.toLowerCase().replace(/\.$/, "");
  if (!d.includes(".") || /^\[.*\]$/.test(d) || /^\d+(\.\d+){3}$/.test(d)) return true;
  if (/(^|\.)(localhost|local|localdomain|example|invalid|test|internal)$/.test(d)) return true;
  return /(^|\.)example\.(com|net|org)$/.test(d);
}

/** The first problem with the mail configuration, as one French line naming the variable; undefined if fine. */
export function mailConfigProblem(config: Config): string | undefined {
  const dkim = [config.DKIM_DOMAIN, config.DKIM_SELECTOR, config.DKIM_PRIVATE_KEY].filter(Boolean).length;
  if (dkim > 0 && dkim < 3) return "DKIM_DOMAIN, DKIM_SELECTOR et DKIM_PRIVATE_KEY vont ensemble : définissez les trois (ou aucune).";
  if (config.DKIM_PRIVATE_KEY && !config.DKIM_PRIVATE_KEY.includes("-----BEGIN") && !existsSync(config.DKIM_PRIVATE_KEY)) {
    return "DKIM_PRIVATE_KEY : ni une clé PEM (-----BEGIN …) ni un fichier existant.";
  }
  if (config.BOUNCE_IMAP_URL) {
    const imap = new URL(config.BOUNCE_IMAP_URL);
    if (imap.protocol === "imap:" && !LOCAL_HOSTS.has(imap.hostname)) {
      return "BOUNCE_IMAP_URL doit être en imaps:// (TLS) : imap:// enverrait le mot de passe en clair (permis seulement vers localhost).";
    }
  }
  if (!config.SMTP_URL) return undefined;
  if (!config.PUBLIC_URL) {
    return "PUBLIC_URL doit être défini (https://…) quand SMTP_URL l'est : les liens de désabonnement des mails en dépendent.";
  }
  const url = new URL(config.PUBLIC_URL);
  if (url.protocol !== "https:") {
    const local = LOCAL_HOSTS.has(url.hostname);
    if (!(local && config.ALLOW_HTTP_PUBLIC_URL)) {
      return `PUBLIC_URL doit être en https:// quand SMTP_URL est défini (reçu « ${config.PUBLIC_URL} »)${local ? " ; ALLOW_HTTP_PUBLIC_URL=1 l'autorise pour des tests en local" : ""}.`;
    }
  }
  const from = parseMailbox(config.MAIL_FROM).address;
  if (!/^[^@\s]+@[^@\s]+$/.test(from) || isPlaceholderDomain(domainOf(from))) {
    return `MAIL_FROM doit être une adresse sur un vrai domaine, vérifié chez votre relais SMTP (reçu « ${config.MAIL_FROM} »), par exemple « CPTS <contact@cpts-exemple.fr> ».`;
  }
  if (config.BOUNCE_ADDRESS && isPlaceholderDomain(domainOf(config.BOUNCE_ADDRESS))) {
    return `BOUNCE_ADDRESS doit être sur un vrai domaine (reçu « ${config.BOUNCE_ADDRESS} »).`;
  }
  return undefined;
}
