/**
 * A real HTTP callback receiver on 127.0.0.1 (port 0) that verifies each request's Standard Webhooks signature with
 * the `standardwebhooks` library, as a sender's customer would. Modes: `up` answers 204; `down` cuts the
 * connection before answering (as a receiver that is not there); `hang` never answers (`hung` resolves when the
 * first such request arrived).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export interface Received {
  id: string;
  type: string;
  data: Record<string, unknown>;
  verified: boolean;
}

export class CallbackReceiver {
  readonly secret = `whsec_${randomBytes(32).toString('base64')}`;
  /** Requests that were answered (mode up), in arrival order. */
  readonly received: Received[] = [];
  mode: 'up' | 'down' | 'hang' = 'up';
  /** Requests cut off or left hanging. */
  refused = 0;
  private server: Server | undefined;
  private readonly hanging: ServerResponse[] = [];
  private hungResolve: (() => void) | undefined;
  readonly hung = new Promise<void>((resolve) => (this.hungResolve = resolve));

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/cb`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (this.mode === 'down') {
      this.refused++;
      req.socket.destroy();
      return;
    }
    if (this.mode === 'hang') {
      this.refused++;
      this.hanging.push(res);
      this.hungResolve?.();
      return;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    let verified = false;
    try {
      new Webhook(this.secret).verify(body, req.headers as Record<string, string>);
      verified = true;
    } catch {
      /* recorded as not verified */
    }
    const parsed = JSON.parse(body) as { type: string; data: Record<string, unknown> };
    this.received.push({ id: String(req.headers['webhook-id']), type: parsed.type, data: parsed.data, verified });
    res.writeHead(204).end();
  }

  /** The received events' ids, each once, in the order they first arrived (a receiver dedupes on webhook-id). */
  firstArrivals(): Received[] {
    const seen = new Set<string>();
    return this.received.filter((r) => !seen.has(r.id) && seen.add(r.id));
  }

  async close(): Promise<void> {
    for (const res of this.hanging.splice(0)) res.socket?.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
