/**
 * Storage form of a rollup: scalars as JSON text, the four stage sketches as one binary blob
 * (per stage: Float64 header [n, sum, min, max, zeros, pairs], then `pairs` × Int32 [index, count]).
 * Reading a day of 1-min rows decodes typed-array views instead of parsing ~10 MB of JSON number arrays.
 */
import type { Rollup } from './rollup.js';
import type { SketchData } from './sketch.js';
import { STAGES, type Stage } from './types.js';

const HEADER = 6;

export interface StoredRollup {
  data: string;
  sketches: Buffer;
}

export function encodeRollup(r: Rollup): StoredRollup {
  const { stages, ...scalars } = r;
  let bytes = 0;
  for (const s of STAGES) bytes += HEADER * 8 + stages[s].b.length * 4;
  const buf = new ArrayBuffer(bytes);
  let off = 0;
  for (const s of STAGES) {
    const sk = stages[s];
    const pairs = Math.floor(sk.b.length / 2);
    new Float64Array(buf, off, HEADER).set([sk.n, sk.sum, sk.min, sk.max, sk.z, pairs]);
    off += HEADER * 8;
    const ints = new Int32Array(buf, off, pairs * 2);
    for (let k = 0; k < pairs * 2; k++) ints[k] = sk.b[k] ?? 0;
    off += pairs * 8;
  }
  return { data: JSON.stringify(scalars), sketches: Buffer.from(buf) };
}

export function decodeRollup(data: string, sketches: Uint8Array): Rollup {
  // Copy into a fresh, 8-byte aligned buffer; then every read is a typed-array view.
  const buf = new Uint8Array(sketches).buffer;
  const stages = {} as Record<Stage, SketchData>;
  let off = 0;
  for (const s of STAGES) {
    const h = new Float64Array(buf, off, HEADER);
    const pairs = h[5] ?? 0;
    off += HEADER * 8;
    stages[s] = {
      n: h[0] ?? 0,
      sum: h[1] ?? 0,
      min: h[2] ?? 0,
      max: h[3] ?? 0,
      z: h[4] ?? 0,
      b: new Int32Array(buf, off, pairs * 2),
    };
    off += pairs * 8;
  }
  return { ...(JSON.parse(data) as Omit<Rollup, 'stages'>), stages };
}
