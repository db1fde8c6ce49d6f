import { z } from 'zod';

/**
 * Target profiles: how text is typed into a pane.
 * - `shell`: text, then Enter.
 * - `agent`: wait until the pane is ready (readiness.ts: idle marker, no busy marker, empty input, not just
 *   submitted), type the text (multi-line text as one bracketed paste), pause `enterDelayMs` (Codex reads an Enter
 *   within ~50 ms of typed text as a newline), Enter, then confirm it was submitted.
 *
 * The presets were checked against the real programs' screens (Claude Code 2.1.332, Codex 0.171.0; see README).
 */
export const PRESETS = {
  'claude-code': {
    profile: 'agent',
    /** Footer hint shown only while the input is empty and nothing runs. */
    readyPattern: '\\? for shortcuts',
    /** Footer while it works: `... · esc to interrupt`. */
    busyPattern: '(?i)esc to interrupt',
    /** The input box line `❯ text` (the last one on screen: past prompts stay in the transcript as `❯ text` too). */
    inputPattern: '^\\s*(?:│\\s*)?[❯>][\\s\\u00a0]?(.*)$',
    multiline: true,
    enterDelayMs: 150,
    /** Output lines that are its own chrome: the spinner status line (`✻ Working…`). */
    chromePattern: '^\\s*[✻✽✶✳✢]\\s',
  },
  codex: {
    profile: 'agent',
    /** Footer hint `← for agents · ? for shortcuts`, shown only while the input is empty (also while it works). */
    readyPattern: '\\? for shortcuts',
    /** `• Working (41s • esc to interrupt)`, `• Reconnecting... (4s • esc to interrupt)` above the composer. */
    busyPattern: '(?i)esc to interrupt',
    /** The composer line `› text` (its placeholder `› Ask Codex to do anything` is faint). */
    inputPattern: '^\\s*[›▌][\\s\\u00a0]?(.*)$',
    multiline: true,
    enterDelayMs: 200,
    /** Output lines that are its own chrome: the status line (`• Working (41s • esc to interrupt)`), the hint under a queued message. */
    chromePattern: '^\\s*(?:• (?:Working|Reconnecting)|shift\\+← edit last queued message)',
  },
} as const;

export type PresetName = keyof typeof PRESETS;

/** Compile a pattern from config; `(?i)` at the start means case-insensitive (JS has no inline flags). */
export function compilePattern(source: string, flags = ''): RegExp {
  const insensitive = source.startsWith('(?i)');
  return new RegExp(insensitive ? source.slice(4) : source, `${insensitive ? 'i' : ''}mu${flags}`);
}

const patternSchema = z
  .string()
  .min(1)
  .refine(
    (p) => {
      try {
        compilePattern(p);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'is not a valid regular expression' },
  );

export const targetSchema = z
  .object({
    /** tmux pane: `%id` or an exact `=session:window.pane`. Prefix matching is never used. */
    pane: z
      .string()
      .min(1)
      .refine((p) => p.startsWith('%') || p.startsWith('='), {
        message: 'must be a pane id (%3) or an exact target starting with = (=work:1.0)',
      }),
    /** Fills the keys below with known-good values for an agent CLI: `claude-code` or `codex`. @default null */
    preset: z
      .enum(Object.keys(PRESETS) as [PresetName, ...PresetName[]])
      .nullable()
      .default(null),
    /** `shell` or `agent`. @default "shell" (the preset's, when one is given) */
    profile: z.enum(['shell', 'agent']).optional(),
    /** Agent: its idle marker; ready only when the last `readyLines` lines match (JS regex; `(?i)` prefix = ignore case). @default null */
    readyPattern: patternSchema.nullable().optional(),
    /** Agent: its busy marker; busy while the last `readyLines` lines match. @default null */
    busyPattern: patternSchema.nullable().optional(),
    /** Agent: the input line (the last line matching; group 1 = its text, which must be empty or faint). @default null */
    inputPattern: patternSchema.nullable().optional(),
    /** Agent: ready only while its foreground command is one of these (`pane_current_command`). @default [] */
    readyCommands: z.array(z.string().min(1)).optional(),
    /** Lines from the bottom of the screen that the markers are looked for in. @default 15 */
    readyLines: z.number().int().min(1).max(500).default(15),
    /** Agent: how long to wait for the pane to become ready before the attempt fails (retryable). @default 60000 */
    readyTimeoutMs: z.number().int().min(0).default(60_000),
    /** Agent: how often the screen is checked while waiting. @default 100 */
    readyPollMs: z.number().int().min(10).default(100),
    /** Agent: after our Enter, busy until the busy marker shows or this passes (a watched shell: not done before it, 500 when 0). @default 2000 for agent, 0 for shell */
    postSubmitHoldMs: z.number().int().min(0).max(600_000).optional(),
    /** Agent: text in the input that is not ours is cleared (clearKeys) instead of waited on. @default false */
    clearInput: z.boolean().default(false),
    /** Agent: keys sent per round to clear the input (tmux key names). @default ["C-e", "C-u", "BSpace"] */
    clearKeys: z
      .array(z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,19}$/, 'must be a tmux key name such as C-u or BSpace'))
      .min(1)
      .optional(),
    /** Pause between the text and Enter. @default 0 for shell, 150 for agent */
    enterDelayMs: z.number().int().min(0).max(60_000).optional(),
    /** Accept multi-line text, typed as one bracketed paste, then Enter. @default false (the preset's, when one is given) */
    multiline: z.boolean().optional(),
    /** After Enter, check it arrived (agents: busy marker or the text in the transcript); else the attempt fails (retryable). @default true with a preset, else false */
    confirm: z.boolean().optional(),
    /** How long confirmation may take. @default 5000 for agent, 500 for shell */
    confirmTimeoutMs: z.number().int().min(50).max(600_000).optional(),
    /**
     * After `delivered`, watch the pane: `working`, then `completed` (with the output) or `stalled`. Agents: busy
     * marker, then idle again; shells: the foreground command leaves the shell and comes back. @default true for agent, false for shell
     */
    trackCompletion: z.boolean().optional(),
    /** A watched task still busy this long after delivery is `stalled`. @default 1800000 (30 min) */
    completionTimeoutMs: z.number().int().min(100).max(604_800_000).default(1_800_000),
    /** Shell targets: foreground commands that are the shell itself (`pane_current_command`). @default ["bash", "zsh", "sh", "fish", "dash", "ksh", "mksh", "tcsh", "csh", "ash"] */
    shellCommands: z.array(z.string().min(1)).min(1).optional(),
    /** Shell targets: the prompt line; group 1, when it matches digits, is the exit status it shows. @default null */
    promptPattern: patternSchema.nullable().optional(),
    /** Output lines that are the program's chrome (status lines), trimmed from the output's end. @default null (the preset's) */
    chromePattern: patternSchema.nullable().optional(),
    /** Cluster mode: the pool this target serves; a task for `pool:NAME` goes to whichever member is ready first. @default null */
    pool: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, '1-64 letters, digits, _ . -')
      .nullable()
      .default(null),
  })
  .strict();

