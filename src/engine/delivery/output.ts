/**
 * A task's output from the pane's lines (`capture-pane -p -J` from where it was typed on): the lines between the
 * submitted prompt and the return to idle, escape sequences removed, the program's chrome trimmed, capped at
 * `output.maxBytes` with a marker. Pure.
 *
 * Agents: the prompt is the last transcript line (inputPattern, e.g. `❯ text`) that starts with the task's first
 * line above the input line (none: the output is empty; Claude Code puts an interrupted prompt back into the input
 * and drops it from the transcript); the output ends above the input line, and trailing blank lines, rules (box drawing)
 * and chromePattern/busyPattern lines (status lines) are trimmed. Shells: the first line showing the command is the
 * prompt, and the last line (the shell's prompt again) ends it; its promptPattern group 1 is the exit status.
 */
import { compilePattern, type ResolvedTarget } from './profiles.js';
import { parseScreen } from './screen.js';

export type OutputSpec = Pick<
  ResolvedTarget,
  'profile' | 'inputPattern' | 'busyPattern' | 'chromePattern' | 'promptPattern'
>;

export interface ExtractedOutput {
  output: string;
  exitCode: number | null;
}

const squash = (s: string) => s.replace(/[\u2500-\u257f]/g, '').replace(/\s+/g, '');
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
const BLANK_OR_RULE = /^[\s\u00a0\u2500-\u257f]*$/u;

/** The captured text as plain lines: escape sequences and control characters gone, trailing blanks trimmed. */
export function plainLines(captured: string): string[] {
  return parseScreen(captured).map((l) => l.text.replace(CONTROLS, '').trimEnd());
}

function lastIndex(lines: readonly string[], from: number, pred: (line: string) => boolean): number {
  for (let i = from; i >= 0; i--) if (pred(lines[i]!)) return i;
  return -1;
}

/** Where the agent's output starts and ends in `lines`: [start, end). */
function agentSpan(lines: readonly string[], spec: OutputSpec, prompt: string): [number, number] {
  const input = spec.inputPattern ? compilePattern(spec.inputPattern) : null;
  const end = input ? lastIndex(lines, lines.length - 1, (l) => input.test(l)) : -1;
  const stop = end < 0 ? lines.length : end;
  const want = squash(prompt.split('\n')[0]!).slice(0, 60);
  const startsPrompt = (l: string) => {
    const m = input?.exec(l);
    return m !== null && m !== undefined && want !== '' && squash(m[1] ?? '').startsWith(want);
  };
  let anchor = lastIndex(lines, stop - 1, startsPrompt);
  if (anchor < 0 && want !== '') anchor = lastIndex(lines, stop - 1, (l) => squash(l).includes(want));
  // The prompt is not in the transcript (an interrupt put it back into the input box): nothing was answered.
  if (anchor < 0) return [stop, stop];
  // A multi-line prompt shows its other lines below the first: skip those that are part of it.
  const whole = squash(prompt);
  let start = anchor + 1;
  for (let n = prompt.split('\n').length - 1; n > 0 && start < stop; n--) {
    const line = squash(lines[start]!);
    if (line !== '' && !whole.includes(line)) break;
    start++;
  }
  return [start, stop];
}

function shellSpan(lines: readonly string[], prompt: string): [number, number] {
  const want = squash(prompt.split('\n')[0]!).slice(0, 60);
  const anchor = want === '' ? -1 : lines.findIndex((l) => squash(l).includes(want));
  return [anchor + 1, Math.max(anchor + 1, lines.length - 1)];
}

function trimChrome(body: string[], spec: OutputSpec): string[] {
  const chrome = [spec.chromePattern, spec.busyPattern]
    .filter((p): p is string => p !== null)
    .map((p) => compilePattern(p));
  let end = body.length;
  while (end > 0 && (BLANK_OR_RULE.test(body[end - 1]!) || chrome.some((re) => re.test(body[end - 1]!)))) end--;
  let start = 0;
  while (start < end && BLANK_OR_RULE.test(body[start]!)) start++;
  return body.slice(start, end);
}

/** The exit status a shell prompt line shows (promptPattern group 1), or null. */
export function exitStatus(line: string | undefined, promptPattern: string | null): number | null {
  if (line === undefined || promptPattern === null) return null;
  const m = compilePattern(promptPattern).exec(line);
  return m?.[1] !== undefined && /^\d{1,3}$/.test(m[1]) ? Number(m[1]) : null;
}

/** Keep the last `maxBytes` bytes (an answer ends with what matters), with a marker line saying what was cut. */
export function capOutput(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const kept = bytes
    .subarray(bytes.length - maxBytes)
    .toString('utf8')
    .replace(/^\uFFFD+/, '');
  const cut = bytes.length - Buffer.byteLength(kept);
  return `[webhook-tui: output cut: the first ${cut} of ${bytes.length} bytes were dropped (output.maxBytes ${maxBytes})]\n${kept}`;
}

/** The output of a task whose prompt was `prompt`, from the pane's lines since it was typed. */
export function extractOutput(captured: string, prompt: string, spec: OutputSpec, maxBytes: number): ExtractedOutput {
  const lines = plainLines(captured);
  const agent = spec.profile === 'agent';
  const [start, end] = agent ? agentSpan(lines, spec, prompt) : shellSpan(lines, prompt);
  const body = trimChrome(lines.slice(start, end), spec);
  return {
    output: capOutput(body.join('\n'), maxBytes),
    exitCode: agent ? null : exitStatus(lines[lines.length - 1], spec.promptPattern),
  };
}
