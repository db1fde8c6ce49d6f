/**
 * `webhook-tui loadtest` (the built CLI) against a real `serve` engine whose target pane runs the shipped sink
 * (`webhook-tui sink`), one run per test type, each a few seconds. The report's numbers are checked against what the
 * sink recorded and what the engine stored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/engine.js';
import { jsonLines, TestTmux, waitFor } from '../helpers/tmux.js';
import type { LoadReport } from '../../src/engine/loadtest/report.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));
const SECRET = `whsec_${Buffer.from('loadtest-secret-of-24-bytes!').toString('base64')}`;

interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

function cli(args: string[], opts: { onSpawn?: (c: ChildProcess) => void } = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TMUX_PANE: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) => resolve({ code, out, err }));
    opts.onSpawn?.(child);
  });
}

/** The sink's lines of one run, in arrival order. */
function sinkLines(file: string, runId: string): string[] {
  return jsonLines<{ line: string }>(file)
    .map((l) => l.line)
    .filter((l) => l.startsWith(`lt-${runId}-`));
}

describe('webhook-tui loadtest against a running engine with the sink in its target pane', () => {
  const tmux = new TestTmux();
  const tmp = tempDir('wht-lt-');
  const configFile = join(tmp.dir, 'config.json');
  const sinkLog = join(tmp.dir, 'sink.jsonl');
  let engine: ChildProcess;
  let pane: string;
  let url: string;

  beforeAll(async () => {
    pane = tmux.session('sink', [process.execPath, BIN, 'sink', '--log', sinkLog]);
    await waitFor(() => tmux.capture(pane).includes('SINK READY'), 15_000, 'sink ready');
    writeFileSync(
      configFile,
      JSON.stringify({
        dataDir: join(tmp.dir, 'data'),
        spool: { dir: join(tmp.dir, 'spool') },
        tmux: { socketName: tmux.socket },
        targets: { default: { pane } },
        queue: { rateLimit: { perSecond: 0 }, capacity: 100_000 },
        http: { port: 0, rateLimit: { enabled: false } },
        hooks: { signed: { auth: { type: 'standard', secret: SECRET } } },
        monitor: { sampleMs: 1000, notify: { tmuxDisplay: false } },
      }),
    );
    engine = spawn(process.execPath, [BIN, 'serve', '--config', configFile], {
      stdio: 'ignore',
      env: { ...process.env, TMUX_PANE: '' },
    });
    const urlFile = join(tmp.dir, 'data', 'http.url');
    await waitFor(() => existsSync(urlFile) && readFileSync(urlFile, 'utf8').trim() !== '', 20_000, 'engine http');
    url = readFileSync(urlFile, 'utf8').trim();
  });
  afterAll(() => {
    if (engine.exitCode === null) engine.kill('SIGKILL');
    tmux.kill();
    tmp.cleanup();
  });

  const loadtest = async (...args: string[]): Promise<{ run: CliRun; report: LoadReport }> => {
    const run = await cli([
      '--config',
      configFile,
      'loadtest',
      '--url',
      `${url}/v1/tasks`,
      '--e2e',
      pane,
      '--sink-log',
      sinkLog,
      '--json',
      ...args,
    ]);
    expect(run.err).not.toMatch(/Error|at .*\.js/);
    return { run, report: JSON.parse(run.out) as LoadReport };
  };

  /** What the sink recorded agrees with the report's end-to-end section. */
  const agreesWithSink = (r: LoadReport): void => {
    const lines = sinkLines(sinkLog, r.runId);
    expect(r.e2e).toBeDefined();
    expect(r.e2e!.delivered).toBe(new Set(lines).size);
    expect(r.e2e!.duplicated).toBe(lines.length - new Set(lines).size);
    expect(r.e2e!.delivered + r.e2e!.lost).toBe(r.requests.successful);
  };

  it('smoke (open model): sends exactly rate x duration at the asked rate; every acknowledged line reaches the pane once', async () => {
    const { run, report } = await loadtest('--type', 'smoke', '--rate', '40', '--duration', '2');
    expect(run.code).toBe(0);
    expect(report.requests.total).toBe(80);
    expect(report.requests.statuses['202']).toBe(80);
    expect(report.rate.asked).toBe(40);
    // How closely the asked rate was kept is a timing figure (bench/loadtest-vs-autocannon measures it); here: reported.
    expect(report.rate.achieved).toBeGreaterThan(0);
    expect(report.latency.count).toBe(80);
    expect(report.latency.p50).toBeLessThanOrEqual(report.latency.p99);
    agreesWithSink(report);
    expect(report.e2e).toMatchObject({ delivered: 80, lost: 0, duplicated: 0, reordered: 0 });
    expect(report.engine?.stages?.delivery.count).toBeGreaterThanOrEqual(80);
  });

  it('load with --users (closed model): users x requests, latency from each send', async () => {
    const { run, report } = await loadtest('--type', 'load', '--users', '3', '--requests', '5', '--duration', '20');
    expect(run.code).toBe(0);
    expect(report.config).toMatchObject({ model: 'closed', users: 3, requestsPerUser: 5 });
    expect(report.requests).toMatchObject({ total: 15, successful: 15, failed: 0 });
    expect(report.latency.basis).toBe('send');
    expect(report.rate.asked).toBeNull();
    agreesWithSink(report);
  });

  it('signed /hooks/NAME (Standard Webhooks): every request verifies and is typed', async () => {
    const run = await cli([
      '--config',
      configFile,
      'loadtest',
      '--url',
      `${url}/hooks/signed`,
      '--e2e',
      pane,
      '--sink-log',
      sinkLog,
      '--json',
      '--type',
      'smoke',
      '--rate',
      '20',
      '--duration',
      '1',
    ]);
    const report = JSON.parse(run.out) as LoadReport;
    expect(report.requests).toMatchObject({ total: 20, successful: 20, failed: 0 });
    agreesWithSink(report);
  });

  it('--spool: writes trigger files the maildir way; every one is typed', async () => {
    const run = await cli([
      '--config',
      configFile,
      'loadtest',
      '--spool',
      join(tmp.dir, 'spool'),
      '--e2e',
      pane,
      '--sink-log',
      sinkLog,
      '--json',
      '--type',
      'smoke',
      '--rate',
      '20',
      '--duration',
      '1',
    ]);
    const report = JSON.parse(run.out) as LoadReport;
    expect(report.config.target).toBe(`spool ${join(tmp.dir, 'spool')}`);
    expect(report.requests).toMatchObject({ total: 20, successful: 20 });
    agreesWithSink(report);
    expect(report.e2e).toMatchObject({ delivered: 20, lost: 0, duplicated: 0 });
  });

  it('stress: raises the rate per step until a threshold breaks and names the last rate that held', async () => {
    const { run, report } = await loadtest(
      '--type',
      'stress',
      '--rate',
      '10',
      '--step',
      '20',
      '--max-rate',
      '70',
      '--step-duration',
      '1',
      '--threshold',
      'rps<20',
    );
    expect(run.code).toBe(0); // judged at the last level that held
    expect(report.levels?.map((l) => l.rate)).toEqual([10, 30]);
    expect(report.levels?.map((l) => l.ok)).toEqual([true, false]);
    expect(report.stress).toEqual({ lastHeldRate: 10, brokeAt: 30 });
    expect(report.requests.total).toBe(40);
    agreesWithSink(report);
  });

  it('spike: base, peak, base in one schedule; reports recovery', async () => {
    const { report } = await loadtest('--type', 'spike', '--rate', '10', '--peak', '60', '--duration', '3');
    expect(report.requests.total).toBe(10 + 60 + 10);
    expect(report.spike).toMatchObject({ baseRate: 10, peakRate: 60 });
    expect(report.spike!.recoveryMs === null || report.spike!.recoveryMs >= 0).toBe(true);
    agreesWithSink(report);
  });

  it('soak: reports the first and last tenth; scalability: the levels table and a sweet spot', async () => {
    const soak = (await loadtest('--type', 'soak', '--rate', '10', '--duration', '2')).report;
    expect(soak.requests.total).toBe(20);
    expect(soak.soak).not.toBeUndefined();
    agreesWithSink(soak);
    const { report } = await loadtest(
      '--type',
      'scalability',
      '--levels',
      '1,2',
      '--requests',
      '4',
      '--step-duration',
      '10',
    );
    expect(report.levels?.map((l) => [l.users, l.requests])).toEqual([
      [1, 4],
      [2, 8],
    ]);
    expect(report.requests.total).toBe(12);
    expect([1, 2]).toContain(report.sweetSpot?.users);
    agreesWithSink(report);
  });

  it('a broken threshold exits 1 and the text report says FAIL; a bad one exits 2 naming it', async () => {
    const run = await cli([
      '--config',
      configFile,
      'loadtest',
      '--url',
      url,
      '--e2e',
      pane,
      '--sink-log',
      sinkLog,
      '--type',
      'smoke',
      '--rate',
      '10',
      '--duration',
      '1',
      '--threshold',
      'p50<0.001ms',
      '--threshold',
      'errors<1%',
    ]);
    expect(run.code).toBe(1);
    expect(run.out).toMatch(/FAIL {2}p50<0\.001ms/);
    expect(run.out).toMatch(/PASS {2}errors<1%/);
    expect(run.out).toMatch(/Scalability|Response Times/);
    const bad = await cli(['--config', configFile, 'loadtest', '--url', url, '--threshold', 'p95<fast']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("--threshold 'p95<fast'");
  });

  it('refuses a non-loopback URL unless --allow-remote, and contacts nothing', async () => {
    const run = await cli(['--config', configFile, 'loadtest', '--url', 'http://192.0.2.1:8787/v1/tasks']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/not a loopback address.*--allow-remote/);
  });

  it('Ctrl-C stops the run and still prints the report of what ran', async () => {
    let child: ChildProcess | undefined;
    const before = readFileSync(sinkLog, 'utf8').split('\n').length;
    const done = cli(
      [
        '--config',
        configFile,
        'loadtest',
        '--url',
        url,
        '--e2e',
        pane,
        '--sink-log',
        sinkLog,
        '--json',
        '--rate',
        '20',
        '--duration',
        '30',
      ],
      {
        onSpawn: (c) => {
          child = c;
        },
      },
    );
    await waitFor(() => readFileSync(sinkLog, 'utf8').split('\n').length > before + 5, 20_000, 'first lines typed');
    child!.kill('SIGINT');
    const run = await done;
    expect(run.code).toBe(130);
    const report = JSON.parse(run.out) as LoadReport;
    expect(report.stopped).toBe(true);
    expect(report.requests.total).toBeGreaterThan(0);
    expect(report.requests.total).toBeLessThan(600);
    expect(report.requests.skipped).toBe(600 - report.requests.total);
    agreesWithSink(report);
  });
});
