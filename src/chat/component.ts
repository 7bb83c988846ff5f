// The chat component of `coordo start`: Slack (HTTP route or Socket Mode) and Discord (gateway
// and/or HTTP interactions endpoint) only when their settings are present — nothing is contacted
// otherwise — and the interactive console when no platform token is set (see consoleWanted).
import type { Component, RunningComponent } from "../app/components.ts";
import { Dispatcher } from "../app/dispatcher.ts";
import { consoleChatComponent } from "./console/component.ts";
import { addReadyCheck } from "../http/server.ts";

// The platform SDKs (Bolt, discord.js) cost ~50 MB and seconds of start time: loaded only when configured.
const slackAdapter = () => import("./slack/adapter.ts");
const discordAdapter = () => import("./discord/adapter.ts");

export const chatComponent: Component = {
  name: "chat",
  async start(ctx, http) {
    const { config } = ctx;
    const running: RunningComponent[] = [];
    const dispatcher = new Dispatcher(ctx);
    // OAuth installs (one bot token per workspace, SLACK_CLIENT_ID…) and/or the static single-workspace token
    const oauth = Boolean(config.SLACK_CLIENT_ID && config.SLACK_CLIENT_SECRET && config.COORDO_SECRET_KEY);
    if ((config.SLACK_BOT_TOKEN || oauth) && (config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN)) {
      const { startSlack } = await slackAdapter();
      const installations = oauth ? new (await import("./slack/installations.ts")).DbSlackInstallations(ctx.db, config.COORDO_SECRET_KEY!) : undefined;
      running.push(
        await startSlack(ctx, http, dispatcher, {
          botToken: config.SLACK_BOT_TOKEN, signingSecret: config.SLACK_SIGNING_SECRET, appToken: config.SLACK_APP_TOKEN, slackApiUrl: config.SLACK_API_URL,
          installations, forget: installations ? (teamId) => installations.forget(teamId) : undefined,
        }),
      );
      ctx.log.info("Slack connecté", { mode: config.SLACK_APP_TOKEN ? "socket" : "http" });
    }
    if (config.DISCORD_PUBLIC_KEY) (await discordAdapter()).mountDiscordInteractions(ctx, http, dispatcher, { publicKey: config.DISCORD_PUBLIC_KEY, apiBase: config.DISCORD_API_URL });
    if (config.DISCORD_TOKEN) {
      if (!config.DISCORD_APPLICATION_ID) ctx.log.warn("DISCORD_TOKEN sans DISCORD_APPLICATION_ID : Discord non démarré (ni envois ni commandes)");
      else {
        const discord = await discordAdapter();
        const opts = { token: config.DISCORD_TOKEN, applicationId: config.DISCORD_APPLICATION_ID, apiBase: config.DISCORD_API_URL };
        // REST side (alerts, follow-ups, command registration) whether or not the gateway runs
        running.push(await discord.startDiscordRest(ctx, opts));
        // the gateway is only needed without the HTTP interactions endpoint (or when asked for)
        if (config.DISCORD_GATEWAY ?? !config.DISCORD_PUBLIC_KEY) running.push(await discord.startDiscordGateway(ctx, dispatcher, opts));
        ctx.log.info("Discord connecté", { mode: config.DISCORD_GATEWAY ?? !config.DISCORD_PUBLIC_KEY ? "passerelle" : "http" });
      }
    }
    const local = await consoleChatComponent.start(ctx, http);
    if (local) running.push(local);
    const adapters = [
      ...((config.SLACK_BOT_TOKEN || oauth) && (config.SLACK_SIGNING_SECRET || config.SLACK_APP_TOKEN) ? [config.SLACK_APP_TOKEN ? "slack (socket)" : "slack (http)"] : []),
      ...(config.DISCORD_PUBLIC_KEY ? ["discord (http)"] : []),
      ...(config.DISCORD_TOKEN && config.DISCORD_APPLICATION_ID ? ["discord (passerelle)"] : []),
      ...(local ? ["console"] : []),
    ];
    addReadyCheck(http, "chat", async () => ({ ok: true, adaptateurs: adapters }));
    return {
      interactive() {
        for (const r of running) r.interactive?.();
      },
      async stop() {
        for (const r of running.reverse()) await r.stop();
      },
    };
  },
};
