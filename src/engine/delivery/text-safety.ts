/**
 * Text safety: a command reaches the pane exactly as written, and nothing in it can become a key name, a control
 * sequence or a tmux command. Characters that a terminal would act on are refused (never stripped: a changed
 * command is a different command). Pure; table-tested.
 */

export interface TextCheckOptions {
  /** Allow LF (multi-line text, delivered as one bracketed paste). @default false */
  allowNewlines?: boolean;
}

export type TextCheck = { ok: true; text: string } | { ok: false; reason: string };

function describeChar(cp: number): string {
  const names: Record<number, string> = { 0x0a: 'newline (LF)', 0x0d: 'carriage return (CR)', 0x1b: 'escape (ESC)', 0x7f: 'delete (DEL)', 0x00: 'NUL' };
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return names[cp] ? `${names[cp]} ${hex}` : `control character ${hex}`;
}

/**
 * Refuses: C0 controls except TAB (and LF when allowed), DEL, ESC, C1 controls (U+0080-U+009F, which some terminals
 * read as CSI and friends), lone surrogates, and the empty text.
 */
export function checkText(text: string, options: TextCheckOptions = {}): TextCheck {
  if (text.length === 0) return { ok: false, reason: 'empty command' };
  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const isControl = cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp <= 0x9f);
    const allowed = cp === 0x09 || (cp === 0x0a && options.allowNewlines === true);
    if (isControl && !allowed) {
      return { ok: false, reason: `${describeChar(cp)} at position ${index} is not allowed` };
    }
    if (cp >= 0xd800 && cp <= 0xdfff) return { ok: false, reason: `unpaired surrogate at position ${index}` };
    index += ch.length;
  }
  if (options.allowNewlines && text.trim().length === 0) return { ok: false, reason: 'empty command' };
  return { ok: true, text };
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
  // eslint-disable-next-line no-control-regex
  const shown = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return shown.length > max ? `${shown.slice(0, max - 1)}…` : shown;
}
