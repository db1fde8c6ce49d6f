/**
 * Cluster mode's configuration (README: Cluster). Plain zod and data only: nothing here loads Redis or BullMQ, so a
 * config without `cluster.redis` never touches them.
 */
import { hostname } from 'node:os';
import { z } from 'zod';

/** Node names go into global task ids (`NODE.ID`) and Redis keys: no dots, no colons. */
export const NODE_NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

const redisUrl = z
  .string()
  .min(1)
  .refine((u) => /^rediss?:\/\//.test(u) || u.startsWith('/'), {
    message: 'must be a redis:// or rediss:// URL, or the absolute path of a unix socket',
  });

const redisSchema = z.union([
  redisUrl,
  z
    .object({
      /** `redis://[user[:password]@]host[:port][/db]`, `rediss://...` (TLS), or a unix socket path. */
      url: redisUrl,
      /** A file holding the Redis password (one line); wins over a password in the URL. @default null */
      passwordFile: z.string().min(1).nullable().default(null),
    })
    .strict(),
]);

export const clusterConfigSchema = z
  .object({
    /**
     * Redis for cluster mode: a URL or socket path, or `{"url": ..., "passwordFile": ...}`. null: single node, nothing
     * of Redis is loaded. @default null
     */
    redis: redisSchema.nullable().default(null),
    /** This node's name, unique in the cluster (letters, digits, _ and -). @default the host name's first label */
    node: z.string().regex(NODE_NAME_RE, '1-64 letters, digits, _ and - only').optional(),
    /** Prefix of every Redis key this cluster uses (several clusters can share one Redis). @default "wht" */
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,32}$/, '1-32 letters, digits, _ and - only')
      .default('wht'),
    /** File holding the shared HMAC key that signs forwarded tasks (at least 32 characters); required with redis. @default null */
    secretFile: z.string().min(1).nullable().default(null),
    /** How often a node refreshes its registration. @default 2000 */
    heartbeatMs: z.number().int().min(100).max(60_000).default(2000),
    /** A node whose registration is older than this counts as down. @default 10000 */
    nodeTtlMs: z.number().int().min(500).max(600_000).default(10_000),
    /** Bound on one Redis call; a dead Redis never holds the engine longer. @default 3000 */
    timeoutMs: z.number().int().min(100).max(60_000).default(3000),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.redis !== null && c.secretFile === null)
      ctx.addIssue({ code: 'custom', path: ['secretFile'], message: 'required when cluster.redis is set' });
    if (c.redis !== null && c.nodeTtlMs <= c.heartbeatMs * 2)
      ctx.addIssue({ code: 'custom', path: ['nodeTtlMs'], message: 'must be more than twice cluster.heartbeatMs' });
  });

type Parsed = z.output<typeof clusterConfigSchema>;

export interface RedisEndpoint {
  url: string;
  passwordFile: string | null;
}

/** The resolved cluster section: `redis` null means single node. */
export type ClusterConfig = Readonly<
  Omit<Parsed, 'redis' | 'node'> & { redis: Readonly<RedisEndpoint> | null; node: string }
>;

/** The default node name: the host name's first label, with anything a node name cannot hold turned into `-`. */
export function defaultNodeName(host = hostname()): string {
  const label = (host.split('.')[0] ?? '').replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
  return label || 'node';
}

export function resolveCluster(c: Parsed): ClusterConfig {
  const redis = c.redis === null ? null : typeof c.redis === 'string' ? { url: c.redis, passwordFile: null } : c.redis;
  return { ...c, redis, node: c.node ?? defaultNodeName() };
}
