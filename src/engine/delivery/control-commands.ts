/**
 * Which tmux commands ResilientTmux sends through the control-mode client, and which of them may run twice (see
 * resilient-tmux.ts). Commands that queue further commands (if-shell, run-shell, source-file), wait (wait-for) or
 * move the control client (attach/switch/new-session) would break the matching of answers, so they are not listed.
 */
/** Each command sent through control mode, by its name and alias, and whether it may run twice. */
const COMMANDS: ReadonlyArray<[name: string, alias: string | null, idempotent: boolean]> = [
  ['send-keys', 'send', false],
  ['capture-pane', 'capturep', true],
  ['display-message', 'display', true],
  ['list-panes', 'lsp', true],
  ['list-windows', 'lsw', true],
  ['list-sessions', 'ls', true],
  ['list-clients', 'lsc', true],
  ['has-session', 'has', true],
  ['set-buffer', 'setb', true],
  ['paste-buffer', 'pasteb', false],
  ['delete-buffer', 'deleteb', false],
  ['show-buffer', 'showb', true],
  ['list-buffers', 'lsb', true],
  ['show-options', 'show', true],
  ['set-option', 'set', true],
  ['copy-mode', null, false],
  ['select-pane', 'selectp', false],
  ['refresh-client', 'refresh', false],
];

const names = (which: (idempotent: boolean) => boolean): ReadonlySet<string> =>
  new Set(COMMANDS.filter(([, , i]) => which(i)).flatMap(([n, a]) => (a ? [n, a] : [n])));

export const CONTROL_COMMANDS = names(() => true);

export const IDEMPOTENT_COMMANDS = names((i) => i);
