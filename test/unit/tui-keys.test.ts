import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bindingFor,
  extractKeysSection,
  helpLines,
  KEY_BINDINGS,
  keysMarkdown,
  KEYS_END_MARKER,
  KEYS_START_MARKER,
} from '../../src/tui/keys.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOC = path.join(ROOT, 'docs/keys.md');

/** docs/keys.md is generated from the key table: `UPDATE_DOCS=1 npx vitest run test/unit/tui-keys.test.ts` rewrites it. */
function keysDoc(): string {
  return [
    '# Dashboard keys',
    '',
    'Generated from `src/tui/keys.ts` (the same table drives the help overlay, `?`). Regenerate with',
    '`UPDATE_DOCS=1 npx vitest run test/unit/tui-keys.test.ts`; README.md\'s "Keys" section holds the same block between',
    'the same markers, and test/unit/tui-keys.test.ts keeps all three equal.',
    '',
    '## Keys',
    '',
    KEYS_START_MARKER,
    keysMarkdown(),
    KEYS_END_MARKER,
    '',
  ].join('\n');
}

describe('key table', () => {
  it('binds every key once', () => {
    const keys = KEY_BINDINGS.flatMap((b) => b.keys);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('covers the keys the issue asks for', () => {
    const want: Record<string, string> = {
      q: 'quit',
      'C-c': 'quit',
      '?': 'help',
      tab: 'focusNext',
      'S-tab': 'focusPrev',
      '3': 'focusPanel',
      j: 'down',
      k: 'up',
      down: 'down',
      up: 'up',
      g: 'top',
      G: 'bottom',
      enter: 'detail',
      escape: 'back',
      p: 'pause',
      r: 'retry',
      R: 'retryAll',
      d: 'drop',
      '/': 'filter',
      e: 'export',
      f: 'freeze',
    };
    for (const [key, action] of Object.entries(want)) expect(bindingFor(key)?.action, key).toBe(action);
  });

  it('avoids tmux-prefix and pane-navigation Ctrl keys', () => {
    for (const k of ['C-a', 'C-b', 'C-h', 'C-j', 'C-k', 'C-l']) expect(bindingFor(k)).toBeUndefined();
  });

  it('renders one help line and one Markdown row per binding', () => {
    expect(helpLines()).toHaveLength(KEY_BINDINGS.length);
    const md = keysMarkdown();
    expect(md.split('\n')).toHaveLength(KEY_BINDINGS.length + 2);
    expect(md).toContain('| `q`, `Ctrl-C` | Quit;');
  });

  it('extracts the section between the markers', () => {
    expect(extractKeysSection(`a\n${KEYS_START_MARKER}\n| x |\n${KEYS_END_MARKER}\nb`)).toBe('| x |');
    expect(extractKeysSection('no markers')).toBeUndefined();
  });

  it('docs/keys.md is generated from the table', () => {
    if (process.env.UPDATE_DOCS) writeFileSync(DOC, keysDoc());
    expect(readFileSync(DOC, 'utf8')).toBe(keysDoc());
  });

  it("README.md's Keys section equals the table", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(KEYS_START_MARKER);
    expect(extractKeysSection(readme)).toBe(keysMarkdown());
  });
});
