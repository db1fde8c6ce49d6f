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

/** Sampling interval of the event-loop delay histogram while the engine works. */
export const LOOP_RESOLUTION_MS = 10;
/**
 * Sampling interval while it is idle: a 10 ms timer costs about 0.5% of a core in wake-ups alone (measured here:
 * 0.52% at 10 ms, 0.11% at 50, nothing without), more than the rest of an idle engine.
 */
export const IDLE_LOOP_RESOLUTION_MS = 100;
/** Fine sampling stays on this long after the last task event. */
export const FINE_LOOP_LINGER_MS = 10_000;

/** A histogram sample (ns between timer ticks) as the loop's delay in ms: what was late beyond the interval. */
export function loopDelayMs(sampleNs: number, resolutionMs = LOOP_RESOLUTION_MS): number {
  return Math.max(0, sampleNs / 1e6 - resolutionMs);
}

export class ResourceSampler {
  private lastCpu = process.cpuUsage();
  private lastHr = process.hrtime.bigint();
  /**
   * node's histogram records the time between its timer's ticks, so every sample includes the resolution itself
   * (idle p99 read 101 ms at resolution 100): the delay is a sample minus the resolution, sampled finely.
   */
  private readonly fine: IntervalHistogram = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  /**
   * Always on, cheap: blocks of an idle engine still show, less exactly (by up to its resolution; and node's histogram
   * starts over at each reading, so the first 100 ms after one are not counted).
   */
  private readonly coarse: IntervalHistogram = monitorEventLoopDelay({ resolution: IDLE_LOOP_RESOLUTION_MS });
  private fineOn = false;
  /** Whether `fine` ran during the period the next reading covers. */
  private fineUsed = false;
  private lastActive = -Infinity;
  private readonly pidStats: PidStats;
  latest: ResourceSample | null = null;

  constructor(private readonly deps: ResourceSamplerDeps) {
    this.pidStats = deps.pidStats ?? ((pid) => pidusage(pid));
  }

  start(): void {
    this.coarse.enable();
    this.active();
    this.lastCpu = process.cpuUsage();
    this.lastHr = process.hrtime.bigint();
  }

  /** How the event loop is sampled now: every 10 ms (the engine works) or every 100 ms (idle). */
  get loopSampling(): 'fine' | 'coarse' {
    return this.fineOn ? 'fine' : 'coarse';
  }

  /** The engine has work (a task event): sample the loop finely until it has been idle FINE_LOOP_LINGER_MS. */
  active(): void {
    this.lastActive = this.deps.now();
    if (this.fineOn) return;
    this.fine.enable();
    this.fineOn = true;
    this.fineUsed = true;
  }

  close(): void {
    this.fine.disable();
    this.coarse.disable();
    if (!this.deps.pidStats) pidusage.clear();
  }

  /** The loop's delay since the last reading: from the fine histogram when it ran, else the coarse one. */
  private loopDelay(): { p99: number; max: number } {
    const fine = this.fineUsed && this.fine.count > 0;
    const h = fine ? this.fine : this.coarse;
    const res = fine ? LOOP_RESOLUTION_MS : IDLE_LOOP_RESOLUTION_MS;
    const p99 = h.count > 0 ? loopDelayMs(h.percentile(99), res) : 0;
    const max = Math.max(
      fine ? loopDelayMs(this.fine.max, LOOP_RESOLUTION_MS) : 0,
      this.coarse.count > 0 ? loopDelayMs(this.coarse.max, IDLE_LOOP_RESOLUTION_MS) : 0,
    );
    this.fine.reset();
    this.coarse.reset();
    if (this.fineOn && this.deps.now() - this.lastActive > FINE_LOOP_LINGER_MS) {
      this.fine.disable();
      this.fineOn = false;
    }
    this.fineUsed = this.fineOn;
    return { p99, max };
  }

  engine(): EngineProcessUsage {
    const cpu = process.cpuUsage();
    const hr = process.hrtime.bigint();
    const pct = cpuPercent(this.lastCpu, cpu, Number(hr - this.lastHr) / 1000);
    this.lastCpu = cpu;
    this.lastHr = hr;
    const mem = process.memoryUsage();
    const { p99, max } = this.loopDelay();
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
