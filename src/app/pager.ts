// Long replies cut into pages that fit every platform, so that nothing is dropped: at most 20
// fields and 20 buttons a page (Discord: 25 fields per embed, 5 rows of 5 buttons, one row kept
// for « Précédent » / « Suivant »; Slack: 50 blocks, 25 elements per actions block), text and
// fields within Discord's 2,000-character content and 6,000-character embed. Pure: the dispatcher
// stores the pages and wires the navigation buttons.
import type { Reply, ReplyField } from "../../commands/types.ts";

export const PAGE_LIMITS = {
  fields: 20,
  /** Characters of a page's fields as Discord counts them (name ≤ 256 + value ≤ 1024 each). */
  fieldChars: 3500,
  buttons: 20,
  /** Characters of a page's text (Discord content ≤ 2,000 with the « Page 2/3 » line). */
  textChars: 1800,
} as const;

/** Splits text at line breaks (else hard) into chunks of at most `max` characters. */
export function chunkText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    const pieces = line.length > max ? line.match(new RegExp(`[\\s\\S]{1,${max}}`, "g"))! : [line];
    for (const piece of pieces) {
      if (current && current.length + 1 + piece.length > max) {
        chunks.push(current);
        current = piece;
      } else current = current ? `${current}\n${piece}` : piece;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

const fieldSize = (f: ReplyField) => Math.min(f.name.length, 256) + Math.min(f.value.length || 1, 1024);

function chunkFields(fields: ReplyField[]): ReplyField[][] {
  const chunks: ReplyField[][] = [];
  let current: ReplyField[] = [];
  let chars = 0;
  for (const f of fields) {
    if (current.length && (current.length === PAGE_LIMITS.fields || chars + fieldSize(f) > PAGE_LIMITS.fieldChars)) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(f);
    chars += fieldSize(f);
  }
  if (current.length) chunks.push(current);
  return chunks;
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The « Page 2/3 » line shown at the end of each page's text. */
export const pageLabel = (index: number, count: number) => `Page ${index + 1}/${count}`;

/**
 * The pages of a reply (one page: the reply itself). Text, fields and buttons are cut
 * independently and page i shows the i-th part of each; buttons that fit on one page (actions on
 * the whole list) are shown on every page, with the confirmation text. The title is repeated, a
 * file goes with the first page. A form (modal) reply is never paged.
 */
export function splitPages(reply: Reply): Reply[] {
  if (reply.modal) return [reply];
  const texts = reply.text.length > PAGE_LIMITS.textChars ? chunkText(reply.text, PAGE_LIMITS.textChars) : [reply.text];
  const fields = chunkFields(reply.fields ?? []);
  const buttons = chunk(reply.buttons ?? [], PAGE_LIMITS.buttons);
  const count = Math.max(1, texts.length, fields.length, buttons.length);
  if (count === 1) return [reply];
  const everyPage = buttons.length <= 1;
  return Array.from({ length: count }, (_, i) => {
    const text = texts[i] ?? "";
    const pageButtons = everyPage ? buttons[0] : buttons[i];
    const page: Reply = { ...reply, text: `${text}${text ? "\n\n" : ""}${pageLabel(i, count)}`, fields: fields[i] ?? [], buttons: pageButtons ?? [] };
    if (!pageButtons?.length) delete page.confirm;
    if (i > 0) delete page.file;
    return page;
  });
}
