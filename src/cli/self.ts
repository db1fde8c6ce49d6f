/** This installation: the CLI entry file and the arguments that make another process see the same config. */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ConfigSources } from './config-sources.js';

/** Absolute, symlinks resolved, path of bin/webhook-tui of this package (dist/cli/self.js -> ../../bin). */
export function selfCli(): string {
  const path = fileURLToPath(new URL('../../bin/webhook-tui', import.meta.url));
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** `--config FILE` (when a file is used) and the dotted overrides, for `serve` run by start or the unit. */
export function configArgs(src: ConfigSources): string[] {
  const args = src.exists || src.pathFrom !== 'default' ? ['--config', src.path] : [];
  for (const [key, value] of src.overrides) args.push(`--${key}`, value);
  return args;
}
