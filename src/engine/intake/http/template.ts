/**
 * Command templates for hooks: `deploy {{repository.name}} {{ref}}`. A placeholder names a path into the JSON
 * payload; the value found there is data, never code: it must be a string, number or boolean, it must pass the
 * field text check, and (quote: 'shell') it is single-quoted for a POSIX shell. No expressions, no functions.
 */
import { refusedIn, type TextCheckOptions } from '../../text-safety.js';
import { unsafeCharIn } from './fields.js';

export type TemplatePart = { kind: 'text'; text: string } | { kind: 'value'; path: string[] };
export interface Template {
  source: string;
  parts: TemplatePart[];
}

const PLACEHOLDER_RE = /\{\{\s*([^{}]*?)\s*\}\}/g;
const SEGMENT_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Parse a template; throws Error with a message naming the problem (caller adds the config key). */
export function parseTemplate(source: string): Template {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of source.matchAll(PLACEHOLDER_RE)) {
    const expr = m[1] ?? '';
    const path = expr.split('.');
    if (!path.every((seg) => SEGMENT_RE.test(seg))) {
      throw new Error(`placeholder {{${expr}}} must be a dotted path of names or indexes (a.b.0.c)`);
    }
    if (m.index > last) parts.push({ kind: 'text', text: source.slice(last, m.index) });
    parts.push({ kind: 'value', path });
    last = m.index + m[0].length;
  }
  if (last < source.length) parts.push({ kind: 'text', text: source.slice(last) });
  const leftover = parts.some((p) => p.kind === 'text' && (p.text.includes('{{') || p.text.includes('}}')));
  if (leftover) throw new Error('unbalanced {{ or }} in template');
  const bad = unsafeCharIn(source);
  if (bad !== null) throw new Error(`template: ${bad}`);
  return { source, parts };
}

/** POSIX shell single-quoting; plain words stay readable. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export type RenderResult =
  | { ok: true; text: string }
  | { ok: false; field: string; message: string; code: 'WHT_ERR_BAD_TRIGGER' | 'WHT_ERR_TEXT_UNSAFE' };

function lookup(payload: unknown, path: string[]): { found: boolean; value: unknown } {
  let cur: unknown = payload;
  for (const seg of path) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      const i = Number(seg);
      if (i >= cur.length) return { found: false, value: undefined };
      cur = cur[i];
    } else if (cur !== null && typeof cur === 'object' && !Array.isArray(cur) && Object.hasOwn(cur, seg)) {
      cur = (cur as Record<string, unknown>)[seg];
    } else {
      return { found: false, value: undefined };
    }
  }
  return { found: true, value: cur };
}

/**
 * Fill a template from a parsed JSON payload. Failures name the payload field. Values pass the engine's text policy
 * with the target's options (`text`: LF only for a multiline target) before quoting.
 */
export function renderTemplate(
  t: Template,
  payload: unknown,
  quote: 'shell' | 'none',
  text: TextCheckOptions = {},
): RenderResult {
  let out = '';
  for (const part of t.parts) {
    if (part.kind === 'text') {
      out += part.text;
      continue;
    }
    const field = part.path.join('.');
    const { found, value } = lookup(payload, part.path);
    if (!found)
      return { ok: false, field, code: 'WHT_ERR_BAD_TRIGGER', message: `field ${field} is missing from the payload` };
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      return {
        ok: false,
        field,
        code: 'WHT_ERR_BAD_TRIGGER',
        message: `field ${field} must be a string, number or boolean`,
      };
    }
    const str = String(value);
    const bad = refusedIn(str, text);
    if (bad !== null) return { ok: false, field, code: 'WHT_ERR_TEXT_UNSAFE', message: `field ${field}: ${bad}` };
    out += quote === 'shell' ? shellQuote(str) : str;
  }
  return { ok: true, text: out };
}
