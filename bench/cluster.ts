/**
 * Cluster mode figures, each beside its single-node baseline in the same run (one private redis-server on a unix
 * socket, AOF on; nodes are real `serve` processes from bin/ + dist/, each with its own tmux server `-L` socket and
 * raw-mode recorder panes, test/fixtures/recorder.mjs; everything is stopped by PID / socket name at the end):
 *
 * 1. Latency: HTTP POST on node A -> line in a pane of node B (forwarded through Redis) beside HTTP on B -> pane on B
 *    (local path), sent alternately at BENCH_RATE/s (default 20), BENCH_LAT_N each (default 200). p50/p99 from the
 *    POST's start to the recorder seeing the line.
 * 2. Throughput: BENCH_TP_N tasks (default 1500) written at once into node A's spool, round-robin over three
 *    targets: all three on A (one node) beside one target on each of A, B, C (three nodes; A forwards two thirds).
 *    Tasks/s from the first write to the last line typed.
 * 3. Backlog drain: Redis stopped, BENCH_DRAIN_N tasks (default 10000) for B's target committed on A (its backlog),
 *    Redis started: time until A's backlog is 0 (all handed to Redis) and until B committed them all, beside the
 *    time A took to commit them locally.
 *
 *   npm run bench:cluster
 *   BENCH_LAT_N=100 BENCH_TP_N=600 BENCH_DRAIN_N=2000 npm run bench:cluster   # shorter
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareSpool } from '../src/engine/intake/spool-dirs.js';
import { writeSpoolFile } from '../src/engine/intake/spool-writer.js';
import { epochNow, fmtMs, pct, RecorderLog, sleep, table } from './e2e-lib.js';

const LAT_N = Number(process.env.BENCH_LAT_N ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const TP_N = Number(process.env.BENCH_TP_N ?? 1500);
const DRAIN_N = Number(process.env.BENCH_DRAIN_N ?? 10_000);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const ROOT = mkdtempSync(join(tmpdir(), 'wht-bench-cluster-'));
const SECRET = join(ROOT, 'secret');
const children = new Set<ChildProcess>();
const sockets: string[] = [];

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

class Redis {
  readonly dir = join(ROOT, 'redis');
  readonly socket = join(this.dir, 'r.sock');
  child: ChildProcess | undefined;
  #starts = 0;
  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const args = ['--port', '0', '--unixsocket', this.socket, '--unixsocketperm', '700', '--dir', this.dir];
    args.push('--save', '', '--appendonly', 'yes', '--maxmemory-policy', 'noeviction');
    args.push('--logfile', join(this.dir, 'log'));
    this.child = spawn('redis-server', args, { stdio: 'ignore' });
    children.add(this.child);
    const n = ++this.#starts;
    const log = join(this.dir, 'log');
    await until(
      () => existsSync(log) && readFileSync(log, 'utf8').split('ready to accept').length > n,
      15_000,
      'redis',
    );
  }
  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await gone;
  }
}

class Node {
  readonly dir: string;
  readonly sock: string;
  readonly logs: Record<string, RecorderLog> = {};
  child: ChildProcess | undefined;
  constructor(
    readonly name: string,
    readonly targets: string[],
  ) {
    this.dir = join(ROOT, name);
    this.sock = `wht-bench-cl-${process.pid}-${name}`;
    sockets.push(this.sock);
    mkdirSync(this.dir, { recursive: true });
  }
  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.sock, '-f', '/dev/null', ...args], { encoding: 'utf8' }).trim();
  }
  async start(redisSocket: string): Promise<void> {
    const panes: Record<string, string> = {};
    for (const [i, t] of this.targets.entries()) {
      const file = join(this.dir, `${t}.jsonl`);
      const cmd = `exec '${process.execPath}' '${join(REPO, 'test/fixtures/recorder.mjs')}' '${file}'`;
      const where =
        i === 0 ? ['new-session', '-d', '-s', 'b', '-x', '200', '-y', '50'] : ['new-window', '-d', '-t', '=b'];
      panes[t] = this.tmux(...where, '-P', '-F', '#{pane_id}', cmd);
      await until(
        () => this.tmux('capture-pane', '-p', '-t', panes[t]!).includes('RECORDER READY'),
        10_000,
        'recorder',
      );
      this.logs[t] = new RecorderLog(file);
    }
    const spool = join(this.dir, 'spool');
    prepareSpool(spool);
    const config = {
      dataDir: join(this.dir, 'data'),
      spool: { dir: spool },
      tmux: { socketName: this.sock },
      targets: Object.fromEntries(Object.entries(panes).map(([t, pane]) => [t, { pane }])),
      queue: { capacity: 100_000, rateLimit: { perSecond: 0 } },
      http: { enabled: true, port: 0 },
      log: { level: 'warn' },
      cluster: { redis: redisSocket, node: this.name, secretFile: SECRET, heartbeatMs: 500, nodeTtlMs: 3000 },
    };
    writeFileSync(join(this.dir, 'config.json'), JSON.stringify(config));
    const err = openSync(join(this.dir, 'serve.err'), 'w');
    this.child = spawn(
      process.execPath,
      [join(REPO, 'bin/webhook-tui'), 'serve', '--config', join(this.dir, 'config.json')],
      {
        stdio: ['ignore', err, err],
        env: { ...process.env, TMUX_PANE: '', TMUX: '' },
      },
    );
    closeSync(err);
    children.add(this.child);
    await until(() => existsSync(join(this.dir, 'data', 'http.url')), 30_000, `${this.name} serving`);
  }
  get url(): string {
    return readFileSync(join(this.dir, 'data', 'http.url'), 'utf8').trim();
  }
  get token(): string {
    return readFileSync(join(this.dir, 'data', 'token'), 'utf8').trim();
  }
  async post(command: string, target: string): Promise<void> {
    const res = await fetch(`${this.url}/v1/tasks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ command, target }),
    });
    if (res.status !== 202) throw new Error(`POST ${target}: ${res.status} ${await res.text()}`);
  }
  async cluster(): Promise<{ backlog: number; received: Record<string, number> }> {
    const res = await fetch(`${this.url}/v1/stats`, { headers: { authorization: `Bearer ${this.token}` } });
    return ((await res.json()) as { stats: { cluster: { backlog: number; received: Record<string, number> } } }).stats
      .cluster;
  }
  async received(): Promise<number> {
    const res = await fetch(`${this.url}/v1/stats`, { headers: { authorization: `Bearer ${this.token}` } });
    return ((await res.json()) as { stats: { received: number } }).stats.received;
  }
  spool(command: string, target: string): void {
    writeSpoolFile(join(this.dir, 'spool'), JSON.stringify({ command, target }));
  }
  seen(target: string): Map<string, number> {
    const log = this.logs[target]!;
    log.poll();
    return new Map(log.lines.map((l) => [l.line, l.t]));
  }
  async stop(): Promise<void> {
    const c = this.child;
    if (c && c.exitCode === null) {
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([gone, sleep(10_000)]);
    }
    try {
      execFileSync('tmux', ['-L', this.sock, 'kill-server'], { stdio: 'ignore' });
    } catch {
      /* gone */
    }
  }
}

