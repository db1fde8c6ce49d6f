import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ControlModeTmux } from '../../src/engine/delivery/control-mode.js';
import { ExecTmux } from '../../src/engine/delivery/exec-tmux.js';
import { inspectPane, inspectWithCapture, markFromCapture, takeMark } from '../../src/engine/delivery/pane.js';
import { decodeMark } from '../../src/engine/delivery/pane-mark.js';
import { ResilientTmux } from '../../src/engine/delivery/resilient-tmux.js';
import { pasteText } from '../../src/engine/delivery/send.js';
import type { Engine } from '../../src/engine/engine.js';
import { isWhtError } from '../../src/engine/errors.js';
import { jsonLines, waitFor } from '../helpers/tmux.js';
import { useFixture } from '../helpers/fixture.js';
import { RecorderServer } from './control-helpers.js';
import type { Tmux } from '../../src/engine/ports/tmux.js';

describe('pipelined calls through the control-mode client (real tmux)', () => {
  let rec: RecorderServer;
  let cc: ControlModeTmux;

  beforeEach(async () => {
    rec = new RecorderServer();
    await rec.start();
    cc = new ControlModeTmux(rec.server);
    await cc.start();
  });

  afterEach(async () => {
    await cc.close();
    rec.kill();
  });

  it('answers calls issued together in their order, each on its own: a failing call does not stop the next', async () => {
    const results = await cc.pipeline([
      ['send-keys', '-t', rec.pane, '-l', '--', 'a|'],
      ['display-message', '-p', 'one'],
      ['send-keys', '-t', '%999', 'x'],
      ['display-message', '-p', 'two', ';', 'display-message', '-p', 'three'],
      ['send-keys', '-t', rec.pane, '-l', '--', 'b|'],
    ]);
    expect(results.map((r) => (r.ok ? r.stdout : 'failed'))).toEqual(['', 'one', 'failed', 'two\nthree', '']);
    const failed = results[2]!;
    expect(!failed.ok && isWhtError(failed.error, 'WHT_ERR_TMUX_FAILED')).toBe(true);
    expect(!failed.ok && (failed.error as Error).message).toContain("can't find pane: %999");
    expect(await rec.waitRecorded(4)).toBe('a|b|');
  });

  it('runs a check queued behind keys after the keys: it sees what the keys did', async () => {
    const [, seen] = await cc.pipeline([
      ['set-option', '-g', '@wht-step', 'typed'],
      ['show-options', '-gqv', '@wht-step'],
    ]);
    expect(seen).toEqual({ ok: true, stdout: 'typed' });
  });

  it('matches 500 calls issued at once to their own answers', async () => {
    const calls = Array.from({ length: 500 }, (_, i) =>
      i % 3 === 0
        ? ['display-message', '-p', `n=${i}`, ';', 'display-message', '-p', `m=${i}`]
        : ['display-message', '-p', `n=${i}`],
    );
    const results = await cc.pipeline(calls);
    expect(results).toEqual(calls.map((_, i) => ({ ok: true, stdout: i % 3 === 0 ? `n=${i}\nm=${i}` : `n=${i}` })));
  });

  it.each([
    ['the control-mode client', () => cc],
    ['one tmux process per call', () => new ExecTmux(rec.server)],
  ])('pastes multi-line text in one command list, a final ; kept, through %s', async (_, make) => {
    const text = 'first line\nsecond; line\nends in;';
    await pasteText(make(), rec.pane, text, 'wht-test', 5000);
    // paste-buffer turns LF into CR (what Enter sends); the recorder is not in bracketed-paste mode.
    expect(await rec.waitRecorded(text.length)).toBe(text.replace(/\n/g, '\r'));
    expect(rec.tmux('list-buffers', '-F', '#{buffer_name}')).not.toContain('wht-test');
  });

  it('counts a line not yet written (closed within its tick) as not sent', async () => {
    const pending = cc.run(['send-keys', '-t', rec.pane, '-l', '--', 'never']).catch((e: unknown) => e);
    await cc.close();
    const err = await pending;
    expect(isWhtError(err, 'WHT_ERR_TMUX_FAILED')).toBe(true);
    expect((err as { details: unknown }).details).toMatchObject({ transport: 'closed', sent: false });
    expect(rec.recorded()).toBe('');
  });
});

