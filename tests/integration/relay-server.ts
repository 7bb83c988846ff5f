// A real SMTP relay on 127.0.0.1 (smtp-server) that misbehaves the way real relays do, switchable while it runs:
// refuse the sender at MAIL FROM (unverified domain), refuse the content after DATA (554), refuse every
// recipient at RCPT TO (relay access denied), or refuse only some recipients (unknown mailboxes).
import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";

export type RelayMode = "accept" | "mailfrom550" | "data554" | "rcpt550all";

export interface Relay {
  port: number;
  url: string;
  mode: RelayMode;
  /** Recipients refused at RCPT TO with 550 5.1.1 in every mode. */
  unknown: Set<string>;
  /** Accepted messages: envelope recipients and Message-ID. */
  accepted: { to: string[]; messageId: string | null }[];
  refusals: { at: "MAIL FROM" | "RCPT TO" | "DATA"; code: number }[];
  /** Recipient → distinct Message-IDs accepted, and raw count. */
  byRecipient(): Map<string, { ids: Set<string | null>; raw: number }>;
  close(): Promise<void>;
}

const refusal = (code: number, text: string) => Object.assign(new Error(text), { responseCode: code });

export async function startRelay(mode: RelayMode = "accept"): Promise<Relay> {
  const relay = { mode, unknown: new Set<string>(), accepted: [], refusals: [] } as unknown as Relay;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    maxClients: 100,
    onMailFrom(_address, _session, cb) {
      if (relay.mode === "mailfrom550") {
        relay.refusals.push({ at: "MAIL FROM", code: 550 });
        return cb(refusal(550, "5.7.1 Sender domain not verified (domaine d'expédition non vérifié)"));
      }
      cb();
    },
    onRcptTo(address, _session, cb) {
      const a = address.address.toLowerCase();
      if (relay.mode === "rcpt550all") {
        relay.refusals.push({ at: "RCPT TO", code: 550 });
        return cb(refusal(550, "5.7.1 Relay access denied"));
      }
      if (relay.unknown.has(a)) {
        relay.refusals.push({ at: "RCPT TO", code: 550 });
        return cb(refusal(550, "5.1.1 Unknown user"));
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.length < 4 && chunks.push(c));
      stream.on("end", () => {
        if (relay.mode === "data554") {
          relay.refusals.push({ at: "DATA", code: 554 });
          return cb(refusal(554, "5.7.1 Message refused: policy violation"));
        }
        const head = Buffer.concat(chunks).toString("utf8").split(/\r?\n\r?\n/)[0] ?? "";
        relay.accepted.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), messageId: /^message-id:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? null });
        cb();
      });
    },
  });
  // a client killed mid-session resets its socket
  server.on("error", () => {});
  server.server.on("connection", (s) => s.on("error", () => {}));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  relay.port = (server.server.address() as AddressInfo).port;
  relay.url = `smtp://127.0.0.1:${relay.port}`;
  relay.byRecipient = () => {
    const m = new Map<string, { ids: Set<string | null>; raw: number }>();
    for (const a of relay.accepted) {
      for (const to of a.to) {
        const e = m.get(to) ?? { ids: new Set(), raw: 0 };
        e.ids.add(a.messageId);
        e.raw++;
        m.set(to, e);
      }
    }
    return m;
  };
  relay.close = () => new Promise<void>((r) => server.close(() => r()));
  return relay;
}
