// The neutral reply as a Discord message, within Discord's limits: content 2000 characters; one
// embed (title 256, description 4096, 25 fields of 256/1024, 6000 in all); 5 rows of 5 buttons,
// labels 80, custom ids 100; ephemeral flag 64.
import { modalId, type Reply, type ReplyModal } from "../../../commands/types.ts";

export const DISCORD_LIMITS = { content: 2000, title: 256, description: 4096, fields: 25, fieldName: 256, fieldValue: 1024, embedTotal: 6000, rows: 5, buttonsPerRow: 5, label: 80, customId: 100 } as const;
export const EPHEMERAL = 64;
const STYLE = { primary: 1, secondary: 2, success: 3, danger: 4 } as const;

/**
 * Text typed by members or payers, made inert on Discord: @everyone/@here broken by a zero-width
 * space, `<@…>`, `<#…>`, `<@&…>`, `</…>` mention syntax broken after `<`, masked links `[x](url)`
 * broken between `]` and `(`. Messages also carry `allowed_mentions: { parse: [] }`.
 */
export function escapeDiscord(s: string): string {
  return s
    .replace(/@(everyone|here)\b/gi, "@\u200b$1")
    .replace(/<([@#/:!&a])/g, "<\u200b$1")
    .replace(/\]\(/g, "]\u200b(");
}

/** No mention in any message of coordo pings anyone (users, roles, @everyone). */
export const NO_MENTIONS = { parse: [] as string[] };

const cut = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

export interface DiscordMessage {
  content?: string;
  embeds?: { title?: string; description?: string; fields?: { name: string; value: string }[]; color?: number }[];
  components?: { type: 1; components: { type: 2; style: number; label: string; custom_id: string }[] }[];
  flags?: number;
  attachments?: { id: number; filename: string }[];
  allowed_mentions?: { parse: string[] };
}

export function renderDiscord(raw: Reply): DiscordMessage {
  const reply = escapeReply(raw);
  const msg: DiscordMessage = { allowed_mentions: NO_MENTIONS };
  const rich = Boolean(reply.title || reply.fields?.length);
  const contentParts = [rich ? "" : reply.text, reply.confirm ? `⚠️ ${reply.confirm}` : ""].filter(Boolean);
  if (contentParts.length) msg.content = cut(contentParts.join("\n\n"), DISCORD_LIMITS.content);
  if (rich) {
    const embed: NonNullable<DiscordMessage["embeds"]>[number] = { color: 0x1d5c8c };
    let budget = DISCORD_LIMITS.embedTotal;
    if (reply.title) budget -= (embed.title = cut(reply.title, DISCORD_LIMITS.title)).length;
    if (reply.text) budget -= (embed.description = cut(reply.text, Math.min(DISCORD_LIMITS.description, budget - 100))).length;
    const fields: { name: string; value: string }[] = [];
    for (const f of (reply.fields ?? []).slice(0, DISCORD_LIMITS.fields)) {
      const field = { name: cut(f.name, DISCORD_LIMITS.fieldName), value: cut(f.value || "—", DISCORD_LIMITS.fieldValue) };
      if (field.name.length + field.value.length > budget) break;
      budget -= field.name.length + field.value.length;
      fields.push(field);
    }
    if (fields.length) embed.fields = fields;
    msg.embeds = [embed];
  }
  const buttons = (reply.buttons ?? []).filter((b) => b.id.length <= DISCORD_LIMITS.customId).slice(0, DISCORD_LIMITS.rows * DISCORD_LIMITS.buttonsPerRow);
  if (buttons.length) {
    msg.components = [];
    for (let i = 0; i < buttons.length; i += DISCORD_LIMITS.buttonsPerRow) {
      msg.components.push({
        type: 1,
        components: buttons.slice(i, i + DISCORD_LIMITS.buttonsPerRow).map((b) => ({ type: 2, style: STYLE[b.style ?? "secondary"], label: cut(b.label, DISCORD_LIMITS.label), custom_id: b.id })),
      });
    }
  }
  if (reply.file) msg.attachments = [{ id: 0, filename: reply.file.name }];
  if (reply.ephemeral) msg.flags = EPHEMERAL;
  if (!msg.content && !msg.embeds) msg.content = "…";
  return msg;
}

function escapeReply(r: Reply): Reply {
  return {
    ...r,
    title: r.title === undefined ? undefined : escapeDiscord(r.title),
    text: escapeDiscord(r.text),
    confirm: r.confirm === undefined ? undefined : escapeDiscord(r.confirm),
    fields: r.fields?.map((f) => ({ name: escapeDiscord(f.name), value: escapeDiscord(f.value) })),
  };
}

/**
 * A modal (interaction callback type 9): one short text input per field, at most 5. Reopened by
 * « Corriger » (a modal cannot answer a modal submission), it keeps the typed values and marks the
 * refused fields « ⚠ » (labels hold 45 characters: the reasons are in the message that had the button).
 */
export function renderDiscordModal(modal: ReplyModal) {
  const refused = modal.fields.some((f) => f.error);
  return {
    custom_id: modalId(modal).slice(0, DISCORD_LIMITS.customId),
    title: (refused ? `À corriger : ${modal.title}` : modal.title).slice(0, 45),
    components: modal.fields.slice(0, 5).map((f) => ({
      type: 1,
      components: [{
        type: 4, custom_id: f.name, label: (f.error ? `⚠ ${f.label}` : f.label).slice(0, 45), style: 1, required: f.required ?? false,
        ...(f.placeholder ? { placeholder: f.placeholder.slice(0, 100) } : {}), ...(f.value ? { value: f.value.slice(0, 200) } : {}), max_length: 200,
      }],
    })),
  };
}
