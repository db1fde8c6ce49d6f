import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/engine/engine.js';
import type { WhtError } from '../../src/engine/errors.js';
import type { Config } from '../../src/engine/config/schema.js';
import { loggerFrom } from '../../src/engine/ports/logger.js';
import { openEngineStore } from '../../src/engine/sqlite/open-store.js';
import { useFixture } from '../helpers/fixture.js';
import { waitFor } from '../helpers/tmux.js';

describe('failures no caller sees', () => {
  let engine: Engine | undefined;
  const fx = useFixture();

  it("a store failure in the dispatcher's retry timer is logged and emitted as error with its code, not thrown", async () => {
    fx.tmux.session('main');
    const logged: Array<{ level: string; msg: string; code?: unknown }> = [];
    const logger = loggerFrom((level, msg, fields) => {
      logged.push({ level, msg, code: fields?.code });
    });
    let store: { close(): void } | undefined;
    const config = fx.config({
      targets: { ghost: { pane: '%9999' } },
      queue: { retry: { attempts: 5, baseMs: 300, maxMs: 300, jitter: 0 } },
    });
    engine = await fx.start(config, { logger, openStore: (c: Config) => (store = openEngineStore(c)) });
    const errors: WhtError[] = [];
    engine.on('error', (e) => errors.push(e));
    const { task } = engine.enqueue({ text: 'echo never', target: 'ghost', source: 'api' });
    await waitFor(() => engine!.getTask(task.id)?.state === 'retrying', 10_000, 'the first attempt to fail');
    store!.close(); // the disk goes away while a retry is scheduled
    await waitFor(() => errors.length > 0, 10_000, 'an error event from the retry timer');
    expect(errors[0]).toMatchObject({ code: 'WHT_ERR_STORAGE', details: { component: 'dispatcher' } });
    expect(
      logged.some((l) => l.level === 'error' && l.msg.startsWith('dispatcher:') && l.code === 'WHT_ERR_STORAGE'),
    ).toBe(true);
  });
});
