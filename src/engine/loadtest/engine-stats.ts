/** The engine's own view of a load test, from `GET /v1/stats` (the `status --json` document): stages, pending, CPU. */
import { STAGES, type LatencySummary, type Stage } from '../monitor/types.js';
import type { EngineSnapshot } from '../types.js';

export interface EngineView {
  /** Which monitor window the stage figures come from. */
  window: 'since start' | 'last minute';
  stages: Record<Stage, LatencySummary> | null;
  pending: number;
  cpuPercent: number | null;
  rssBytes: number | null;
  eventLoopDelayP99Ms: number | null;
}

export async function fetchEngineSnapshot(
  stats: { url: string; token: string },
  timeoutMs = 5000,
): Promise<EngineSnapshot | null> {
  try {
    const res = await fetch(`${stats.url}/v1/stats`, {
      headers: { authorization: `Bearer ${stats.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) return null;
    return (await res.json()) as EngineSnapshot;
  } catch {
    return null;
  }
}

/** `sinceStart` for a scratch engine (it started for this test), else the last minute. */
export function engineView(s: EngineSnapshot | null, scratch: boolean): EngineView | null {
  if (!s) return null;
  const window = scratch ? 'since start' : 'last minute';
  const mon = s.monitor;
  let stages: Record<Stage, LatencySummary> | null = null;
  if (mon) {
    stages = {} as Record<Stage, LatencySummary>;
    for (const st of STAGES) stages[st] = scratch ? mon.latency[st].sinceStart : mon.latency[st].lastMinute;
  }
  const eng = mon?.resources?.engine;
  return {
    window,
    stages,
    pending: s.stats.pending,
    cpuPercent: eng?.cpuPercent ?? null,
    rssBytes: eng?.rssBytes ?? null,
    eventLoopDelayP99Ms: eng?.eventLoopDelayP99Ms ?? null,
  };
}
