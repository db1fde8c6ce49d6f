/**
 * Route table and matcher. Matching works on the raw request path (never decoded or normalised), so `%2f`,
 * `..`, doubled or trailing slashes cannot reach another route or hook: anything not matching exactly is 404.
 */
export type RouteName =
  | 'hook'
  | 'tasks.create'
  | 'tasks.list'
  | 'tasks.get'
  | 'tasks.retry'
  | 'tasks.drop'
  | 'queue.pause'
  | 'queue.resume'
  | 'stats'
  | 'events'
  | 'cluster'
  | 'tasks.global'
  | 'tasks.global.retry'
  | 'tasks.global.drop'
  | 'cluster.pause'
  | 'cluster.resume'
  | 'livez'
  | 'readyz'
  | 'metrics';

interface RouteDef {
  method: string;
  pattern: RegExp;
  name: RouteName;
}

const ID = '([1-9][0-9]{0,15})';
/** A global task id (cluster mode): `NODE.ID`. */
const GID = '([A-Za-z0-9_-]{1,64}\\.[1-9][0-9]{0,15})';

const ROUTES: readonly RouteDef[] = [
  { method: 'POST', pattern: /^\/hooks\/([A-Za-z0-9_-]{1,64})$/, name: 'hook' },
  { method: 'POST', pattern: /^\/v1\/tasks$/, name: 'tasks.create' },
  { method: 'GET', pattern: /^\/v1\/tasks$/, name: 'tasks.list' },
  { method: 'GET', pattern: new RegExp(`^/v1/tasks/${ID}$`), name: 'tasks.get' },
  { method: 'DELETE', pattern: new RegExp(`^/v1/tasks/${ID}$`), name: 'tasks.drop' },
  { method: 'POST', pattern: new RegExp(`^/v1/tasks/${ID}/retry$`), name: 'tasks.retry' },
  { method: 'POST', pattern: /^\/v1\/queue\/pause$/, name: 'queue.pause' },
  { method: 'POST', pattern: /^\/v1\/queue\/resume$/, name: 'queue.resume' },
  { method: 'GET', pattern: /^\/v1\/stats$/, name: 'stats' },
  { method: 'GET', pattern: /^\/v1\/events$/, name: 'events' },
  { method: 'GET', pattern: /^\/v1\/cluster$/, name: 'cluster' },
  { method: 'GET', pattern: new RegExp(`^/v1/tasks/${GID}$`), name: 'tasks.global' },
  { method: 'DELETE', pattern: new RegExp(`^/v1/tasks/${GID}$`), name: 'tasks.global.drop' },
  { method: 'POST', pattern: new RegExp(`^/v1/tasks/${GID}/retry$`), name: 'tasks.global.retry' },
  { method: 'POST', pattern: /^\/v1\/cluster\/nodes\/([A-Za-z0-9_-]{1,64})\/pause$/, name: 'cluster.pause' },
  { method: 'POST', pattern: /^\/v1\/cluster\/nodes\/([A-Za-z0-9_-]{1,64})\/resume$/, name: 'cluster.resume' },
  { method: 'GET', pattern: /^\/livez$/, name: 'livez' },
  { method: 'GET', pattern: /^\/readyz$/, name: 'readyz' },
  { method: 'GET', pattern: /^\/metrics$/, name: 'metrics' },
];

export type RouteMatch =
  | { kind: 'route'; name: RouteName; param: string | undefined; query: URLSearchParams }
  | { kind: 'not-found' }
  | { kind: 'method-not-allowed'; allow: string[] };

/** Split `path?query` without decoding the path. */
export function splitTarget(rawUrl: string): { path: string; query: URLSearchParams } {
  const q = rawUrl.indexOf('?');
  return q < 0
    ? { path: rawUrl, query: new URLSearchParams() }
    : { path: rawUrl.slice(0, q), query: new URLSearchParams(rawUrl.slice(q + 1)) };
}

export function matchRoute(method: string, rawUrl: string): RouteMatch {
  const { path, query } = splitTarget(rawUrl);
  const m = method === 'HEAD' ? 'GET' : method;
  const allow: string[] = [];
  for (const r of ROUTES) {
    const hit = r.pattern.exec(path);
    if (hit === null) continue;
    if (r.method === m) return { kind: 'route', name: r.name, param: hit[1], query };
    allow.push(r.method);
  }
  return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' };
}

/** Route group used as a metrics label (bounded set; never user input). */
export function routeGroup(name: RouteName | undefined): string {
  if (name === undefined) return 'unmatched';
  if (name === 'hook') return 'hooks';
  if (name === 'livez' || name === 'readyz' || name === 'metrics') return name;
  return 'v1';
}
