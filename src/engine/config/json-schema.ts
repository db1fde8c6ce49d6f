/**
 * The config's JSON Schema, generated from the one zod schema (`configSchema`), and a walk over its keys that the
 * README test, `config show` and `init` share.
 */
import { z } from 'zod';
import { VERSION } from '../version.js';
import { configSchema } from './schema.js';

export type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  default?: unknown;
  anyOf?: JsonSchema[];
  [key: string]: unknown;
};

/** The JSON Schema (draft 2020-12) of the config file as a user writes it: every key optional, defaults shown. */
export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(configSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as JsonSchema;
  return {
    $schema: schema.$schema,
    $id: 'webhook-tui-config.schema.json',
    title: `webhook-tui ${VERSION} configuration`,
    description: 'Every key is optional; see the README (Configuration) for what each one does.',
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

export interface SchemaKey {
  /** Dotted key; a record's entries appear as `NAME` (`targets.NAME.pane`). */
  key: string;
  /** The default, when the schema has one. */
  default?: unknown;
  hasDefault: boolean;
}

function isObjectNode(node: JsonSchema): boolean {
  return node.type === 'object' || node.properties !== undefined;
}

/** Every leaf key of the schema (objects are walked; records add a `NAME` level), in schema order. */
export function schemaKeys(node: JsonSchema = configJsonSchema(), prefix = ''): SchemaKey[] {
  const out: SchemaKey[] = [];
  const own = node.properties ?? {};
  for (const [name, child] of Object.entries(own)) {
    if (name === '$schema') continue;
    const key = prefix ? `${prefix}.${name}` : name;
    const record = typeof child.additionalProperties === 'object' ? child.additionalProperties : undefined;
    if (child.properties) out.push(...schemaKeys(child, key));
    else if (record && isObjectNode(record)) out.push(...schemaKeys(record, `${key}.NAME`));
    else out.push({ key, default: child.default, hasDefault: 'default' in child });
  }
  return out;
}
