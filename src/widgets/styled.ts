/**
 * Styled text as plain data: the TUI's view-models produce lines of segments; widgets turn them into blessed tags.
 * Colours come from a theme; with NO_COLOR the theme has no colours and only bold/inverse remain.
 */
export type Tone = 'ok' | 'warn' | 'bad' | 'info' | 'dim' | 'accent';

export interface Segment {
  text: string;
  tone?: Tone | undefined;
  bold?: boolean | undefined;
  inverse?: boolean | undefined;
}

export type StyledLine = Segment[];

export interface Theme {
  noColor: boolean;
  tones: Record<Tone, string | null>;
  border: string | null;
  focusBorder: string | null;
  label: string | null;
}

export const COLOR_THEME: Theme = {
  noColor: false,
  tones: { ok: 'green', warn: 'yellow', bad: 'red', info: 'cyan', dim: 'gray', accent: '#ff8800' },
  border: '#4e5d6c',
  focusBorder: '#ff8800',
  label: 'white',
};

export const NO_COLOR_THEME: Theme = {
  noColor: true,
  tones: { ok: null, warn: null, bad: null, info: null, dim: null, accent: null },
  border: null,
  focusBorder: null,
  label: null,
};

/** https://no-color.org: a set, non-empty NO_COLOR disables colour. */
export function themeFor(env: Record<string, string | undefined>): Theme {
  return env.NO_COLOR !== undefined && env.NO_COLOR !== '' ? NO_COLOR_THEME : COLOR_THEME;
}

/** Escape blessed tag braces in untrusted text. */
export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (c) => (c === '{' ? '{open}' : '{close}'));
}

/** One styled line -> blessed tag markup. */
export function toTags(line: StyledLine, theme: Theme): string {
  return line
    .map((seg) => {
      const open: string[] = [];
      const color = seg.tone ? theme.tones[seg.tone] : null;
      if (color) open.push(`${color}-fg`);
      if (seg.bold) open.push('bold');
      if (seg.inverse) open.push('inverse');
      const body = escapeTags(seg.text);
      if (open.length === 0) return body;
      return (
        open.map((t) => `{${t}}`).join('') +
        body +
        [...open]
          .reverse()
          .map((t) => `{/${t}}`)
          .join('')
      );
    })
    .join('');
}

export function plain(text: string, tone?: Tone): StyledLine {
  return [{ text, tone }];
}

export function lineText(line: StyledLine): string {
  return line.map((s) => s.text).join('');
}
