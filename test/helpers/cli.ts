import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));

export interface CliResult {
  code: number | null;
  out: string;
  err: string;
}

/** The built CLI, run to completion with `env` over a copy of this process's environment (TMUX_PANE cleared). */
export function runCli(
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  input?: string,
): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TMUX_PANE: '', TMUX: '', ...env },
    input,
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Same, without blocking the event loop (for commands that wait on something this process serves). */
export function runCliAsync(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TMUX_PANE: '', TMUX: '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('close', (code) => resolve({ code, out, err }));
  });
}
