import { z } from 'zod';

/**
 * Target profiles: how text is typed into a pane.
 * - `shell`: text, then Enter.
 * - `agent`: wait until the pane is idle (screen patterns and/or the foreground command), type the text (multi-line
 *   text as one bracketed paste), pause `enterDelayMs` (agent TUIs read an Enter that follows text within ~120 ms as
 *   a newline of a paste), then Enter.
 */
export const PRESETS = {
  'claude-code': {
    profile: 'agent',
    /** Claude Code shows its `❯`/`>` prompt box when idle and "esc to interrupt" while it works. */
    readyPattern: '^\\s*(?:│\\s*)?[>❯]',
    busyPattern: '(?i)esc to interrupt',
    multiline: true,
    enterDelayMs: 150,
  },
  codex: {
    profile: 'agent',
    /** Codex shows a `›`/`▌` composer when idle and "Esc to interrupt" while it works. */
    readyPattern: '^\\s*[›▌>]',
    busyPattern: '(?i)esc to interrupt',
    multiline: true,
    enterDelayMs: 200,
  },
} as const;

export type PresetName = keyof typeof PRESETS;

/** Compile a pattern from config; `(?i)` at the start means case-insensitive (JS has no inline flags). */
export function compilePattern(source: string): RegExp {
  const insensitive = source.startsWith('(?i)');
  return new RegExp(insensitive ? source.slice(4) : source, insensitive ? 'imu' : 'mu');
}

const patternSchema = z.string().min(1).refine((p) => {
  try {
    compilePattern(p);
    return true;
  } catch {
    return false;
  }
}, { message: 'is not a valid regular expression' });

export const targetSchema = z.object({
  /** tmux pane: `%id` or an exact `=session:window.pane`. Prefix matching is never used. */
  pane: z.string().min(1).refine((p) => p.startsWith('%') || p.startsWith('='), {
    message: 'must be a pane id (%3) or an exact target starting with = (=work:1.0)',
  }),
  /** Fills the keys below with known-good values for an agent CLI: `claude-code` or `codex`. @default null */
  preset: z.enum(Object.keys(PRESETS) as [PresetName, ...PresetName[]]).nullable().default(null),
  /** `shell` or `agent`. @default "shell" (the preset's, when one is given) */
  profile: z.enum(['shell', 'agent']).optional(),
  /** Agent: the pane is idle when its last `readyLines` lines match this (JS regex; `(?i)` prefix = ignore case). @default null */
  readyPattern: patternSchema.nullable().optional(),
  /** Agent: the pane is busy while its last `readyLines` lines match this. @default null */
  busyPattern: patternSchema.nullable().optional(),
  /** Agent: the pane is idle only while its foreground command is one of these (`pane_current_command`). @default [] */
  readyCommands: z.array(z.string().min(1)).optional(),
  /** Lines from the bottom of the screen that the patterns look at. @default 15 */
  readyLines: z.number().int().min(1).max(500).default(15),
  /** Agent: how long to wait for the pane to become idle before the attempt fails (retryable). @default 60000 */
  readyTimeoutMs: z.number().int().min(0).default(60_000),
  /** Agent: how often the screen is checked while waiting. @default 100 */
  readyPollMs: z.number().int().min(10).default(100),
  /** Pause between the text and Enter. @default 0 for shell, 150 for agent */
  enterDelayMs: z.number().int().min(0).max(60_000).optional(),
  /** Accept multi-line text, typed as one bracketed paste, then Enter. @default false (the preset's, when one is given) */
  multiline: z.boolean().optional(),
  /** After Enter, check the pane shows the text; if not, the attempt fails (retryable). @default false */
  confirm: z.boolean().default(false),
}).strict();

export type TargetInput = z.input<typeof targetSchema>;

export interface ResolvedTarget {
  pane: string;
  profile: 'shell' | 'agent';
  readyPattern: string | null;
  busyPattern: string | null;
  readyCommands: readonly string[];
  readyLines: number;
  readyTimeoutMs: number;
  readyPollMs: number;
  enterDelayMs: number;
  multiline: boolean;
  confirm: boolean;
}

/** Apply the preset, then the profile's defaults, under the explicit keys. Pure. */
export function resolveTarget(t: z.output<typeof targetSchema>): ResolvedTarget {
  const preset = t.preset ? PRESETS[t.preset] : undefined;
  const profile = t.profile ?? preset?.profile ?? 'shell';
  return {
    pane: t.pane,
    profile,
    readyPattern: t.readyPattern ?? preset?.readyPattern ?? null,
    busyPattern: t.busyPattern ?? preset?.busyPattern ?? null,
    readyCommands: t.readyCommands ?? [],
    readyLines: t.readyLines,
    readyTimeoutMs: t.readyTimeoutMs,
    readyPollMs: t.readyPollMs,
    enterDelayMs: t.enterDelayMs ?? preset?.enterDelayMs ?? (profile === 'agent' ? 150 : 0),
    multiline: t.multiline ?? preset?.multiline ?? false,
    confirm: t.confirm,
  };
}

/** A shell target on a pane, as used for the implicit `default` target. */
export function shellTarget(pane: string): ResolvedTarget {
  return resolveTarget(targetSchema.parse({ pane: pane.startsWith('%') || pane.startsWith('=') ? pane : `=${pane}` }));
}

export type Readiness = { ready: true } | { ready: false; why: string };

/**
 * Is the pane idle enough to type into? Pure: takes the last lines of the screen and the foreground command.
 * Busy pattern wins; then the foreground command (when listed); then the ready pattern (when set).
 */
export function judgeReadiness(target: ResolvedTarget, screen: string, currentCommand: string): Readiness {
  const lines = screen.replace(/\s+$/, '').split('\n').slice(-target.readyLines).join('\n');
  if (target.busyPattern && compilePattern(target.busyPattern).test(lines)) return { ready: false, why: `screen matches busyPattern /${target.busyPattern}/` };
  if (target.readyCommands.length && !target.readyCommands.includes(currentCommand)) {
    return { ready: false, why: `foreground command is ${currentCommand || '(none)'}, not one of ${target.readyCommands.join(', ')}` };
  }
  if (target.readyPattern && !compilePattern(target.readyPattern).test(lines)) return { ready: false, why: `screen does not match readyPattern /${target.readyPattern}/` };
  return { ready: true };
}
