// An alert channel is accepted only when the platform places it in one of the CPTS's own linked
// workspaces (Slack team, Discord guild): a coordinator cannot route alerts into another tenant's
// server. Checked when the channel is set (here) and again when sending (each notifier).
import type { Db } from "../db/client.ts";
import { chatNotifierFor } from "./chat-notifier.ts";
import { UserError } from "./errors.ts";

export async function checkAlertChannel(db: Db, cptsId: string, value: string): Promise<void> {
  const channel = value.split(":").pop() ?? value;
  const workspaces = await db.chatWorkspace.findMany({ where: { cptsId }, select: { platform: true, externalId: true } });
  let checkable = false;
  for (const w of workspaces) {
    const notifier = chatNotifierFor(w.platform.toLowerCase());
    if (!notifier?.channelInWorkspace) continue;
    checkable = true;
    let belongs: boolean;
    try {
      belongs = await notifier.channelInWorkspace({ workspace: w.externalId, channel });
    } catch {
      throw new UserError("Impossible de vérifier ce salon auprès de la plateforme de chat pour le moment : réessayez dans un instant.", "alertChannelId");
    }
    if (belongs) return;
  }
  if (checkable) {
    throw new UserError("Ce salon n'appartient à aucun espace de chat relié à votre CPTS : indiquez l'identifiant d'un salon de votre propre serveur Discord ou espace Slack.", "alertChannelId");
  }
}
