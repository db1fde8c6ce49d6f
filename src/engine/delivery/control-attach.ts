/** Pieces of the control-mode client (control-mode.ts): which session it attaches to, its socket, its errors. */
import { WhtError } from '../errors.js';
import type { TmuxServer } from '../ports/tmux.js';
import { ExecTmux } from './exec-tmux.js';

export type TransportFailure = 'down' | 'timeout' | 'closed';

/** The session named `prefer` if it exists, else the first one the server lists (its id). */
export async function pickSession(
  server: TmuxServer,
  binary: string | undefined,
  prefer: string | undefined,
  timeoutMs: number,
): Promise<string> {
  const exec = new ExecTmux(server, binary);
  const { stdout } = await exec.run(['list-sessions', '-F', '#{session_id} #{session_name}'], { timeoutMs });
  const sessions = stdout
    .split('\n')
    .filter((s) => s !== '')
    .map((l) => ({ id: l.slice(0, l.indexOf(' ')), name: l.slice(l.indexOf(' ') + 1) }));
  const first = (sessions.find((s) => s.name === prefer) ?? sessions[0])?.id;
  if (!first)
    throw new WhtError('WHT_ERR_TMUX_FAILED', 'tmux control mode: no session to attach to', {
      transport: 'down',
      sent: false,
    });
  return first;
}

/** The client itself failed (not tmux answering %error); `sent`: the line had been written (it may have run). */
export function transportError(kind: TransportFailure, name: string, sent: boolean, reason?: string): WhtError {
  const text = reason ?? (kind === 'closed' ? 'client closed' : 'client not connected');
  return new WhtError('WHT_ERR_TMUX_FAILED', `tmux ${name} (control mode): ${text}`, {
    path: 'control',
    transport: kind,
    sent,
  });
}

/** With no -L/-S, tmux would use $TMUX's socket; make that explicit so the child can run with TMUX unset. */
export function resolveServer(server: TmuxServer): TmuxServer {
  if (server.socketPath || server.socketName) return server;
  const fromEnv = process.env.TMUX?.split(',')[0];
  return fromEnv ? { socketPath: fromEnv } : server;
}
