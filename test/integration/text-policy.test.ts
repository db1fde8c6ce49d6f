/**
 * One text policy for every intake: the same table of hostile strings goes through the spool, the legacy trigger
 * file, `send` (the built CLI: argv and stdin), `POST /v1/tasks` and a hook, and each string gets the same outcome
 * everywhere: refused with the same code naming the same character at the same position, or queued unchanged.
 * A real engine (SQLite in a temp dir, tmux on a private socket, delivery paused) with its real HTTP server.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import type { Task } from '../../src/engine/types.js';
import { startEngine, tempDir, testConfig } from '../helpers/engine.js';
import { TestTmux, waitFor } from '../helpers/tmux.js';

const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));
const TOKEN = 'hook-token-0123456789';

type Expect = { accepted: true } | { code: string; reason: string };
interface Row {
  name: string;
  text: string | Buffer;
  target?: 'agent';
  want: Expect;
}

const unsafe = (reason: string): Expect => ({ code: 'WHT_ERR_TEXT_UNSAFE', reason });
const ROWS: Row[] = [
  { name: 'an escape sequence', text: 'ls \u001b[2J', want: unsafe('escape (ESC) U+001B at position 3') },
  { name: 'ETX (C-c)', text: 'ls\u0003', want: unsafe('control character U+0003 at position 2') },
  { name: 'NUL', text: 'a\u0000b', want: unsafe('NUL U+0000 at position 1') },
  { name: 'DEL', text: 'a\u007fb', want: unsafe('delete (DEL) U+007F at position 1') },
  { name: 'C1 CSI', text: 'a\u009b2J', want: unsafe('control character U+009B at position 1') },
  { name: 'a bidi override', text: 'ls \u202e', want: unsafe('bidi override (RLO) U+202E at position 3') },
  { name: 'a bidi isolate', text: 'rm -rf \u2066/\u2069', want: unsafe('bidi isolate (LRI) U+2066 at position 7') },
  { name: 'a bidi mark', text: 'echo \u200fx', want: unsafe('bidi mark (RLM) U+200F at position 5') },
  { name: 'U+2028', text: 'echo a\u2028b', want: unsafe('line separator U+2028 at position 6') },
  { name: 'CR', text: 'echo a\rb', want: unsafe('carriage return (CR) U+000D at position 6') },
  {
    name: 'LF for a shell target',
    text: 'echo a\nreboot',
    want: unsafe('newline (LF) U+000A at position 6 is not allowed (the target is not multiline)'),
  },
  { name: 'LF for a multiline target', text: 'first line\nsecond line', target: 'agent', want: { accepted: true } },
  { name: 'empty text', text: '', want: { code: 'WHT_ERR_TEXT_EMPTY', reason: 'empty command' } },
  { name: 'whitespace only', text: '   ', want: { code: 'WHT_ERR_TEXT_EMPTY', reason: 'empty command' } },
  {
    name: 'invalid UTF-8',
    text: Buffer.from([0x6c, 0x73, 0x20, 0xff]),
    want: { code: 'WHT_ERR_BAD_TRIGGER', reason: 'not valid UTF-8' },
  },
  { name: 'shell syntax and key names', text: "echo $(id) `id` 'x' ; C-c Enter #{pane_id}", want: { accepted: true } },
  { name: 'CJK, emoji and a combining mark', text: 'echo 日本 🚀 e\u0301', want: { accepted: true } },
];

/** What a user sees: a task with exactly that text and target, or a refusal with a code and a reason. */
type Outcome = { accepted: true } | { code: string; reason: string };

