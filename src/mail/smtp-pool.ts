// A pool of nodemailer SMTPConnections that sends mails already composed (mime.ts) as one buffer each:
// per message only MAIL FROM, RCPT TO, DATA and the bytes (dot-stuffed by nodemailer's DataStream). nodemailer's
// pooled transport sends the same buffer through its Mailer, MailMessage and MimeNode stream pipeline, which
// costs 2.6 × the CPU per message on this machine (0.59 vs 0.23 ms, bench/smtp-library.ts, issue 18).
//
// Connection handling follows nodemailer's pool (smtp-pool/pool-resource.js): up to `maxConnections`, each
// logged in once and reused; a refusal of one message (5xx/4xx to MAIL FROM, RCPT TO or after DATA, not 421)
// resets the session (RSET) and keeps the connection; anything else closes it. A connection the server closed
// while idle is dropped when it says so ('end'), and a send that failed before anything was written on a
// connection already closed goes out once more on a new one.
import type { Socket } from "node:net";
import type SMTPConnection from "nodemailer/lib/smtp-connection";

export interface SmtpPoolOptions {
  host: string;
  port: number;
  secure: boolean;
  auth?: { user: string; pass: string };
  maxConnections: number;
  connectionTimeout: number;
  greetingTimeout: number;
  socketTimeout: number;
}

interface Conn {
  smtp: SMTPConnection;
  dead: boolean;
  messages: number;
  /** Holds one of the pool's `maxConnections` slots until it is closed, whichever way (freed exactly once). */
  slot: boolean;
  /** The size of the message being sent (coalesceMessageWrites). */
  messageBytes?: number;
}

type SmtpError = Error & { code?: string; responseCode?: number; command?: string };

type ConnectionClass = typeof SMTPConnection;

export class SmtpPool {
  private readonly idle: Conn[] = [];
  private readonly waiters: ((c: Conn | null) => void)[] = [];
  private open = 0;
  private closed = false;
  private klass: Promise<ConnectionClass> | undefined;

  constructor(private readonly o: SmtpPoolOptions) {}

  /** nodemailer's SMTPConnection, loaded at the first send or check (~80 ms of CPU: not when coordo starts). */
  private smtpClass(): Promise<ConnectionClass> {
    return (this.klass ??= import("nodemailer/lib/smtp-connection").then((m) => m.default));
  }

