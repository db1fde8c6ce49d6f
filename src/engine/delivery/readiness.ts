/**
 * Readiness of a target: may a task be typed into its pane now? One small state machine per target, fed with what
 * the pane shows. Pure: the caller captures the pane (see agent-wait.ts) and keeps each target's memory.
 *
 * An agent pane is `ready` only when all hold:
 * - its own idle marker shows (readyPattern: Claude Code and Codex show `? for shortcuts` only when the input is
 *   empty and nothing runs);
 * - no busy marker (busyPattern: `esc to interrupt`) shows;
 * - its input line (inputPattern) is empty: placeholder text drawn faint does not count;
 * - it is not within `postSubmitHoldMs` of our last Enter, unless the busy marker was seen since (agents keep
 *   looking idle for up to ~1.3 s after Enter).
 * Anything else (a menu, a dialog, text in the input) is `not-ready` with the reason, never `ready`.
 */
import { compilePattern, type ResolvedTarget } from './profiles.js';
import type { PaneState } from './pane.js';
import { parseScreen, typedText, type ScreenLine } from './screen.js';

import type { TargetState } from '../task.js';

export type { TargetState };

export interface Judgement {
  state: TargetState;
  /** Why it is not `ready`; null when it is. */
  reason: string | null;
  /** The input line's text when it holds some (typed by someone, or a prompt put back after an interrupt). */
  input: string | null;
  /** The busy marker shows on screen now. */
  busyMarker: boolean;
  /** A menu or dialog (numbered choices) is open. */
  menu?: boolean;
}

/** What the state machine remembers about one target between looks. */
export interface Memory {
  /** When we last pressed Enter, while the busy marker has not been seen since; null otherwise. */
  submittedAt: number | null;
}

export const freshMemory = (): Memory => ({ submittedAt: null });

type Spec = Pick<
  ResolvedTarget,
  'profile' | 'readyPattern' | 'busyPattern' | 'inputPattern' | 'readyLines' | 'postSubmitHoldMs'
>;

/** The last line matching inputPattern, and where its text (the pattern's first group) starts. */
export function findInput(lines: readonly ScreenLine[], inputPattern: string): { row: number; start: number } | null {
  const re = compilePattern(inputPattern, 'd');
  for (let row = lines.length - 1; row >= 0; row--) {
    const m = re.exec(lines[row]!.text);
    if (m) return { row, start: m.indices?.[1]?.[0] ?? m.index + m[0].length };
  }
  return null;
}

/** Numbered choices (`> 1. Sign in with ChatGPT`, `❯ 1. Yes, proceed`): a menu or dialog is open. */
function menuLine(lines: readonly ScreenLine[]): string | null {
  const choices = lines.filter((l) => /^\s*(?:[❯>›▌]\s*)?\d+\.\s+\S/u.test(l.text));
  return choices.length >= 2 ? choices[0]!.text.trim() : null;
}

const clip = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Judge one screen of an agent pane (no memory, no pane flags). */
export function judgeScreen(spec: Spec, captured: string): Judgement {
  const lines = parseScreen(captured);
  const tail = lines.slice(-spec.readyLines);
  const tailText = tail.map((l) => l.text).join('\n');
  const busyMarker = spec.busyPattern !== null && compilePattern(spec.busyPattern).test(tailText);
  const at = spec.inputPattern ? findInput(lines, spec.inputPattern) : null;
  const input = at ? typedText(lines[at.row]!, at.start) || null : null;
  const result = (state: TargetState, reason: string | null): Judgement => ({ state, reason, input, busyMarker });
  if (busyMarker) return result('busy', `the agent is working (screen matches busyPattern /${spec.busyPattern}/)`);
  const idleMarker = spec.readyPattern === null || compilePattern(spec.readyPattern).test(tailText);
  const menu = idleMarker ? null : menuLine(tail);
  if (menu) return { ...result('not-ready', `a menu or dialog is open ("${clip(menu)}")`), menu: true };
  if (input !== null) return result('not-ready', `the input holds text that is not ours: "${clip(input)}"`);
  if (!idleMarker) return result('not-ready', `the idle marker /${spec.readyPattern}/ is not on screen`);
  if (spec.inputPattern && !at)
    return result('not-ready', `no input line (inputPattern /${spec.inputPattern}/) on screen`);
  return result('ready', null);
}

/** What one look at a target found: the pane (null = missing) and, for agents, its screen. */
export interface Observation {
  pane: PaneState | null;
  screen: string | null;
  now: number;
  /** Shell targets looked at for a delivery: the capture a mark is cut from (pane.ts markFromCapture), when taken. */
  markCapture?: string | null;
}

function paneProblem(pane: PaneState | null): Judgement | null {
  const j = (state: TargetState, reason: string): Judgement => ({ state, reason, input: null, busyMarker: false });
  if (!pane) return j('missing', 'the pane does not exist');
  if (pane.dead) return j('missing', 'the pane is dead (its program exited)');
  if (pane.inMode) return j('in-mode', 'the pane is in a mode (copy mode?): keys would be swallowed');
  if (pane.inputOff) return j('input-off', 'the pane has input disabled (select-pane -d)');
  return null;
}

/**
 * One step of the state machine: the judgement now and the memory to keep. Shell targets are ready whenever the
 * pane can take input (their screen is never looked at).
 */
export function step(
  spec: Spec & { readyCommands: readonly string[] },
  memory: Memory,
  obs: Observation,
): { judgement: Judgement; memory: Memory } {
  const problem = paneProblem(obs.pane);
  if (problem) return { judgement: problem, memory };
  if (spec.profile !== 'agent')
    return { judgement: { state: 'ready', reason: null, input: null, busyMarker: false }, memory: freshMemory() };
  const seen = judgeScreen(spec, obs.screen ?? '');
  if (seen.busyMarker) return { judgement: seen, memory: freshMemory() };
  const command = obs.pane!.currentCommand;
  if (spec.readyCommands.length && !spec.readyCommands.includes(command)) {
    return {
      judgement: {
        ...seen,
        state: 'not-ready',
        reason: `the foreground command is ${command || '(none)'}, not one of ${spec.readyCommands.join(', ')}`,
      },
      memory,
    };
  }
  if (memory.submittedAt !== null) {
    const since = obs.now - memory.submittedAt;
    if (since < spec.postSubmitHoldMs) {
      return {
        judgement: {
          ...seen,
          state: 'busy',
          reason: `a prompt was submitted ${since} ms ago and the busy marker has not shown yet (postSubmitHoldMs ${spec.postSubmitHoldMs})`,
        },
        memory,
      };
    }
    return { judgement: seen, memory: freshMemory() };
  }
  return { judgement: seen, memory };
}

/** Each target's memory, shared by delivery and the `targets` view so both judge the same way. */
export class ReadinessBook {
  private readonly memories = new Map<string, Memory>();

  get(target: string): Memory {
    return this.memories.get(target) ?? freshMemory();
  }

  set(target: string, memory: Memory): void {
    this.memories.set(target, memory);
  }

  /** We pressed Enter on this target's pane at `at`. */
  submitted(target: string, at: number): void {
    this.memories.set(target, { submittedAt: at });
  }
}
