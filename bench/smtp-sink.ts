// A local SMTP server for the benchmarks and the fault tests (smtp-server on 127.0.0.1). It records
// every accepted message (recipients, Message-ID, instant) and can misbehave on purpose: drop the
// connection, answer 421 (temporary) or 550 (permanent) — for every message, or for the first N.
//
// In-process: `await startSink({ mode })`. As its own process (the bench, so that the SMTP server
// does not share a core's event loop with coordo): `node --import tsx bench/smtp-sink.ts`, prints
// "PORT <n>", then answers "STATS" on stdin with one JSON line and exits on "EXIT".
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from "smtp-server";

/** "550rcpt": the recipient is refused at RCPT TO (unknown mailbox); "550": the message is refused after DATA. */
export type SinkMode = "accept" | "drop" | "421" | "550" | "550rcpt";

export interface SinkOptions {
  mode?: SinkMode;
  /** Misbehave only for the first `failFirst` messages, then accept (default: always). */
  failFirst?: number;
  /** Misbehave only for these recipients (default: every recipient). */
  failRecipients?: string[];
  maxClients?: number;
  /** Keep each message's headers (tests look at Message-ID, Subject...); off for throughput runs. */
  keepHeaders?: boolean;
}

export interface AcceptedMessage {
  to: string[];
  from: string;
  messageId: string | null;
  headers?: string;
  at: number;
}

export interface SinkStats {
  accepted: number;
  refused: number;
  dropped: number;
  bytes: number;
  firstAt: number | null;
  lastAt: number | null;
  perSecond: number[];
  byRecipient: Record<string, number>;
}

export interface Sink {
  port: number;
  messages: AcceptedMessage[];
  stats(): SinkStats;
  /** Forgets the messages and counters (between two measures). */
  reset(): void;
  /** Changes the behaviour from now on. */
  setMode(mode: SinkMode, failFirst?: number): void;
  close(): Promise<void>;
}

export async function startSink(opts: SinkOptions = {}): Promise<Sink> {
  let mode: SinkMode = opts.mode ?? "accept";
  let failLeft = opts.failFirst ?? Number.POSITIVE_INFINITY;
  const failRecipients = opts.failRecipients ? new Set(opts.failRecipients.map((r) => r.toLowerCase())) : null;
  const messages: AcceptedMessage[] = [];
  const counters = { refused: 0, dropped: 0, bytes: 0 };

  const shouldFail = (session: SMTPServerSession) => {
    if (mode === "accept" || mode === "550rcpt" || failLeft <= 0) return false;
    if (failRecipients && !session.envelope.rcptTo.some((r) => failRecipients.has(r.address.toLowerCase()))) return false;
    failLeft--;
    return true;
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    banner: "coordo bench sink",
    size: 20 * 1024 * 1024,
    maxClients: opts.maxClients ?? 200,
    onRcptTo(address, _session, cb) {
      const a = address.address.toLowerCase();
      if (mode !== "550rcpt" || failLeft <= 0 || (failRecipients && !failRecipients.has(a))) return cb();
      failLeft--;
      counters.refused++;
      cb(Object.assign(new Error("5.1.1 Boîte aux lettres inexistante (test)"), { responseCode: 550 }));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      let headerDone = !opts.keepHeaders;
      let size = 0;
      stream.on("data", (c: Buffer) => {
        size += c.length;
        if (!headerDone || size < 16_384) chunks.push(c);
        if (!headerDone && Buffer.concat(chunks).includes("\r\n\r\n")) headerDone = true;
      });
      stream.on("end", () => {
        counters.bytes += size;
        if (shouldFail(session)) {
          if (mode === "drop") {
            counters.dropped++;
            // Vanish after the data: the client never learns whether the message was taken.
            destroyConnection(server, session.id);
            return;
          }
          counters.refused++;
          const err = new Error(mode === "421" ? "Service temporairement indisponible (test)" : "Boîte aux lettres inexistante (test)") as Error & { responseCode: number };
          err.responseCode = mode === "421" ? 421 : 550;
          return cb(err);
        }
        const raw = Buffer.concat(chunks).toString("utf8");
        const head = raw.split("\r\n\r\n")[0] ?? "";
        const messageId = /^message-id:\s*(.+)$/im.exec(head)?.[1]?.trim() ?? null;
        messages.push({
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          messageId,
          ...(opts.keepHeaders ? { headers: head } : {}),
          at: performance.timeOrigin + performance.now(),
        });
        cb();
      });
    },
  });
  server.server.on("connection", (socket) => socket.on("error", () => {}));
  server.on("error", () => {});

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    messages,
    stats() {
      const byRecipient: Record<string, number> = {};
      for (const m of messages) for (const to of m.to) byRecipient[to] = (byRecipient[to] ?? 0) + 1;
      return {
        accepted: messages.length,
        refused: counters.refused,
        dropped: counters.dropped,
        bytes: counters.bytes,
        firstAt: messages.length ? messages[0]!.at : null,
        lastAt: messages.length ? messages.at(-1)!.at : null,
        perSecond: perSecond(messages),
        byRecipient,
      };
    },
    reset() {
      messages.length = 0;
      counters.refused = 0;
      counters.dropped = 0;
      counters.bytes = 0;
    },
    setMode(next, failFirst) {
      mode = next;
      failLeft = failFirst ?? Number.POSITIVE_INFINITY;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // smtp-server waits for clients to quit; pooled clients may linger
        setTimeout(resolve, 1500).unref();
      }),
  };
}

/** Messages accepted in each second since the first one (where a run's sending slows down or stalls). */
function perSecond(messages: readonly { at: number }[]): number[] {
  const out: number[] = [];
  const t0 = messages[0]?.at ?? 0;
  for (const m of messages) {
    const s = Math.floor((m.at - t0) / 1000);
    while (out.length <= s) out.push(0);
    out[s]!++;
  }
  return out;
}

/** smtp-server has no public way to cut one connection: its connection set and socket are internal. */
function destroyConnection(server: SMTPServer, sessionId: string): void {
  const connections = (server as unknown as { connections?: Set<{ id: string; _socket?: { destroy(): void } }> }).connections;
  for (const c of connections ?? []) if (c.id === sessionId) c._socket?.destroy();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sink = await startSink({ mode: (process.env.SINK_MODE as SinkMode | undefined) ?? "accept" });
  process.stdout.write(`PORT ${sink.port}\n`);
  process.stdin.setEncoding("utf8");
  let buf = "";
  process.stdin.on("data", (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf("\n")) >= 0) {
      const cmd = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (cmd === "STATS") {
        const { byRecipient, ...s } = sink.stats();
        const dup = Object.values(byRecipient).filter((n) => n > 1).length;
        process.stdout.write(`STATS ${JSON.stringify({ ...s, recipients: Object.keys(byRecipient).length, duplicates: dup })}\n`);
      } else if (cmd.startsWith("BEFORE ")) {
        // messages accepted before an instant (ms since the epoch): what was sent while a job was still deciding
        const t = Number(cmd.slice("BEFORE ".length));
        process.stdout.write(`BEFORE ${sink.messages.filter((m) => m.at < t).length}\n`);
      } else if (cmd === "RESET") {
        sink.reset();
        process.stdout.write("RESET ok\n");
      } else if (cmd === "EXIT") {
        void sink.close().then(() => process.exit(0));
      }
    }
  });
  process.stdin.on("end", () => void sink.close().then(() => process.exit(0)));
}
