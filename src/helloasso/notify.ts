// Chat notices of the HelloAsso loop, queued in the outbox (delivered by the sender component).
import type { Db, Tx } from "../db/client.ts";

export interface ChatNotice {
  cptsId: string;
  idempotencyKey: string;
  kind: string;
  bodyText: string;
  refType?: string;
  refId?: string;
}

/** "<platform>:<workspace>:<channel>" of each chat workspace's alert channel of the CPTS. */
export async function alertRecipients(db: Db | Tx, cptsId: string): Promise<string[]> {
  const cpts = await db.cpts.findUnique({ where: { id: cptsId }, select: { alertChannelId: true, workspaces: true } });
  if (!cpts) return [];
  return cpts.workspaces.flatMap((w) => {
    const channel = w.alertChannelId ?? cpts.alertChannelId;
    return channel ? [`${w.platform.toLowerCase()}:${w.externalId}:${channel}`] : [];
  });
}

/** Queues one CHAT row per alert channel; a key already queued is left as it is. */
export async function noticeToAlertChannels(db: Db, notice: ChatNotice): Promise<number> {
  const recipients = await alertRecipients(db, notice.cptsId);
  let inserted = 0;
  for (const recipient of recipients) {
    const idempotencyKey = recipients.length > 1 ? `${notice.idempotencyKey}:${recipient}` : notice.idempotencyKey;
    const exists = await db.outboxMessage.findUnique({ where: { idempotencyKey }, select: { id: true } });
    if (exists) continue;
    try {
      await db.outboxMessage.create({
        data: { cptsId: notice.cptsId, idempotencyKey, channel: "CHAT", kind: notice.kind, recipient, bodyText: notice.bodyText, refType: notice.refType, refId: notice.refId },
      });
      inserted++;
    } catch (e) {
      if ((e as { code?: string }).code !== "P2002") throw e;
    }
  }
  return inserted;
}
