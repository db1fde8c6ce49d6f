/**
 * Text safety: a command reaches the pane exactly as written, and nothing in it can become a key name, a control
 * sequence or a tmux command. Characters that a terminal would act on are refused (never stripped: a changed
 * command is a different command). Pure; table-tested.
 */

export interface TextCheckOptions {
  /** Allow LF (multi-line text, delivered as one bracketed paste): the target profile's `multiline`. @default false */
  allowNewlines?: boolean;
}

export type TextCheck =
  { ok: true; text: string } | { ok: false; code: 'WHT_ERR_TEXT_EMPTY' | 'WHT_ERR_TEXT_UNSAFE'; reason: string };

/** Characters that change how text is shown without being visible: a command shown one way would run another. */
const INVISIBLE_NAMES: Record<number, string> = {
  0x061c: 'bidi mark (ALM)',
  0x200e: 'bidi mark (LRM)',
  0x200f: 'bidi mark (RLM)',
  0x202a: 'bidi embedding (LRE)',
  0x202b: 'bidi embedding (RLE)',
  0x202c: 'bidi pop (PDF)',
  0x202d: 'bidi override (LRO)',
  0x202e: 'bidi override (RLO)',
  0x2066: 'bidi isolate (LRI)',
  0x2067: 'bidi isolate (RLI)',
  0x2068: 'bidi isolate (FSI)',
  0x2069: 'bidi pop (PDI)',
  0x2028: 'line separator',
  0x2029: 'paragraph separator',
  0xfeff: 'byte order mark (BOM)',
};

const CONTROL_NAMES: Record<number, string> = {
  0x0a: 'newline (LF)',
  0x0d: 'carriage return (CR)',
  0x1b: 'escape (ESC)',
  0x7f: 'delete (DEL)',
  0x00: 'NUL',
};

export function codePointName(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

function describeChar(cp: number): string {
  const name = CONTROL_NAMES[cp] ?? INVISIBLE_NAMES[cp];
  return name ? `${name} ${codePointName(cp)}` : `control character ${codePointName(cp)}`;
}

/** True for a character that text typed into a pane may never hold (whatever the target). */
export function isRefusedChar(cp: number, allowNewlines = false): boolean {
  if (cp === 0x09 || (cp === 0x0a && allowNewlines)) return false;
  return cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp <= 0x9f) || INVISIBLE_NAMES[cp] !== undefined;
}

/**
 * The one text policy, for every intake (spool, legacy file, `send`, `/v1/tasks`, hooks), given the target's
 * profile. Refuses: C0 controls except TAB (and LF for a multi-line target), DEL, ESC, C1 controls (U+0080-U+009F,
 * which some terminals read as CSI and friends), bidi controls (embeddings, overrides, isolates and marks: a command
 * shown one way and run another), line and paragraph separators, a BOM, lone surrogates; and text that is empty or
 * only whitespace (WHT_ERR_TEXT_EMPTY). The reason names the character and its position (UTF-16 units).
 */
export function checkText(text: string, options: TextCheckOptions = {}): TextCheck {
  if (text.trim().length === 0) return { ok: false, code: 'WHT_ERR_TEXT_EMPTY', reason: 'empty command' };
  const bad = refusedIn(text, options);
  return bad === null ? { ok: true, text } : { ok: false, code: 'WHT_ERR_TEXT_UNSAFE', reason: bad };
}

/** Why `text` may not be typed (the first refused character, named, with its position), or null. Empty text passes. */
export function refusedIn(text: string, options: TextCheckOptions = {}): string | null {
  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (isRefusedChar(cp, options.allowNewlines === true)) {
      const hint = cp === 0x0a ? ' (the target is not multiline)' : '';
      return `${describeChar(cp)} at position ${index} is not allowed${hint}`;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) return `unpaired surrogate at position ${index}`;
    index += ch.length;
  }
  return null;
}

/** Decode bytes as strict UTF-8; null when invalid. A leading BOM is dropped. */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

/** Show a command safely in logs and the dashboard: control characters as \xNN, cut to `max` characters. */
export function printable(text: string, max = 200): string {
  const shown = text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}
