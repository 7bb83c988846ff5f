// Chat notices to a CPTS's alert channels (one per chat workspace), queued in the outbox.
import type { Db, Tx } from "../db/client.ts";
import { enqueueMessages, inTransaction } from "../app/services/outbox.ts";

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
    const channel = w.alertChannelId ?? cpts.alertChannelId?.split(":").pop();
    return channel ? [`${w.platform.toLowerCase()}:${w.externalId}:${channel}`] : [];
  });
}

/** Queues one CHAT row per alert channel; a key already queued is left as it is. */
export async function noticeToAlertChannels(db: Db, notice: ChatNotice): Promise<number> {
  const recipients = await alertRecipients(db, notice.cptsId);
  return inTransaction(db, (tx) =>
    enqueueMessages(
      tx,
      recipients.map((recipient) => ({
        cptsId: notice.cptsId,
        idempotencyKey: `${notice.idempotencyKey}:${recipient}`,
        channel: "CHAT" as const,
        kind: notice.kind,
        recipient,
        bodyText: notice.bodyText,
        refType: notice.refType,
        refId: notice.refId,
      })),
    ),
  );
}