export type TargetInput = z.input<typeof targetSchema>;

export interface ResolvedTarget {
  pane: string;
  profile: 'shell' | 'agent';
  preset: PresetName | null;
  readyPattern: string | null;
  busyPattern: string | null;
  inputPattern: string | null;
  readyCommands: readonly string[];
  readyLines: number;
  readyTimeoutMs: number;
  readyPollMs: number;
  postSubmitHoldMs: number;
  clearInput: boolean;
  clearKeys: readonly string[];
  enterDelayMs: number;
  multiline: boolean;
  confirm: boolean;
  confirmTimeoutMs: number;
  trackCompletion: boolean;
  completionTimeoutMs: number;
  shellCommands: readonly string[];
  promptPattern: string | null;
  chromePattern: string | null;
  /** Cluster mode: the pool this target serves (null: none). */
  pool: string | null;
}

export const SHELL_COMMANDS = ['bash', 'zsh', 'sh', 'fish', 'dash', 'ksh', 'mksh', 'tcsh', 'csh', 'ash'] as const;

/** Apply the preset, then the profile's defaults, under the explicit keys. Pure. */
export function resolveTarget(t: z.output<typeof targetSchema>): ResolvedTarget {
  const preset = t.preset ? PRESETS[t.preset] : undefined;
  const profile = t.profile ?? preset?.profile ?? 'shell';
  const agent = profile === 'agent';
  return {
    pane: t.pane,
    profile,
    preset: t.preset,
    readyPattern: t.readyPattern ?? preset?.readyPattern ?? null,
    busyPattern: t.busyPattern ?? preset?.busyPattern ?? null,
    inputPattern: t.inputPattern ?? preset?.inputPattern ?? null,
    readyCommands: t.readyCommands ?? [],
    readyLines: t.readyLines,
    readyTimeoutMs: t.readyTimeoutMs,
    readyPollMs: t.readyPollMs,
    postSubmitHoldMs: t.postSubmitHoldMs ?? (agent ? 2000 : 0),
    clearInput: t.clearInput,
    clearKeys: t.clearKeys ?? ['C-e', 'C-u', 'BSpace'],
    enterDelayMs: t.enterDelayMs ?? preset?.enterDelayMs ?? (agent ? 150 : 0),
    multiline: t.multiline ?? preset?.multiline ?? false,
    confirm: t.confirm ?? preset !== undefined,
    confirmTimeoutMs: t.confirmTimeoutMs ?? (agent ? 5000 : 500),
    trackCompletion: t.trackCompletion ?? agent,
    completionTimeoutMs: t.completionTimeoutMs,
    shellCommands: t.shellCommands ?? SHELL_COMMANDS,
    promptPattern: t.promptPattern ?? null,
    chromePattern: t.chromePattern ?? preset?.chromePattern ?? null,
    pool: t.pool,
  };
}

/** A shell target on a pane, as used for the implicit `default` target. */
export function shellTarget(pane: string): ResolvedTarget {
  return resolveTarget(targetSchema.parse({ pane: pane.startsWith('%') || pane.startsWith('=') ? pane : `=${pane}` }));
}