async function latency(a: Node, b: Node): Promise<void> {
  const sent = { remote: new Map<string, number>(), local: new Map<string, number>() };
  for (let i = 0; i < LAT_N * 2; i++) {
    const kind = i % 2 ? 'local' : 'remote';
    const text = `lat-${kind}-${String(i).padStart(5, '0')}`;
    sent[kind].set(text, epochNow());
    await (kind === 'remote' ? a : b).post(text, 'b1');
    await sleep(1000 / RATE);
  }
  await until(() => b.seen('b1').size >= LAT_N * 2, 120_000, 'latency lines');
  const seen = b.seen('b1');
  const rows = (['local', 'remote'] as const).map((k) => {
    const ms = [...sent[k]].map(([text, t0]) => seen.get(text)! - t0);
    return [
      k === 'local' ? 'HTTP on B -> pane on B (local)' : 'HTTP on A -> pane on B (via Redis)',
      String(ms.length),
      fmtMs(pct(ms, 50)),
      fmtMs(pct(ms, 99)),
    ];
  });
  console.log(`\n1. Latency, ${LAT_N} each, alternating, ${RATE}/s (load ${loadavg()[0]!.toFixed(2)})`);
  table(['path', 'n', 'p50 ms', 'p99 ms'], rows);
}

async function throughput(label: string, via: Node, targets: Array<[Node, string]>): Promise<string[]> {
  const texts = Array.from({ length: TP_N }, (_, i) => `tp-${label}-${String(i).padStart(5, '0')}`);
  const t0 = epochNow();
  texts.forEach((t, i) => via.spool(t, targets[i % targets.length]![1]));
  const done = () =>
    targets.reduce(
      (n, [node, t]) => n + [...node.seen(t).keys()].filter((l) => l.startsWith(`tp-${label}-`)).length,
      0,
    );
  await until(() => done() >= TP_N, 600_000, `${label} throughput`);
  const last = Math.max(
    ...targets.flatMap(([node, t]) =>
      [...node.seen(t)].filter(([l]) => l.startsWith(`tp-${label}-`)).map(([, at]) => at),
    ),
  );
  const secs = (last - t0) / 1000;
  return [label, String(TP_N), secs.toFixed(2), (TP_N / secs).toFixed(0)];
}

