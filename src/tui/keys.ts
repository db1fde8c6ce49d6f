/**
 * Keys as data: this one table drives the key dispatcher, the help overlay (`?`) and the README "Keys" section
 * (docs/keys.md, kept equal by test/unit/tui-keys.test.ts).
 */

export type KeyAction =
  | 'quit'
  | 'help'
  | 'focusNext'
  | 'focusPrev'
  | 'focusPanel'
  | 'down'
  | 'up'
  | 'top'
  | 'bottom'
  | 'detail'
  | 'back'
  | 'pause'
  | 'retry'
  | 'retryAll'
  | 'drop'
  | 'filter'
  | 'export'
  | 'freeze'
  | 'cluster';

export interface KeyBinding {
  /** Normalised key names as the dispatcher sees them: printable chars as typed, others as blessed names. */
  keys: readonly string[];
  /** How the help overlay and README show the keys. */
  label: string;
  action: KeyAction;
  description: string;
}

export const KEY_BINDINGS: readonly KeyBinding[] = [
  {
    keys: ['q', 'C-c'],
    label: 'q, Ctrl-C',
    action: 'quit',
    description: 'Quit; the engine drains and closes. Asks first while deliveries are in flight.',
  },
  { keys: ['?'], label: '?', action: 'help', description: 'Show or hide this help.' },
  { keys: ['tab'], label: 'Tab', action: 'focusNext', description: 'Focus the next panel.' },
  { keys: ['S-tab'], label: 'Shift-Tab', action: 'focusPrev', description: 'Focus the previous panel.' },
  {
    keys: ['1', '2', '3', '4', '5'],
    label: '1-5',
    action: 'focusPanel',
    description: 'Focus a panel: 1 queue, 2 dead letters, 3 alerts, 4 latency, 5 log.',
  },
  { keys: ['j', 'down'], label: 'j, Down', action: 'down', description: 'Move the selection down (scroll the log).' },
  { keys: ['k', 'up'], label: 'k, Up', action: 'up', description: 'Move the selection up (scroll the log).' },
  { keys: ['g', 'home'], label: 'g, Home', action: 'top', description: 'Go to the first row.' },
  {
    keys: ['G', 'end'],
    label: 'G, End',
    action: 'bottom',
    description: 'Go to the last row (the log follows new lines again).',
  },
  {
    keys: ['enter'],
    label: 'Enter',
    action: 'detail',
    description: 'Open the selected task: full text, target, stage timestamps, attempts.',
  },
  {
    keys: ['escape'],
    label: 'Esc',
    action: 'back',
    description: 'Close the overlay, cancel a prompt, or clear the filter.',
  },
  {
    keys: ['p'],
    label: 'p',
    action: 'pause',
    description: 'Pause or resume the queue (PAUSED shows in the status line).',
  },
  { keys: ['r'], label: 'r', action: 'retry', description: 'Retry the selected dead task.' },
  { keys: ['R'], label: 'R', action: 'retryAll', description: 'Retry all dead tasks (asks first).' },
  { keys: ['d'], label: 'd', action: 'drop', description: 'Drop the selected task (asks first).' },
  {
    keys: ['/'],
    label: '/',
    action: 'filter',
    description: 'Filter the focused list or the log; Enter applies, Esc clears.',
  },
  {
    keys: ['e'],
    label: 'e',
    action: 'export',
    description: 'Export a snapshot as JSON and CSV to the data dir (the path is shown).',
  },
  { keys: ['f'], label: 'f', action: 'freeze', description: 'Freeze or unfreeze the screen; the queue keeps running.' },
  {
    keys: ['c'],
    label: 'c',
    action: 'cluster',
    description: 'Cluster mode: show or hide the cluster panel (every node, its health, backlog and targets).',
  },
];

/** Key name -> binding (first match wins). */
export function bindingFor(key: string): KeyBinding | undefined {
  return KEY_BINDINGS.find((b) => b.keys.includes(key));
}

export const KEYS_START_MARKER = '<!-- keys:start -->';
export const KEYS_END_MARKER = '<!-- keys:end -->';

/** The Markdown table for README's "Keys" section (between the markers, markers excluded). */
export function keysMarkdown(bindings: readonly KeyBinding[] = KEY_BINDINGS): string {
  const rows = bindings.map(
    (b) =>
      `| ${b.label
        .split(', ')
        .map((k) => `\`${k}\``)
        .join(', ')} | ${b.description} |`,
  );
  return ['| Key | Action |', '| --- | --- |', ...rows].join('\n');
}

/** Help overlay lines: `label  description`, label column padded. */
export function helpLines(bindings: readonly KeyBinding[] = KEY_BINDINGS): string[] {
  const w = Math.max(...bindings.map((b) => b.label.length));
  return bindings.map((b) => `${b.label.padEnd(w)}  ${b.description}`);
}

/** Text between the markers in a Markdown document, trimmed; undefined when the markers are missing. */
export function extractKeysSection(markdown: string): string | undefined {
  const start = markdown.indexOf(KEYS_START_MARKER);
  const end = markdown.indexOf(KEYS_END_MARKER);
  if (start < 0 || end < start) return undefined;
  return markdown.slice(start + KEYS_START_MARKER.length, end).trim();
}
