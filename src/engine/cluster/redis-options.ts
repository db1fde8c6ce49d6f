/** Turns `cluster.redis` into ioredis options and reads the secrets it names. Pure apart from reading the files. */
import { readFileSync, statSync } from 'node:fs';
import { WhtError } from '../errors.js';
import type { RedisEndpoint } from './config.js';

export interface RedisConnectOptions {
  /** ioredis's own URL parser handles redis:// and rediss:// (TLS, user, password, db). */
  url?: string;
  path?: string;
  password?: string;
}

export function redisConnectOptions(endpoint: RedisEndpoint, read = readSecretFile): RedisConnectOptions {
  const base: RedisConnectOptions = endpoint.url.startsWith('/') ? { path: endpoint.url } : { url: endpoint.url };
  if (endpoint.passwordFile) base.password = read(endpoint.passwordFile, 'cluster.redis.passwordFile');
  return base;
}

/** Where a URL points, without its password (for logs and `status --cluster`). */
export function describeEndpoint(endpoint: RedisEndpoint): string {
  if (endpoint.url.startsWith('/')) return `unix:${endpoint.url}`;
  return endpoint.url.replace(
    /\/\/([^@/]*)@/,
    (_, auth: string) => `//${auth.split(':')[0] ? `${auth.split(':')[0]}:***` : '***'}@`,
  );
}

/** First line of a secret file; refuses a missing, empty or group/world-readable file, naming the key. */
export function readSecretFile(path: string, key: string): string {
  let text: string;
  try {
    if ((statSync(path).mode & 0o077) !== 0)
      throw new WhtError('WHT_ERR_CONFIG_INVALID', `${key}: ${path} is readable by other users (chmod 600 it)`);
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof WhtError) throw err;
    const why = (err as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new WhtError('WHT_ERR_CONFIG_INVALID', `${key}: cannot read ${path} (${why})`);
  }
  const value = text.split(/\r?\n/)[0] ?? '';
  if (!value) throw new WhtError('WHT_ERR_CONFIG_INVALID', `${key}: ${path} is empty`);
  return value;
}

/** The cluster secret: at least 32 characters. */
export function readClusterSecret(path: string): string {
  const secret = readSecretFile(path, 'cluster.secretFile');
  if (secret.length < 32)
    throw new WhtError(
      'WHT_ERR_CONFIG_INVALID',
      `cluster.secretFile: ${path} holds ${secret.length} characters; at least 32 (e.g. openssl rand -hex 32)`,
    );
  return secret;
}
