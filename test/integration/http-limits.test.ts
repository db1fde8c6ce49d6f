import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { auth, jsonOf, postJson, startTestServer, type TestServer } from '../helpers/http-server.js';

let t: TestServer;
let sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets) s.destroy();
  sockets = [];
  await t?.stop();
});

function open(url: string): Socket {
  const u = new URL(url);
  const s = connect(Number(u.port), u.hostname);
  sockets.push(s);
  return s;
}

/** Send headers, then the body in chunks every `everyMs` until the server answers or closes; resolves with what happened. */
function slowUpload(
  url: string,
  head: string,
  total: number,
  chunk: number,
  everyMs: number,
): Promise<{ response: string; sent: number; closed: boolean }> {
  return new Promise((resolve) => {
    const s = open(url);
    let response = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined = undefined;
    const done = (closed: boolean) => {
      clearInterval(timer);
      resolve({ response, sent, closed });
    };
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      response += d;
    });
    s.on('close', () => done(true));
    s.on('error', () => {
      /* reset after the answer counts as closed */
    });
    s.write(head);
    timer = setInterval(() => {
      if (sent >= total || s.destroyed) {
        clearInterval(timer);
        return;
      }
      const n = Math.min(chunk, total - sent);
      s.write(Buffer.alloc(n, 0x61));
      sent += n;
    }, everyMs);
  });
}

describe('HTTP limits', () => {
  it('413 at once when Content-Length declares more than the limit', async () => {
    t = await startTestServer();
    const r = await postJson(`${t.url}/v1/tasks`, JSON.stringify({ command: 'x'.repeat(70_000) }), auth);
    expect(r.status).toBe(413);
    expect((await jsonOf(r)).error).toBe('WHT_ERR_TOO_LARGE');
    expect(t.tasks()).toHaveLength(0);
  });

  it('a 10 MB body sent slowly without Content-Length: 413 after about the limit, connection closed, server fine', async () => {
    t = await startTestServer();
    const head =
      `POST /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${auth.authorization.slice(7)}\r\n` +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n';
    // chunked framing: one 16 KiB chunk per write
    const u = new URL(t.url);
    const s = open(t.url);
    let response = '';
    let sent = 0;
    const result = await new Promise<{ closed: boolean }>((resolve) => {
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        response += d;
      });
      s.on('error', () => {});
      s.on('close', () => {
        clearInterval(timer);
        resolve({ closed: true });
      });
      s.write(head);
      const timer = setInterval(() => {
        if (s.destroyed || sent >= 10 * 1024 * 1024) return;
        const data = Buffer.alloc(16 * 1024, 0x61);
        s.write(`${data.length.toString(16)}\r\n`);
        s.write(data);
        s.write('\r\n');
        sent += data.length;
      }, 5);
    });
    expect(u.hostname).toBe('127.0.0.1');
    expect(result.closed).toBe(true);
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('WHT_ERR_TOO_LARGE');
    expect(sent).toBeLessThan(1024 * 1024); // cut off long before 10 MB
    expect((await fetch(`${t.url}/livez`)).status).toBe(200);
    expect(t.tasks()).toHaveLength(0);
  });

  it('a large streamed body from fetch (no Content-Length) gets its 413, not a reset', async () => {
    t = await startTestServer({ hooks: { open: {} } });
    let n = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (n++ >= 160)
          c.close(); // 160 x 64 KiB = 10 MiB
        else c.enqueue(new Uint8Array(65536).fill(0x61));
      },
    });
    const r = await fetch(`${t.url}/hooks/open`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(r.status).toBe(413);
    expect((await jsonOf(r)).error).toBe('WHT_ERR_TOO_LARGE');
    expect(n).toBeLessThan(160);
    expect(t.tasks()).toHaveLength(0);
  });

  it('408 when the headers do not arrive in time (slow-loris), server fine', async () => {
    t = await startTestServer({ http: { timeouts: { headersMs: 300, requestMs: 1000 } } });
    const r = await slowUpload(t.url, 'POST /v1/tasks HTTP/1.1\r\nHost: x\r\n', 0, 1, 10);
    expect(r.closed).toBe(true);
    expect(r.response).toMatch(/^HTTP\/1\.1 408 /);
    expect((await fetch(`${t.url}/livez`)).status).toBe(200);
  });

  it('431 for oversized headers', async () => {
    t = await startTestServer({ http: { maxHeaderBytes: 2048 } });
    const r = await fetch(`${t.url}/livez`, { headers: { 'x-big': 'a'.repeat(4096) } });
    expect(r.status).toBe(431);
  });

  it('keep-alive: many requests reuse one connection', async () => {
    t = await startTestServer();
    const s = open(t.url);
    const req = 'GET /livez HTTP/1.1\r\nHost: x\r\n\r\n';
    const text = await new Promise<string>((resolve) => {
      let buf = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        buf += d;
        if ((buf.match(/HTTP\/1\.1 200/g) ?? []).length === 3) resolve(buf);
      });
      s.write(req + req + req);
    });
    expect(text).not.toContain('Connection: close');
    expect(s.destroyed).toBe(false);
  });
});
