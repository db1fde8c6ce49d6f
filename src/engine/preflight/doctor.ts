/**
 * `webhook-tui doctor`: every check, grouped. The start checks (what refuses a start) and the rest (what makes
 * deliveries fail later) are all plain functions of the config; nothing here needs an engine or changes anything.
 */
import type { Config } from '../config/schema.js';
import type { CheckResult } from './check.js';
import { checkEngine, checkHookAuth, checkService, engineInfo, heldByEngine } from './runtime-checks.js';
import { runPreflight as startChecks } from './index.js';
import { checkDatabase, checkDisk, checkLogs, checkSpoolLayout } from './storage-checks.js';
import { checkNode, checkSqlite, checkTmuxVersion } from './system-checks.js';
import { tmuxChecks } from './tmux-checks.js';
import { checkClusterRedis } from './cluster-checks.js';

export interface DoctorCheck extends CheckResult {
  group: string;
}

export interface DoctorOptions {
  env: Record<string, string | undefined>;
  /** ExecStart words `service install` would write now (to tell whether an installed unit is current). */
  expectedExecStart: readonly string[];
}

export const GROUPS = ['system', 'tmux', 'data', 'spool', 'http', 'engine', 'service', 'cluster'] as const;

const GROUP_OF: Record<string, (typeof GROUPS)[number]> = {
  'data-dir': 'data',
  lock: 'engine',
  spool: 'spool',
  hooks: 'http',
  'http.bind': 'http',
  'http.token': 'http',
  'http.port': 'http',
  'cluster.secret': 'cluster',
};

export async function runDoctor(config: Config, opts: DoctorOptions): Promise<DoctorCheck[]> {
  const info = await engineInfo(config);
  const held = info ? new Map(heldByEngine(config, info).map((r) => [r.id, r])) : new Map<string, CheckResult>();
  const start = (await startChecks(config)).map((r) => held.get(r.id) ?? r);
  const tag = (group: string, results: CheckResult[]): DoctorCheck[] => results.map((r) => ({ group, ...r }));
  const byGroup = (g: string) =>
    tag(
      g,
      start.filter((r) => GROUP_OF[r.id] === g),
    );
  return [
    ...tag('system', [checkNode(), checkSqlite(), await checkTmuxVersion()]),
    ...tag('tmux', await tmuxChecks(config, opts.env)),
    ...byGroup('data'),
    ...tag('data', [checkDatabase(config), await checkDisk(config), checkLogs(config)]),
    ...byGroup('spool'),
    ...tag('spool', checkSpoolLayout(config)),
    ...byGroup('http'),
    ...tag('http', [checkHookAuth(config)]),
    ...byGroup('engine'),
    ...tag('engine', [checkEngine(config, info)]),
    ...tag('service', [checkService(opts.expectedExecStart, opts.env)]),
    ...byGroup('cluster'),
    ...tag('cluster', await checkClusterRedis(config.cluster, Object.keys(config.targets))),
  ];
}