  /** Sends one composed message; resolves with the server's final answer (250 …). */
  async send(envelope: { from: string; to: string[] }, raw: Buffer): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const conn = await this.acquire();
      try {
        conn.messageBytes = raw.length;
        const info = await new Promise<{ response?: string }>((resolve, reject) => conn.smtp.send({ ...envelope, size: raw.length }, raw, (err, inf) => (err ? reject(err) : resolve(inf))));
        conn.messages++;
        this.release(conn);
        return String(info.response ?? "");
      } catch (e) {
        const err = e as SmtpError;
        // closed before this send wrote anything (the server ended an idle session): once more, on a new one
        if (err.command === "API" && err.code === "ECONNECTION" && attempt === 0) {
          this.drop(conn);
          continue;
        }
        if ((err.code === "EENVELOPE" || err.code === "EMESSAGE") && err.responseCode !== 421 && !conn.dead) {
          // the server refused this message, the session itself is fine: RSET and keep it
          conn.smtp.reset((resetErr) => (resetErr ? this.drop(conn) : this.release(conn)));
        } else {
          this.drop(conn);
        }
        throw err;
      }
    }
  }

  /** Opens a connection, logs in, says QUIT: the relay answers and takes our credentials. */
  async verify(): Promise<void> {
    const conn = await this.connect(false);
    await new Promise<void>((resolve) => {
      conn.smtp.once("end", () => resolve());
      conn.smtp.quit();
      setTimeout(() => {
        conn.smtp.close(); // no answer to QUIT: do not leave the socket open
        resolve();
      }, 1_000).unref?.();
    });
  }

  close(): void {
    this.closed = true;
    for (const c of this.idle.splice(0)) this.quit(c);
    for (const w of this.waiters.splice(0)) w(null);
  }

  private async acquire(): Promise<Conn> {
    for (;;) {
      if (this.closed) throw Object.assign(new Error("Connection pool was closed"), { code: "ECONNECTION", command: "API" });
      const c = this.idle.pop();
      if (c) {
        if (c.dead) continue;
        return c;
      }
      if (this.open < this.o.maxConnections) {
        this.open++;
        try {
          return await this.connect();
        } catch (e) {
          this.open--;
          this.wakeOne();
          throw e;
        }
      }
      const next = await new Promise<Conn | null>((w) => this.waiters.push(w));
      // closed between its hand-over and now: its end event frees its slot, and this sender tries again
      if (next && !next.dead) return next;
    }
  }

  private release(c: Conn): void {
    if (c.dead) return this.drop(c);
    if (this.closed) return this.quit(c);
    const w = this.waiters.shift();
    if (w) w(c);
    else this.idle.push(c);
  }

  private drop(c: Conn): void {
    if (!c.dead) {
      c.dead = true;
      c.smtp.close();
    }
    this.free(c);
  }

  private quit(c: Conn): void {
    c.dead = true;
    c.smtp.quit();
    this.free(c);
  }

  /** A connection is gone (closed by us, by the relay, or during a RSET that never got its answer): its slot is free. */
  private free(c: Conn): void {
    const i = this.idle.indexOf(c);
    if (i >= 0) this.idle.splice(i, 1);
    if (!c.slot) return;
    c.slot = false;
    this.open--;
    this.wakeOne();
  }

  /** A waiting sender may now open a connection of its own (one was dropped or failed to open). */
  private wakeOne(): void {
    const w = this.waiters.shift();
    if (w) w(null);
  }

  /** A logged-in connection; `slot`: it counts in `open` (the pool's), or not (verify's own). */
  private async connect(slot = true): Promise<Conn> {
    const Klass = await this.smtpClass();
    const smtp = new Klass({
      host: this.o.host,
      port: this.o.port,
      secure: this.o.secure,
      connectionTimeout: this.o.connectionTimeout,
      greetingTimeout: this.o.greetingTimeout,
      socketTimeout: this.o.socketTimeout,
    });
    const conn: Conn = { smtp, dead: false, messages: 0, slot };
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const done = (err?: Error) => {
        if (settled) return;
        settled = true;
        if (err) {
          conn.dead = true;
          conn.slot = false; // never handed out: acquire() gives its slot back
          smtp.close();
          reject(err);
        } else resolve();
      };
      // errors after the connection is up reach the send in flight through its callback; this listener keeps
      // an 'error' with nothing in flight from being thrown
      smtp.on("error", (err) => done(err));
      smtp.once("end", () => {
        conn.dead = true;
        // idle, or busy in a RSET whose callback nodemailer dropped with the socket: either way the slot is free
        // (a send in flight gets its error through its callback and drops the connection: free() runs once)
        if (settled) this.free(conn);
        done(Object.assign(new Error("Connection closed unexpectedly"), { code: "ECONNECTION", command: "CONN" }));
      });
      smtp.connect((err) => {
        if (err) return done(err);
        coalesceMessageWrites(smtp, conn);
        if (this.o.auth && smtp.allowsAuth) smtp.login(this.o.auth, (e) => done(e ?? undefined));
        else done();
      });
    });
    return conn;
  }
}

/**
 * A message and its end-of-data dot leave in one system call instead of two (nodemailer writes them one after
 * the other through its DataStream piped into the socket): the socket is corked when the message's stream is
 * piped into it and uncorked at 'unpipe' (the stream's end, the socket's close, error or finish, or nodemailer's close()).
 * On loopback each write also runs the receiver's TCP path in the sending process (issue 18). Only for a
 * message that fits twice in what the socket buffers before it asks to wait (16 KiB: a reminder is ≈ 4 KiB),
 * so dot-stuffing cannot make it overflow: a corked socket never drains, and a larger one would wait forever.
 * Uses nodemailer's socket (`_socket`, the TLS one after STARTTLS); without one (another nodemailer), nothing changes.
 */
function coalesceMessageWrites(smtp: SMTPConnection, conn: Conn): void {
  const socket = (smtp as unknown as { _socket?: Socket })._socket;
  if (!socket || typeof socket.cork !== "function" || typeof socket.on !== "function") return;
  let corked = false;
  socket.on("pipe", () => {
    if (corked || socket.writableLength + 2 * (conn.messageBytes ?? Infinity) >= socket.writableHighWaterMark) return;
    corked = true;
    socket.cork();
  });
  socket.on("unpipe", () => {
    if (!corked) return;
    corked = false;
    socket.uncork();
  });
}
