// The second process of the Slack latency bench: sends signed slash-command requests to coordo's
// Slack receiver (POST /slack/events) with `concurrency` requests in flight, and measures for each one
// the time until its answer is there: in the HTTP answer itself when coordo answers within its ack window
// (what Slack shows at once), else when coordo posts it to the request's response_url (a capture server here).
// Input: one JSON object on argv[2]; output: one JSON line on stdout.
import { createHmac } from "node:crypto";
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

interface LoadSpec {
  port: number;
  secret: string;
  teams: string[];
  commands: { command: string; user: string }[];
  perCommand: number;
  concurrency: number;
  /** Requests not counted before each command's measure, `concurrency` in flight (JIT, prepared statements). */
  warmup: number;
  seed: number;
}

const spec = JSON.parse(process.argv[2]!) as LoadSpec;
let seed = spec.seed >>> 0;
const rnd = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const pending = new Map<string, (at: number) => void>();
const capture = createServer((req, res) => {
  const id = req.url!.split("/").pop()!;
  req.resume();
  req.on("end", () => {
    pending.get(id)?.(performance.now());
    res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
  });
});
await new Promise<void>((r) => capture.listen(0, "127.0.0.1", () => r()));
const capturePort = (capture.address() as AddressInfo).port;

/** The ack carries the command's answer (not the « en cours » placeholder, not an empty ack). */
function isAnswer(body: string): boolean {
  if (!body) return false;
  try {
    const m = JSON.parse(body) as { text?: string; blocks?: unknown[] };
    return Boolean(m.blocks?.length || (m.text && !m.text.startsWith("⏳")));
  } catch {
    return false;
  }
}

/**
 * One POST over kept-alive connections (node:http: a fraction of fetch's CPU, so that the latency measured
 * is coordo's, not this process's own queue); resolves with the status and the body.
 */
const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
function post(path: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: spec.port, path, method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d: string) => (text += d)).on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      res.on("error", reject).on("close", () => (res.complete ? undefined : reject(new Error("réponse coupée"))));
    });
    req.on("error", reject).end(body);
  });
}

let n = 0;
async function one(command: string, user: string): Promise<{ ack: number; answer: number; ok: boolean }> {
  const id = `r${n++}`;
  const team = spec.teams[Math.floor(rnd() * spec.teams.length)]!;
  const body = new URLSearchParams({
    token: "bench", team_id: team, team_domain: team.toLowerCase(), channel_id: "CBENCH", channel_name: "bench", user_id: user, user_name: "bench",
    command: `/${command}`, text: "", api_app_id: "ABENCH", trigger_id: `${Date.now()}.${id}.bench`, response_url: `http://127.0.0.1:${capturePort}/hooks/${id}`,
  }).toString();
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac("sha256", spec.secret).update(`v0:${ts}:${body}`).digest("hex")}`;
  const answered = new Promise<number>((resolve) => pending.set(id, resolve));
  const t0 = performance.now();
  const res = await post("/slack/events", body, { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": ts, "x-slack-signature": signature });
  const acked = res.text;
  const ack = performance.now() - t0;
  if (res.status !== 200) return { ack, answer: NaN, ok: false };
  // an answer ready within coordo's ack window rides in the ack itself (what Slack shows at once)
  if (isAnswer(acked)) {
    pending.delete(id);
    return { ack, answer: ack, ok: true };
  }
  const timeout = new Promise<number>((r) => setTimeout(() => r(NaN), 30_000).unref());
  const at = await Promise.race([answered, timeout]);
  pending.delete(id);
  return { ack, answer: at - t0, ok: Number.isFinite(at) };
}

// client_cpu_ms: this process's CPU a request (its own queue is part of every latency measured here)
const out: Record<string, { answers: number[]; acks: number[]; errors: number; seconds: number; client_cpu_ms: number }> = {};
for (const { command, user } of spec.commands) {
  // warm-up, not counted: V8 compiles each command's code path over its first tens of requests (with 5 requests of
  // warm-up, most of the 8 worst answers of 200 came among the first 40: a server's start, not its steady state)
  let warm = spec.warmup;
  await Promise.all(Array.from({ length: spec.concurrency }, async () => {
    while (warm-- > 0) await one(command, user).catch(() => null);
  }));
  const answers: number[] = [];
  const acks: number[] = [];
  let errors = 0;
  let left = spec.perCommand;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: spec.concurrency }, async () => {
      while (left-- > 0) {
        // a connection cut by coordo is an error of this request, not the end of the load
        const r = await one(command, user).catch(() => null);
        if (r) acks.push(r.ack);
        if (r?.ok) answers.push(r.answer);
        else errors++;
      }
    }),
  );
  const cu = process.cpuUsage(c0);
  out[command] = { answers, acks, errors, seconds: (performance.now() - t0) / 1000, client_cpu_ms: (cu.user + cu.system) / 1000 / spec.perCommand };
}
capture.close();
agent.destroy();
process.stdout.write(JSON.stringify(out) + "\n");
