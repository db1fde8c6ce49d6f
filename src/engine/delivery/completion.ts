/**
 * Completion of a delivered task on a watched target: a small state machine fed with what the pane shows, one look
 * at a time. Pure: the caller observes the pane (agent-wait.ts `observe`) and keeps the memory.
 *
 * Agents: `working` once the busy marker shows; `completed` when the screen is idle again (readiness.ts judgeScreen
 * says ready) after the busy marker was seen, or after postSubmitHoldMs without one when an answer shows below the
 * prompt (a quick answer), or when the busy
 * marker is gone and its input holds text (interrupted: Claude puts the prompt back) with no dialog open; `stalled` when
 * it is not idle completionTimeoutMs after delivery, or the pane went away.
 * Shells: `working` while the foreground command is not the shell (shellCommands); `completed` when it is the shell
 * again (or still, postSubmitHoldMs after delivery, at least SHELL_SETTLE_MS: a command quicker than one look).
 */
import type { ResolvedTarget } from './profiles.js';
import { extractOutput } from './output.js';
import { judgeScreen, type Observation } from './readiness.js';

/** A shell target whose postSubmitHoldMs is 0 waits this long before a command never seen running counts as done. */
export const SHELL_SETTLE_MS = 500;

export type CompletionSpec = Pick<
  ResolvedTarget,
  | 'profile'
  | 'readyPattern'
  | 'busyPattern'
  | 'inputPattern'
  | 'readyLines'
  | 'postSubmitHoldMs'
  | 'readyCommands'
  | 'completionTimeoutMs'
  | 'shellCommands'
  | 'chromePattern'
  | 'promptPattern'
>;

export interface CompletionMemory {
  deliveredAt: number;
  /** The busy marker (agents) or a foreground command other than the shell (shells) was seen. */
  busySeen: boolean;
  /** `working` was recorded. */
  working: boolean;
  /** The task's text: an agent idle again without ever showing its busy marker must show an answer below it. */
  prompt: string;
}

export type CompletionStep =
  | { kind: 'wait' }
  | { kind: 'working' }
  | { kind: 'completed' }
  | { kind: 'stalled'; reason: string; code: 'WHT_ERR_STALLED' | 'WHT_ERR_TARGET_MISSING' };

/** Memory for a task delivered at `deliveredAt`; one already `working` (after a restart) has seen its busy marker. */
export function startWatch(deliveredAt: number, working = false, prompt = ''): CompletionMemory {
  return { deliveredAt, busySeen: working, working, prompt };
}

/**
 * Is it working (true), done (false), or cannot be told yet (null)? Done also when, after its busy marker was seen,
 * the input holds text and no menu is open: an interrupt put the prompt back, or someone typed while it worked.
 */
function busyNow(spec: CompletionSpec, obs: Observation, memory: CompletionMemory): boolean | null {
  const { busySeen } = memory;
  const pane = obs.pane!;
  if (spec.profile !== 'agent') return !spec.shellCommands.includes(pane.currentCommand);
  // In copy mode or with input off the screen is not captured: nothing can be told.
  if (obs.screen === null) return null;
  const j = judgeScreen(spec, obs.screen);
  if (j.busyMarker) return true;
  if (spec.readyCommands.length && !spec.readyCommands.includes(pane.currentCommand)) return false;
  // Never seen busy: done only once an answer shows below the prompt (Codex's first turn can look idle for seconds).
  if (j.state === 'ready') return busySeen || answered(spec, obs.screen, memory.prompt) ? false : null;
  return busySeen && j.input !== null && !j.menu ? false : null;
}

/** One look: what to record now, and the memory to keep. */
export function stepCompletion(
  spec: CompletionSpec,
  memory: CompletionMemory,
  obs: Observation,
): { step: CompletionStep; memory: CompletionMemory } {
  if (!obs.pane || obs.pane.dead) {
    const why = obs.pane ? 'its program exited' : 'it was closed';
    return {
      step: {
        kind: 'stalled',
        code: 'WHT_ERR_TARGET_MISSING',
        reason: `the pane went away before it finished (${why})`,
      },
      memory,
    };
  }
  const since = obs.now - memory.deliveredAt;
  const busy = busyNow(spec, obs, memory);
  if (busy === true) {
    const next = { ...memory, busySeen: true, working: true };
    if (!memory.working) return { step: { kind: 'working' }, memory: next };
    if (since >= spec.completionTimeoutMs) return stalled(spec, next, since);
    return { step: { kind: 'wait' }, memory: next };
  }
  const hold = spec.profile === 'agent' ? spec.postSubmitHoldMs : spec.postSubmitHoldMs || SHELL_SETTLE_MS;
  if (busy === false && (memory.busySeen || since >= hold)) return { step: { kind: 'completed' }, memory };
  if (since >= spec.completionTimeoutMs) return stalled(spec, memory, since);
  return { step: { kind: 'wait' }, memory };
}

function answered(spec: CompletionSpec, screen: string, prompt: string): boolean {
  return prompt !== '' && extractOutput(screen, prompt, spec, 1 << 20).output !== '';
}

function stalled(
  spec: CompletionSpec,
  memory: CompletionMemory,
  since: number,
): { step: CompletionStep; memory: CompletionMemory } {
  const what = memory.busySeen ? 'still busy' : 'not idle again';
  return {
    step: {
      kind: 'stalled',
      code: 'WHT_ERR_STALLED',
      reason: `${what} ${Math.round(since)} ms after delivery (completionTimeoutMs ${spec.completionTimeoutMs})`,
    },
    memory,
  };
}
