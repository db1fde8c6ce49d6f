import { WhtError } from '../errors.js';

/**
 * Pure quoting of a tmux argv vector into control-mode command lines.
 *
 * The `Tmux` port takes argv with the meaning it has for `execFile('tmux', argv)`: every element is literal, except
 * that tmux's `cmd_parse_from_arguments` treats an element ending in `;` as a command separator (the `;` is dropped)
 * and an element ending in `\;` as ending in a literal `;` (tmux 3.3a cmd-parse.y:1075). `splitCommands` applies
 * exactly that rule, so an argv vector means the same thing on both paths (e.g. tmux-args.ts escapes a trailing
 * `;` of typed text as `\;`; control mode types it as `;`).
 *
 * Each command is then quoted for tmux's config-file parser (control.c reads a line, cmd_parse_and_append); the
 * control-mode client joins the commands of one call with ` ; ` into one line (one command list):
 * - the command name is written bare and must look like a command name (`[a-z][a-z0-9-]*`);
 * - every argument is written in single quotes, where tmux expands nothing (`$`, `~`, `\`, `#`, `;`, `{}` are text);
 *   a `'` is written as `\'` outside the quotes;
 * - C0 controls (including LF and CR) and DEL are written outside the quotes as octal escapes (`\012`), so no text
 *   can end the line; an empty line (which would detach the client) is never produced;
 * - NUL cannot be represented (tmux works on C strings) and is refused, as the exec path refuses it too.
 */

const COMMAND_NAME = /^[a-z][a-z0-9-]*$/;
// C0 controls and DEL, plus the single quote: everything that must be written outside the single quotes.
// eslint-disable-next-line no-control-regex
const SPECIAL = /[\u0000-\u001f\u007f']/;

/** Split argv into commands with tmux's argv rule for trailing `;` / `\;` (see file comment). */
export function splitCommands(args: readonly string[]): string[][] {
  const commands: string[][] = [];
  let current: string[] = [];
  for (const arg of args) {
    let value = arg;
    let end = false;
    if (value.endsWith(';')) {
      value = value.slice(0, -1);
      if (value.endsWith('\\')) value = `${value.slice(0, -1)};`;
      else end = true;
    }
    if (!end || value.length > 0) current.push(value);
    if (end) {
      commands.push(current);
      current = [];
    }
  }
  if (current.length > 0) commands.push(current);
  return commands.filter((c) => c.length > 0);
}

/** Quote one literal argument for tmux's command parser. */
export function quoteArg(arg: string): string {
  if (arg.includes('\u0000')) {
    throw new WhtError('WHT_ERR_TEXT_UNSAFE', 'tmux arguments cannot contain NUL');
  }
  if (arg === '') return "''";
  // Most arguments (targets, formats, plain text) need no escape: one regex scan instead of one per character.
  if (!SPECIAL.test(arg)) return `'${arg}'`;
  let out = '';
  let run = '';
  const flush = (): void => {
    if (run !== '') out += `'${run}'`;
    run = '';
  };
  for (const ch of arg) {
    if (!SPECIAL.test(ch)) {
      run += ch;
      continue;
    }
    flush();
    out += ch === "'" ? "\\'" : `\\${ch.charCodeAt(0).toString(8).padStart(3, '0')}`;
  }
  flush();
  return out;
}

/** One command (already split, name first) as one control-mode line, without the trailing newline. */
export function quoteCommand(command: readonly string[]): string {
  const [name, ...rest] = command;
  if (name === undefined || !COMMAND_NAME.test(name)) {
    throw new WhtError('WHT_ERR_TMUX_FAILED', `not a tmux command name: ${JSON.stringify(name ?? '')}`);
  }
  return [name, ...rest.map(quoteArg)].join(' ');
}

/** argv (exec meaning) -> one quoted command each (the client joins them with ` ; ` into one line). */
export function toControlLines(args: readonly string[]): string[] {
  return splitCommands(args).map(quoteCommand);
}
