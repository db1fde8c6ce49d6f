/**
 * `startHttpServer(deps)`: node:http server with header/request timeouts and keep-alive, the safe-bind check,
 * listen, and an idempotent `close()` that stops accepting, lets in-flight requests finish briefly, then cuts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertSafeBind } from './config.js';
import type { HttpDeps } from './context.js';
import { createHttpHandler, type HttpHandler } from './handler.js';

const CLIENT_ERROR_STATUS: Record<string, string> = {
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
};

export interface RunningHttpServer {
  address: { host: string; port: number };
  /** `http://host:port` (IPv6 hosts in brackets). */
  url: string;
  handler: HttpHandler;
  /** Idempotent. Waits at most `graceMs` for in-flight requests. */
  close(graceMs?: number): Promise<void>;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export async function startHttpServer(deps: HttpDeps): Promise<RunningHttpServer> {
  const handler = createHttpHandler(deps);
  const { config } = deps;
  assertSafeBind(config.host, handler.state.hooks);

  const { headersMs, requestMs, keepAliveMs } = config.timeouts;
  const server = createServer(
    {
      maxHeaderSize: config.maxHeaderBytes,
      requestTimeout: requestMs,
      // node requires headersTimeout <= requestTimeout; both are checked every connectionsCheckingInterval.
      headersTimeout: Math.min(headersMs, requestMs),
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersMs / 2))),
      keepAlive: true,
    },
    handler,
  );
  server.keepAliveTimeout = keepAliveMs;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    const status = CLIENT_ERROR_STATUS[err.code ?? ''] ?? '400 Bad Request';
    if (socket.writable && !socket.destroyed)
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
    deps.logger.debug('http client error', { code: err.code });
  });
  await listen(server, config.host, config.port);

  const addr = server.address() as AddressInfo;
  const host = addr.address;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  deps.logger.info('http listening', { url, hooks: [...handler.state.hooks.keys()] });

  let closing: Promise<void> | null = null;
  const close = (graceMs = 2000): Promise<void> => {
    if (closing) return closing;
    closing = new Promise<void>((resolve) => {
      for (const stream of handler.state.streams) stream.end();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      timer.unref();
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return { address: { host, port: addr.port }, url, handler, close };
}
