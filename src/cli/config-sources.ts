import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { applyOverrides, defaultConfigPath, readConfigFile, resolveConfig } from '../engine/config/resolve.js';
import type { Config, ConfigInput } from '../engine/config/schema.js';
import type { GlobalArgs } from './context.js';

export interface ConfigSources {
  /** The config file read (or that would be read). */
  path: string;
  /** How the path was chosen. */
  pathFrom: 'flag' | 'env' | 'default';
  exists: boolean;
  /** The file's contents as written ({} when there is none). */
  fileInput: ConfigInput;
  overrides: ReadonlyArray<[string, string]>;
  config: Config;
}

/** The resolved config together with what it was made of (for `config show`, `doctor`, `service install`). */
export function loadConfigSources(args: GlobalArgs, env: NodeJS.ProcessEnv = process.env): ConfigSources {
  const explicit = args.config ?? env.WEBHOOK_TUI_CONFIG;
  const path = resolve(explicit ?? defaultConfigPath(env));
  const pathFrom = args.config !== undefined ? 'flag' : env.WEBHOOK_TUI_CONFIG !== undefined ? 'env' : 'default';
  const fileInput = readConfigFile(path, explicit !== undefined);
  const config = resolveConfig(applyOverrides(fileInput, args.overrides), env);
  return { path, pathFrom, exists: existsSync(path), fileInput, overrides: args.overrides, config };
}