/** A stand-in for `tmux -C` (node): attaches, logs every chunk it reads, answers each line or dies on the first. */
function fakeControl(dir: string, mode: 'answer' | 'die'): { binary: string; log: string } {
  const log = join(dir, `${mode}.jsonl`);
  const script = join(dir, `${mode}.mjs`);
  writeFileSync(
    script,
    `import { appendFileSync } from 'node:fs';
let n = 0, seen = 0, partial = '';
const out = (s) => process.stdout.write(s);
out('%begin 1 0 0\\n%end 1 0 0\\n');
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (partial + chunk).split('\\n');
  partial = lines.pop();
  appendFileSync(${JSON.stringify(log)}, JSON.stringify(lines) + '\\n');
  for (const line of lines) {
    if (${JSON.stringify(mode)} === 'die' && seen++ > 0) process.exit(1);
    n++;
    const reply = line.startsWith('display-message') ? line.slice(line.lastIndexOf(' ') + 1).replace(/'/g, '') : '';
    out('%begin 1 ' + n + ' 1\\n' + (reply ? reply + '\\n' : '') + '%end 1 ' + n + ' 1\\n');
  }
});
`,
  );
  const binary = join(dir, `${mode}.sh`);
  writeFileSync(binary, `#!/bin/sh\nexec '${process.execPath}' '${script}' "$@"\n`);
  chmodSync(binary, 0o755);
  return { binary, log };
}

describe('the control-mode client against a stand-in that shows its writes', () => {
  const fx = useFixture();

  it('writes the calls of one tick in one write', async () => {
    const { binary, log } = fakeControl(fx.dir, 'answer');
    const cc = new ControlModeTmux({ socketName: 'unused' }, { binary, session: 'any' });
    fx.defer(() => cc.close());
    await cc.start();
    const first = cc.pipeline([
      ['display-message', '-p', 'a'],
      ['display-message', '-p', 'b'],
      ['display-message', '-p', 'c'],
    ]);
    const same = await cc.run(['display-message', '-p', 'd']);
    expect((await first).map((r) => r.ok && r.stdout)).toEqual(['a', 'b', 'c']);
    expect(same.stdout).toBe('d');
    // Issued after the answers came: nothing else is in flight, so its write is read on its own.
    expect((await cc.run(['display-message', '-p', 'e'])).stdout).toBe('e');
    // Chunks as the stand-in read them: the probe, the tick of a-d (one write), then e.
    expect(jsonLines<string[]>(log)).toEqual([
      ["display-message -p 'wht-probe'"],
      ["display-message '-p' 'a'", "display-message '-p' 'b'", "display-message '-p' 'c'", "display-message '-p' 'd'"],
      ["display-message '-p' 'e'"],
    ]);
  });

  it('counts lines cut off after they were written as maybe sent (details.sent), for every call in flight', async () => {
    const { binary } = fakeControl(fx.dir, 'die');
    const cc = new ControlModeTmux({ socketName: 'unused' }, { binary, session: 'any' });
    fx.defer(() => cc.close());
    await cc.start();
    const results = await cc.pipeline([
      ['send-keys', '-t', '%1', '-l', '--', 'x'],
      ['display-message', '-p', 'after'],
    ]);
    for (const r of results) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect((r.error as { details: unknown }).details).toMatchObject({ transport: 'down', sent: true });
    }
  });
});