const bytesOf = (text: string | Buffer): Buffer => (typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
/** Plain-text intakes get what `echo` writes: the text and one newline (which the intake drops). */
const line = (row: Row): Buffer => Buffer.concat([bytesOf(row.text), Buffer.from('\n')]);
/** JSON intakes get `{"command", "target"}`; invalid UTF-8 goes in raw (JSON cannot carry it). */
function jsonBody(row: Row): Buffer {
  if (typeof row.text === 'string') return Buffer.from(JSON.stringify({ command: row.text, target: row.target }));
  return Buffer.concat([Buffer.from('{"command":"'), row.text, Buffer.from('"}')]);
}

/** Split `CODE: command: reason` (how spool and legacy rejections are logged) into code and reason. */
function parseReason(text: string): Outcome {
  const m = /^(WHT_ERR_[A-Z_]+): (.*)$/s.exec(text);
  return { code: m?.[1] ?? '?', reason: (m ? m[2]! : text).replace(/^command: /, '') };
}

describe('one text policy for every intake', () => {
  let tmux: TestTmux;
  let tmp: ReturnType<typeof tempDir>;
  let engine: Engine;
  let url: string;
  let legacyFile: string;
  let configFile: string;
  const rejected = new Map<string, string>();
  let seq = 0;

  beforeAll(async () => {
    tmux = new TestTmux();
    tmp = tempDir('wht-text-');
    legacyFile = join(tmp.dir, 'legacy-trigger');
    const extra = {
      targets: { agent: { pane: '=agent:0.0', multiline: true } },
      spool: { legacyTriggerFile: legacyFile, rescanMs: 200 },
      http: { enabled: true, port: 0 },
      hooks: {
        sh: { auth: { type: 'token', secret: TOKEN } },
        agent: { target: 'agent', auth: { type: 'token', secret: TOKEN } },
      },
    } as const;
    const config = testConfig(tmp.dir, tmux, extra);
    configFile = join(tmp.dir, 'config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        ...extra,
        dataDir: config.dataDir,
        spool: { ...extra.spool, dir: config.spool.dir },
        tmux: { socketName: tmux.socket },
      }),
    );
    engine = await startEngine(config);
    engine.pause();
    url = engine.httpUrl()!;
    engine.on('intake:rejected', (info) => rejected.set(info.name, info.reason));
  }, 30_000);
  afterAll(async () => {
    await engine?.close();
    tmux?.kill();
    tmp?.cleanup();
  });

  const tasks = (): Task[] => engine.listTasks({ limit: 1000 });
  async function queuedOrRejected(before: number, name: string): Promise<Outcome> {
    await waitFor(
      () => tasks().length > before || rejected.has(name),
      10_000,
      `${name} (${current?.name}) queued or rejected`,
    );
    const reason = rejected.get(name);
    return reason === undefined ? accepted(tasks().length - 1) : parseReason(reason);
  }
  const expectedTask = new Map<number, Row>();
  function accepted(index: number): Outcome {
    const all = tasks().sort((a, b) => a.id - b.id);
    const task = all[index]!;
    expectedTask.set(task.id, current!);
    return { accepted: true };
  }
  let current: Row | undefined;

  const intakes: Record<string, (row: Row) => Promise<Outcome>> = {
    async spool(row) {
      const before = tasks().length;
      const name = `${String(++seq).padStart(4, '0')}.hostile.txt`;
      const content = row.target ? jsonBody(row) : line(row);
      // the maildir way, as writeSpoolFile does, under a name we know
      writeFileSync(join(engine.config.spool.dir, 'tmp', name), content);
      renameSync(join(engine.config.spool.dir, 'tmp', name), join(engine.config.spool.dir, 'new', name));
      return queuedOrRejected(before, name);
    },
    async legacy(row) {
      const before = tasks().length;
      rejected.delete('legacy-trigger');
      writeFileSync(legacyFile, row.target ? jsonBody(row) : line(row));
      const r = await queuedOrRejected(before, 'legacy-trigger');
      await waitFor(() => !existsSync(legacyFile), 5_000, 'legacy file consumed');
      return r;
    },
    async 'send (stdin)'(row) {
      const r = await sent.get(row)!;
      if (r.status !== 0) {
        // a usage error: exit 2, the message on stderr (the CLI prints the message, not the code)
        expect(r.status, r.stderr).toBe(2);
        return {
          code: 'exit 2',
          reason: r.stderr
            .replace(/^webhook-tui: /, '')
            .trim()
            .replace(/^command: /, ''),
        };
      }
      // spooled: the engine takes the file (each row's text is unique in the table)
      await waitFor(() => tasks().some((t) => t.text === row.text), 10_000, `${row.name} queued from the spool`);
      return accepted(
        tasks()
          .sort((a, b) => a.id - b.id)
          .findIndex((t) => t.text === row.text),
      );
    },
    async '/v1/tasks'(row) {
      const before = tasks().length;
      const r = await fetch(`${url}/v1/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${engineToken()}` },
        body: jsonBody(row),
      });
      const body = (await r.json()) as { error?: string; message?: string };
      if (r.status === 202) return accepted(before);
      expect(r.status).toBe(400);
      return { code: body.error!, reason: body.message!.replace(/^command: /, '') };
    },
    async 'hook (text/plain)'(row) {
      const before = tasks().length;
      const r = await fetch(`${url}/hooks/${row.target ?? 'sh'}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
        body: line(row),
      });
      const body = (await r.json()) as { error?: string; message?: string };
      if (r.status === 202) return accepted(before);
      expect(r.status).toBe(400);
      return { code: body.error!, reason: body.message!.replace(/^command: /, '') };
    },
  };

  const engineToken = (): string => readFileSync(join(engine.config.dataDir, 'token'), 'utf8').trim();

  /** `send -` for every row, run at once (a CLI start costs about a second on a loaded machine). */
  const sent = new Map<Row, Promise<{ status: number | null; stderr: string }>>();
  function sendAll(): void {
    for (const row of ROWS) {
      const target = row.target ? ['--target', row.target] : [];
      sent.set(
        row,
        new Promise((resolve) => {
          const child = spawn(process.execPath, [BIN, '--config', configFile, 'send', ...target, '-'], {
            env: { ...process.env, TMUX_PANE: '' },
          });
          let stderr = '';
          child.stderr.on('data', (d: Buffer) => {
            stderr += d.toString();
          });
          child.on('close', (status) => resolve({ status, stderr }));
          child.stdin.end(line(row));
        }),
      );
    }
  }

  for (const [intake, send] of Object.entries(intakes)) {
    it(`${intake}: every row of the table gets the table's outcome`, async () => {
      if (intake.startsWith('send')) sendAll();
      for (const row of ROWS) {
        current = row;
        const got = await send(row);
        const want = row.want;
        if ('accepted' in want) expect({ row: row.name, got }).toEqual({ row: row.name, got: { accepted: true } });
        else
          expect({
            row: row.name,
            code: 'code' in got ? got.code : 'accepted',
            reason: 'reason' in got ? got.reason : '',
          }).toEqual({
            row: row.name,
            code: intake.startsWith('send') ? 'exit 2' : want.code,
            reason: expect.stringContaining(want.reason),
          });
      }
      // what was queued is exactly what was sent, to the target asked for
      for (const [id, row] of expectedTask) {
        expect(engine.getTask(id)).toMatchObject({ text: row.text, target: row.target ?? 'default' });
      }
      expectedTask.clear();
    }, 60_000);
  }
});
