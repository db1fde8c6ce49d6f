/**
 * Resource sampling: the engine itself through process.cpuUsage/memoryUsage and an event-loop delay histogram
 * (pidusage's README advises against using it for the own process); the tmux server and pane processes through
 * pidusage (Linux: reads /proc, no spawn); system load, memory and free disk through os and fs.statfs.
 */
import { statfs } from 'node:fs/promises';
import os from 'node:os';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import pidusage from 'pidusage';
import type { DiskUsage, EngineProcessUsage, ProcessUsage, ResourceSample } from './types.js';

export type PidStats = (pid: number) => Promise<{ cpu: number; memory: number }>;

export interface ResourceSamplerDeps {
  now: () => number;
  watchedPids: () => Promise<number[]>;
  dataDirs: readonly string[];
  /** Replaceable for tests; defaults to pidusage. */
  pidStats?: PidStats | undefined;
}

/** CPU percent of one core between two cpuUsage readings over `elapsedUs` of wall time. */
export function cpuPercent(prev: NodeJS.CpuUsage, next: NodeJS.CpuUsage, elapsedUs: number): number {
  if (elapsedUs <= 0) return 0;
  return (100 * (next.user - prev.user + (next.system - prev.system))) / elapsedUs;
}

export async function diskUsage(path: string): Promise<DiskUsage> {
  const s = await statfs(path);
  const freeBytes = s.bavail * s.bsize;
  const totalBytes = s.blocks * s.bsize;
  return { path, freeBytes, totalBytes, freePercent: totalBytes > 0 ? (100 * freeBytes) / totalBytes : 0 };
}

/** Sampling interval of the event-loop delay histogram. */
export const LOOP_RESOLUTION_MS = 10;

/** A histogram sample (ns between timer ticks) as the loop's delay in ms: what was late beyond the interval. */
export function loopDelayMs(sampleNs: number): number {
  return Math.max(0, sampleNs / 1e6 - LOOP_RESOLUTION_MS);
}

export class ResourceSampler {
  private lastCpu = process.cpuUsage();
  private lastHr = process.hrtime.bigint();
  /**
   * node's histogram records the time between its timer's ticks, so every sample includes the resolution itself
   * (idle p99 read 101 ms at resolution 100): the delay is a sample minus the resolution, sampled finely.
   */
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  private readonly pidStats: PidStats;
  latest: ResourceSample | null = null;

  constructor(private readonly deps: ResourceSamplerDeps) {
    this.pidStats = deps.pidStats ?? ((pid) => pidusage(pid));
  }

  start(): void {
    this.loop.enable();
    this.lastCpu = process.cpuUsage();
    this.lastHr = process.hrtime.bigint();
  }

  close(): void {
    this.loop.disable();
    if (!this.deps.pidStats) pidusage.clear();
  }

  engine(): EngineProcessUsage {
    const cpu = process.cpuUsage();
    const hr = process.hrtime.bigint();
    const pct = cpuPercent(this.lastCpu, cpu, Number(hr - this.lastHr) / 1000);
    this.lastCpu = cpu;
    this.lastHr = hr;
    const mem = process.memoryUsage();
    const p99 = this.loop.count > 0 ? loopDelayMs(this.loop.percentile(99)) : 0;
    const max = this.loop.count > 0 ? loopDelayMs(this.loop.max) : 0;
    this.loop.reset();
    return {
      pid: process.pid,
      cpuPercent: pct,
      rssBytes: mem.rss,
      heapUsedBytes: mem.heapUsed,
      heapTotalBytes: mem.heapTotal,
      externalBytes: mem.external,
      eventLoopDelayP99Ms: p99,
      eventLoopDelayMaxMs: max,
    };
  }

  async watched(): Promise<ProcessUsage[]> {
    let pids: number[];
    try {
      pids = [...new Set(await this.deps.watchedPids())].filter((p) => Number.isInteger(p) && p > 0);
    } catch {
      return [];
    }
    const results = await Promise.allSettled(pids.map(async (pid) => ({ pid, ...(await this.pidStats(pid)) })));
    return results.flatMap((r) =>
      r.status === 'fulfilled' ? [{ pid: r.value.pid, cpuPercent: r.value.cpu, rssBytes: r.value.memory }] : [],
    );
  }

  async disks(): Promise<DiskUsage[]> {
    const results = await Promise.allSettled([...new Set(this.deps.dataDirs)].map((d) => diskUsage(d)));
    return results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  }

  async sample(): Promise<ResourceSample> {
    const engine = this.engine();
    const [watched, disks] = await Promise.all([this.watched(), this.disks()]);
    const load = os.loadavg();
    const s: ResourceSample = {
      at: this.deps.now(),
      engine,
      watched,
      watchedTotal: {
        cpuPercent: watched.reduce((a, w) => a + w.cpuPercent, 0),
        rssBytes: watched.reduce((a, w) => a + w.rssBytes, 0),
      },
      system: {
        loadAvg: [load[0] ?? 0, load[1] ?? 0, load[2] ?? 0],
        freeMemBytes: os.freemem(),
        totalMemBytes: os.totalmem(),
        cpuCount: os.availableParallelism(),
        disks,
      },
    };
    this.latest = s;
    return s;
  }
}