/** Each transport the engine may use, as the delivery path sees it. */
const TRANSPORTS: Array<[string, (socket: string) => Tmux]> = [
  ['one tmux process per call', (socket) => new ExecTmux({ socketName: socket })],
  ['the control-mode client', (socket) => new ResilientTmux({ socketName: socket })],
];

describe.each(TRANSPORTS)('the mark cut from the pipelined capture, through %s', (_, make) => {
  const fx = useFixture();
  let tmux: Tmux;

  beforeEach(async () => {
    fx.tmux.session('keep', ['sleep', '600']);
    tmux = make(fx.tmux.socket);
    await tmux.start?.();
  });

  afterEach(() => tmux.close());

  /** A 80x20 pane that prints `script` (sh) and then waits; resolves once `ready` shows. */
  async function pane(name: string, script: string, ready = 'PROMPT$'): Promise<string> {
    const id = fx.tmux.session(name, ['sh', '-c', `${script}; exec sleep 600`], { x: 80, y: 20 });
    await waitFor(() => fx.tmux.capture(id).includes(ready), 10_000, `pane ${name} to show ${ready}`);
    return id;
  }

  /** takeMark (the mark crash recovery reads) and the mark cut from the one-round-trip capture. */
  async function bothMarks(id: string): Promise<{ old: string; cut: string | null }> {
    const state = (await inspectPane(tmux, id))!;
    const old = await takeMark(tmux, id, state);
    const { pane: now, capture } = await inspectWithCapture(tmux, id);
    // The same screen both times (the foreground command may change meanwhile: sh exec's sleep).
    const { historySize, historyLimit, cursorY, height } = state;
    expect(now).toMatchObject({ historySize, historyLimit, cursorY, height });
    return { old, cut: markFromCapture(now!, capture!) };
  }

  it.each([
    ['little history', "printf 'one\\ntwo  \\n\\nthree\\nPROMPT$ '", ['one', 'two', '', 'three']],
    ['much history (300 lines)', "seq 1 300; printf 'PROMPT$ '", ['297', '298', '299', '300']],
    [
      'a wrapped line far above the rows it needs',
      "printf '%0200d\\n' 0; seq 1 60; printf 'PROMPT$ '",
      ['57', '58', '59', '60'],
    ],
    ['wide characters and blank lines', "printf 'é中文😀\\n\\n\\nend\\nPROMPT$ '", ['é中文😀', '', '', 'end']],
  ])('is the mark takeMark takes: %s', async (name, script, before) => {
    const id = await pane(name.replace(/\W+/g, '-'), script);
    const { old, cut } = await bothMarks(id);
    expect(cut).toBe(old);
    expect(decodeMark(cut)).toMatchObject({ before, cursor: 'PROMPT$' });
  });

  it('is the mark takeMark takes on an empty pane (cursor at the top)', async () => {
    const id = fx.tmux.session('empty', ['sleep', '600'], { x: 80, y: 20 });
    const { old, cut } = await bothMarks(id);
    expect(cut).toBe(old);
    expect(decodeMark(cut)).toMatchObject({ line: 0, cursor: '' });
  });

  // Each waits for the end of its output (the wrapped line must be on screen before the pane is looked at).
  it.each([
    ['a wrapped line just above the cursor', "seq 1 5; printf '%0150d\\nPROMPT$ ' 0", `${'0'.repeat(150)}\nPROMPT$`],
    [
      'a wrapped line below the cursor',
      "seq 1 5; printf 'PROMPT$ \\n%0150d\\nEND' 0; tput cup 5 8",
      `${'0'.repeat(150)}\nEND`,
    ],
    ['the cursor line itself wrapped', "seq 1 5; printf 'PROMPT$ %0100d' 0", `PROMPT$ ${'0'.repeat(100)}`],
  ])('is not cut (takeMark is used) when a row in the capture wrapped: %s', async (name, script, ready) => {
    const id = await pane(name.replace(/\W+/g, '-'), script, ready);
    const { cut } = await bothMarks(id);
    expect(cut).toBeNull();
  });
});

