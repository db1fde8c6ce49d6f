import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PaneInfo {
  id: string;
  /** `session:window.pane` */
  address: string;
  command: string;
  size: string;
  active: boolean;
}

const FORMAT =
  '#{pane_id}\t#{session_name}:#{window_index}.#{pane_index}\t#{pane_current_command}\t#{pane_width}x#{pane_height}\t#{?pane_active,1,0}';

export function parsePanes(stdout: string): PaneInfo[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((line) => {
      const [id = '', address = '', command = '', size = '', active = '0'] = line.split('\t');
      return { id, address, command, size, active: active === '1' };
    });
}

/** The panes of a tmux server (`serverArgs`: `-L NAME` / `-S PATH`); null when no server answers. */
export async function listPanes(serverArgs: readonly string[], timeoutMs = 3000): Promise<PaneInfo[] | null> {
  try {
    const { stdout } = await run('tmux', [...serverArgs, 'list-panes', '-a', '-F', FORMAT], {
      timeout: timeoutMs,
      encoding: 'utf8',
    });
    return parsePanes(stdout);
  } catch {
    return null;
  }
}
