// The admin component: the web admin under /admin and the secret iCalendar feed under /ical.
import type { Component } from "../app/components.ts";
import { createAdminApp } from "./app.tsx";
import { icalFeed } from "./ical.ts";

export const adminComponent: Component = {
  name: "admin",
  async start(ctx, http) {
    http.route("/admin", createAdminApp(ctx));
    http.get("/ical/:file", (c) => icalFeed(ctx, c));
  },
};