async function drain(a: Node, b: Node, redis: Redis): Promise<void> {
  await redis.stop();
  await sleep(1500);
  const before = await a.received();
  const t0 = epochNow();
  for (let i = 0; i < DRAIN_N; i++) a.spool(`drain-${String(i).padStart(6, '0')}`, 'b1');
  await until(async () => (await a.received()) - before >= DRAIN_N, 600_000, 'backlog committed');
  const committed = (epochNow() - t0) / 1000;
  const receivedBefore = (await b.cluster()).received.A ?? 0;
  const t1 = epochNow();
  await redis.start();
  await until(async () => (await a.cluster()).backlog === 0, 600_000, 'backlog forwarded');
  const forwarded = (epochNow() - t1) / 1000;
  await until(
    async () => ((await b.cluster()).received.A ?? 0) - receivedBefore >= DRAIN_N,
    600_000,
    'owner committed',
  );
  const received = (epochNow() - t1) / 1000;
  console.log(
    `\n3. Backlog of ${DRAIN_N} for B's target built on A while Redis was down (load ${loadavg()[0]!.toFixed(2)})`,
  );
  table(
    ['step', 'seconds', 'tasks/s'],
    [
      ['A commits them locally (baseline: spool intake)', committed.toFixed(2), (DRAIN_N / committed).toFixed(0)],
      ['Redis back -> A backlog 0 (all handed to Redis)', forwarded.toFixed(2), (DRAIN_N / forwarded).toFixed(0)],
      ['Redis back -> B committed all', received.toFixed(2), (DRAIN_N / received).toFixed(0)],
    ],
  );
}

async function main(): Promise<void> {
  writeFileSync(SECRET, `${'s'.repeat(16)}${Date.now()}bench-cluster-secret\n`, { mode: 0o600 });
  const redis = new Redis();
  await redis.start();
  const a = new Node('A', ['a1', 'a2', 'a3']);
  const b = new Node('B', ['b1']);
  const c = new Node('C', ['c1']);
  try {
    await Promise.all([a.start(redis.socket), b.start(redis.socket), c.start(redis.socket)]);
    await sleep(1500); // every node has seen the others' registrations
    console.log(
      `cluster bench: 3 serve processes, one redis-server (unix socket, AOF); load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    await latency(a, b);
    const one = await throughput('one-node', a, [
      [a, 'a1'],
      [a, 'a2'],
      [a, 'a3'],
    ]);
    const three = await throughput('three-nodes', a, [
      [a, 'a1'],
      [b, 'b1'],
      [c, 'c1'],
    ]);
    console.log(
      `\n2. Throughput: ${TP_N} tasks into A's spool at once, round-robin over 3 targets (load ${loadavg()[0]!.toFixed(2)})`,
    );
    table(
      ['targets', 'n', 'seconds', 'tasks/s'],
      [
        ['one node: a1, a2, a3 on A (baseline)', ...one.slice(1)],
        ['three nodes: a1 on A, b1 on B, c1 on C', ...three.slice(1)],
      ],
    );
    await drain(a, b, redis);
  } finally {
    await Promise.all([a, b, c].map((n) => n.stop()));
    await redis.stop();
    for (const ch of children) if (ch.exitCode === null) ch.kill('SIGKILL');
    if (!process.env.BENCH_KEEP) rmSync(ROOT, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
