import { explainConfig, type ExplainedKey } from '../../engine/config/explain.js';
import { configJsonSchema } from '../../engine/config/json-schema.js';
import { loadConfigSources } from '../config-sources.js';
import { defineCommand } from './command.js';

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function formatExplained(rows: readonly ExplainedKey[]): string {
  const keyWidth = Math.max(3, ...rows.map((r) => r.key.length));
  const valueWidth = Math.min(60, Math.max(5, ...rows.map((r) => formatValue(r.value).length)));
  const lines = [`${'key'.padEnd(keyWidth)}  ${'value'.padEnd(valueWidth)}  source`];
  for (const r of rows) {
    const source = r.from ? `${r.source} (${r.from})` : r.source;
    lines.push(`${r.key.padEnd(keyWidth)}  ${formatValue(r.value).padEnd(valueWidth)}  ${source}`);
  }
  return lines.join('\n');
}

export const configCommand = defineCommand({
  command: 'config <action>',
  describe: 'config show: the resolved config and where each value came from; config schema: its JSON Schema',
  builder: (y) => y.positional('action', { choices: ['show', 'schema'] as const, demandOption: true }),
  handler: async (args, ctx) => {
    if (args.action === 'schema') {
      ctx.out.out(JSON.stringify(configJsonSchema(), null, 2));
      return;
    }
    const src = loadConfigSources(ctx.global);
    const rows = explainConfig(src.config, src.fileInput, src.overrides, process.env);
    const file = { path: src.path, from: src.pathFrom, exists: src.exists };
    if (args.json) {
      ctx.out.out(JSON.stringify({ file, keys: rows }, null, 2));
      return;
    }
    const fileLine = `config file: ${src.path}${src.exists ? '' : ' (absent: defaults only)'}${src.pathFrom === 'default' ? '' : ` (from ${src.pathFrom === 'env' ? 'WEBHOOK_TUI_CONFIG' : '--config'})`}`;
    ctx.out.out(`${fileLine}\n\n${formatExplained(rows)}`);
  },
});
