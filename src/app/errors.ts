// An error whose message is a French sentence meant for the user (what is wrong, how to fix it).
// Anything else is internal: logged with context, shown as a short apology with a reference id.
export class UserError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "UserError";
  }
}

export function errorReference(): string {
  return Math.random().toString(36).slice(2, 8).toUpperCase();
}

export { zodIssuesFr } from "../zod-fr.ts";

/** At most `max` characters of a value someone typed, for error messages (never the whole of it). */
export function excerpt(value: unknown, max = 40): string {
  const s = String(value).replace(/\s+/g, " ");
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