describe('keys and the still-there check in one round trip (engine, real tmux)', () => {
  let engine: Engine | undefined;
  const fx = useFixture();

  /**
   * The control-mode client with `script` run (run-shell: the client's queue waits for it while the server goes on)
   * between the keys and the check queued behind them.
   */
  function injecting(pane: string, script: string): Tmux {
    const cc = new ControlModeTmux({ socketName: fx.tmux.socket });
    return {
      start: () => cc.start(),
      close: () => cc.close(),
      run: (args, options) => cc.run(args, options),
      pipeline: async (calls, options) => {
        const typed = calls[0]?.[0] === 'send-keys' && calls[0].at(-1) === 'C-m' && calls[0].includes(pane);
        if (!typed || calls.length !== 2) return cc.pipeline(calls, options);
        const [keys, , check] = await cc.pipeline([calls[0]!, ['run-shell', script], calls[1]!], options);
        return [keys!, check!];
      },
    };
  }

  const config = (pane: string) =>
    fx.config({ targets: { default: { pane } }, queue: { retry: { attempts: 1, baseMs: 20, maxMs: 50, jitter: 0 } } });

  it('reports a pane closed between the keys and the check as not delivered', async () => {
    fx.tmux.session('keep', ['sleep', '600']);
    const { pane } = await fx.recorder('rec');
    engine = await fx.start(config(pane), { tmux: injecting(pane, `tmux -L ${fx.tmux.socket} kill-pane -t ${pane}`) });
    const { task } = engine.enqueue({ text: 'echo closed-between', source: 'api' });
    await waitFor(() => engine!.getTask(task.id)?.state === 'dead', 20_000, 'the attempt to fail');
    const after = engine.getTask(task.id)!;
    expect(after.deliveredAt).toBeNull();
    expect(after.errors[0]).toMatchObject({
      code: 'WHT_ERR_TARGET_MISSING',
      message: expect.stringContaining('died while the command was typed (it was closed)'),
    });
  }, 30_000);

  it('reports a pane whose program exited between the keys and the check (remain-on-exit) as not delivered', async () => {
    fx.tmux.session('keep', ['sleep', '600']);
    fx.tmux.run('set-option', '-g', 'remain-on-exit', 'on');
    const { pane } = await fx.recorder('rec');
    const pid = fx.tmux.run('display-message', '-p', '-t', pane, '#{pane_pid}');
    // run-shell expands formats in its command: `##` is a literal `#`.
    const dead = `tmux -L ${fx.tmux.socket} display-message -p -t ${pane} '##{pane_dead}'`;
    const script = `kill -9 ${pid}; i=0; while [ "$(${dead})" != 1 ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done`;
    engine = await fx.start(config(pane), { tmux: injecting(pane, script) });
    const { task } = engine.enqueue({ text: 'echo exited-between', source: 'api' });
    await waitFor(() => engine!.getTask(task.id)?.state === 'dead', 30_000, 'the attempt to fail');
    expect(engine.getTask(task.id)!.errors[0]).toMatchObject({
      code: 'WHT_ERR_TARGET_MISSING',
      message: expect.stringContaining('died while the command was typed (its program exited)'),
    });
  }, 40_000);

  it('counts it delivered when the tmux server is gone right after the keys (the keys were taken: never typed twice)', async () => {
    const { pane } = await fx.recorder('rec');
    engine = await fx.start(config(pane), { tmux: injecting(pane, `tmux -L ${fx.tmux.socket} kill-server`) });
    const { task } = engine.enqueue({ text: 'echo server-gone', source: 'api' });
    await waitFor(() => engine!.getTask(task.id)?.state === 'delivered', 20_000, 'the task recorded delivered');
    expect(engine.getTask(task.id)).toMatchObject({ attempts: 1, errors: [] });
  }, 30_000);
});
