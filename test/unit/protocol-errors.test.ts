import { describe, expect, it } from 'vitest';
import { RPC_METHODS, LineSplitter } from '../../src/engine/rpc/protocol.js';
import { ERROR_CODES, isWhtError, toWhtError, WhtError, type ErrorCode } from '../../src/engine/errors.js';

describe('LineSplitter', () => {
  const collect = (maxLine?: number) => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), maxLine);
    return { lines, s };
  };

  it('splits on newlines across chunk boundaries and keeps the partial tail', () => {
    const { lines, s } = collect();
    s.push('{"id":1}\n{"id"');
    expect(lines).toEqual(['{"id":1}']);
    s.push(':2}\n{"id":3}\n{"par');
    expect(lines).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
    s.push('tial');
    expect(lines).toHaveLength(3);
    s.push('"}\n');
    expect(lines[3]).toBe('{"partial"}');
  });

  it('skips empty lines', () => {
    const { lines, s } = collect();
    s.push('\n\na\n\n\nb\n');
    expect(lines).toEqual(['a', 'b']);
  });

  it('keeps multi-byte text intact when pushed character by character', () => {
    const { lines, s } = collect();
    for (const ch of '{"t":"日本🚀"}\n') s.push(ch);
    expect(lines).toEqual(['{"t":"日本🚀"}']);
  });

  it('rejects an unfinished line longer than maxLine', () => {
    const { s } = collect(10);
    s.push('x'.repeat(10));
    expect(() => s.push('x')).toThrow(/too long/);
  });

  it('rejects a complete line longer than maxLine', () => {
    const { lines, s } = collect(10);
    expect(() => s.push(`${'x'.repeat(20)}\n`)).toThrow(/too long/);
    expect(lines).toEqual([]);
  });

  it('accepts a line of exactly maxLine characters', () => {
    const { lines, s } = collect(10);
    s.push(`${'x'.repeat(10)}\n`);
    expect(lines).toEqual(['x'.repeat(10)]);
  });

  it('names every EngineApi action plus subscribe, targetStatus, history and describeDefaultTarget as a method', () => {
    expect([...RPC_METHODS].sort()).toEqual([
      'describeDefaultTarget',
      'drop',
      'enqueue',
      'getTask',
      'history',
      'isPaused',
      'listTasks',
      'pause',
      'resume',
      'retry',
      'retryAllDead',
      'snapshot',
      'stats',
      'subscribe',
      'targetStatus',
    ]);
  });
});

describe('error registry', () => {
  const codes = Object.keys(ERROR_CODES) as ErrorCode[];

  it.each(codes)('%s is documented and says whether it is retryable', (code) => {
    const entry = ERROR_CODES[code];
    expect(code).toMatch(/^WHT_ERR_[A-Z_]+$/);
    expect(entry.doc.trim().length).toBeGreaterThan(10);
    expect(entry.doc.trim()).toMatch(/\.$/);
    expect(typeof entry.retryable).toBe('boolean');
  });

  it('retries pane and tmux faults, never bad input', () => {
    for (const code of [
      'WHT_ERR_TARGET_MISSING',
      'WHT_ERR_TARGET_BUSY',
      'WHT_ERR_TMUX_FAILED',
      'WHT_ERR_NOT_CONFIRMED',
    ] as const) {
      expect(new WhtError(code, 'x').retryable, code).toBe(true);
    }
    for (const code of [
      'WHT_ERR_TEXT_UNSAFE',
      'WHT_ERR_TEXT_EMPTY',
      'WHT_ERR_TARGET_UNKNOWN',
      'WHT_ERR_BAD_TRIGGER',
    ] as const) {
      expect(new WhtError(code, 'x').retryable, code).toBe(false);
    }
  });

  it('WhtError carries code, message, details and cause', () => {
    const cause = new Error('root');
    const e = new WhtError('WHT_ERR_STORAGE', 'disk full', { path: '/x' }, { cause });
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({
      name: 'WhtError',
      code: 'WHT_ERR_STORAGE',
      message: 'disk full',
      details: { path: '/x' },
      cause,
    });
    expect(isWhtError(e)).toBe(true);
    expect(isWhtError(e, 'WHT_ERR_STORAGE')).toBe(true);
    expect(isWhtError(e, 'WHT_ERR_CLOSED')).toBe(false);
    expect(isWhtError(new Error('x'))).toBe(false);
  });

  it('toWhtError passes a WhtError through unchanged', () => {
    const e = new WhtError('WHT_ERR_TARGET_BUSY', 'busy');
    expect(toWhtError(e, 'WHT_ERR_STORAGE')).toBe(e);
  });

  it('toWhtError wraps anything else with the fallback code, keeping the message and the cause', () => {
    const plain = new Error('spawn tmux ENOENT');
    expect(toWhtError(plain, 'WHT_ERR_TMUX_FAILED')).toMatchObject({
      code: 'WHT_ERR_TMUX_FAILED',
      message: 'spawn tmux ENOENT',
      cause: plain,
      retryable: true,
    });
    // without a fallback: an unexpected fault, still retried, but not blamed on tmux
    expect(toWhtError(plain)).toMatchObject({
      code: 'WHT_ERR_INTERNAL',
      message: 'spawn tmux ENOENT',
      cause: plain,
      retryable: true,
    });
    expect(toWhtError('just a string', 'WHT_ERR_STORAGE')).toMatchObject({
      code: 'WHT_ERR_STORAGE',
      message: 'just a string',
    });
    expect(toWhtError(undefined).message).toBe('undefined');
  });
});
