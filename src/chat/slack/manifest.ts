// The Slack app manifest, generated from the command registry (never maintained by hand).
import type { CommandDef } from "../../../commands/types.ts";

export function slackManifest(registry: readonly CommandDef<any>[], opts: { publicUrl: string; socketMode: boolean; name?: string }) {
  const url = `${opts.publicUrl.replace(/\/$/, "")}/slack/events`;
  return {
    display_information: {
      name: opts.name ?? "coordo",
      description: "L'assistant de la CPTS : cotisations, newsletter, échéances, plan de crise, indemnités",
      background_color: "#1d5c8c",
    },
    features: {
      bot_user: { display_name: opts.name ?? "coordo", always_online: true },
      slash_commands: registry.map((c) => ({
        command: `/${c.name}`,
        description: c.description.slice(0, 100),
        usage_hint: c.options.map((o) => `${o.name}=…`).join(" ").slice(0, 100) || undefined,
        should_escape: false,
        ...(opts.socketMode ? {} : { url }),
      })),
    },
    oauth_config: {
      scopes: { bot: ["commands", "chat:write", "chat:write.public", "files:write", "im:write", "channels:read", "groups:read"] },
      // « Ajouter à Slack » from the admin CPTS page comes back here
      redirect_urls: [`${opts.publicUrl.replace(/\/$/, "")}/admin/chat/slack/retour`],
    },
    settings: {
      interactivity: { is_enabled: true, ...(opts.socketMode ? {} : { request_url: url }) },
      // app_uninstalled / tokens_revoked: the workspace's stored token is forgotten
      event_subscriptions: { ...(opts.socketMode ? {} : { request_url: url }), bot_events: ["app_uninstalled", "tokens_revoked"] },
      org_deploy_enabled: false,
      socket_mode_enabled: opts.socketMode,
      token_rotation_enabled: false,
    },
  };
}
