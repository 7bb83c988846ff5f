// The neutral reply as Slack Block Kit, within Slack's limits: 50 blocks per message, 3000
// characters per section text, 10 fields of 2000 characters per section, 150 for a header,
// 75 for a button label, 25 elements per actions block.
import type { Reply } from "../../../commands/types.ts";
import { chunkText } from "../../app/pager.ts";

export { chunkText };

export const SLACK_LIMITS = { blocks: 50, sectionText: 3000, fieldText: 2000, fieldsPerSection: 10, header: 150, buttonText: 75, actionsPerBlock: 25, fallbackText: 3000 } as const;

type Block = Record<string, unknown>;

/**
 * Text typed by members or payers, made inert in mrkdwn: `&`, `<`, `>` escaped (no `<url|label>`
 * links, no `<!channel>`, `<@U…>` or `<!subteam…>` mentions) and the bare words @here, @channel,
 * @everyone broken by a word joiner (Slack links them when `link_names` is on).
 */
export function escapeMrkdwn(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/@(here|channel|everyone)\b/gi, "@\u2060$1");
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

const section = (text: string): Block => ({ type: "section", text: { type: "mrkdwn", text } });

export interface SlackMessage {
  text: string;
  blocks: Block[];
  response_type: "ephemeral" | "in_channel";
}

export function renderSlack(reply: Reply, opts: { fileInline?: boolean } = {}): SlackMessage {
  const content: Block[] = [];
  if (reply.title) content.push({ type: "header", text: { type: "plain_text", text: truncate(reply.title, SLACK_LIMITS.header) } });
  if (reply.text) for (const c of chunkText(escapeMrkdwn(reply.text), SLACK_LIMITS.sectionText)) content.push(section(c));
  const fields = (reply.fields ?? []).map((f) => ({ type: "mrkdwn", text: truncate(`*${escapeMrkdwn(f.name)}*\n${escapeMrkdwn(f.value)}`, SLACK_LIMITS.fieldText) }));
  for (let i = 0; i < fields.length; i += SLACK_LIMITS.fieldsPerSection) content.push({ type: "section", fields: fields.slice(i, i + SLACK_LIMITS.fieldsPerSection) });
  if (reply.confirm) content.push({ type: "context", elements: [{ type: "mrkdwn", text: truncate(`:warning: ${escapeMrkdwn(reply.confirm)}`, SLACK_LIMITS.sectionText) }] });
  if (reply.file && opts.fileInline !== false) {
    const fence = "```";
    const room = SLACK_LIMITS.sectionText - 2 * fence.length - 80;
    const body = reply.file.content.length > room ? `${reply.file.content.slice(0, room)}\n…` : reply.file.content;
    content.push(section(`${escapeMrkdwn(reply.file.name)} :\n${fence}${escapeMrkdwn(body)}${fence}`));
  }
  const actions: Block[] = [];
  const buttons = (reply.buttons ?? []).map((b) => ({
    type: "button",
    text: { type: "plain_text", text: truncate(b.label, SLACK_LIMITS.buttonText) },
    action_id: b.id,
    value: b.id,
    ...(b.style === "primary" || b.style === "success" ? { style: "primary" } : b.style === "danger" ? { style: "danger" } : {}),
  }));
  for (let i = 0; i < buttons.length; i += SLACK_LIMITS.actionsPerBlock) actions.push({ type: "actions", elements: buttons.slice(i, i + SLACK_LIMITS.actionsPerBlock) });
  const room = SLACK_LIMITS.blocks - actions.length;
  const kept = content.length > room ? [...content.slice(0, room - 1), section("… réponse tronquée : la suite est dans l'administration web.")] : content;
  return {
    text: truncate(reply.title ? `${reply.title} — ${reply.text}` : reply.text || " ", SLACK_LIMITS.fallbackText),
    blocks: [...kept, ...actions],
    response_type: reply.ephemeral ? "ephemeral" : "in_channel",
  };
}
