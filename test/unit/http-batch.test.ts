import { describe, expect, it } from 'vitest';
import { CommitBatcher } from '../../src/engine/intake/http/batch.js';
import { createFakeApi } from '../helpers/http-fake-api.js';

describe('CommitBatcher', () => {
  it('commits requests of one event-loop turn together, answering each with its own result', async () => {
    const api = createFakeApi({ groupCommit: true });
    const b = new CommitBatcher(api);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => b.enqueue({ text: `t${i}`, source: 'http' })),
    );
    expect(results.map((r) => r.task.text)).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`));
    expect(api.commits).toBe(1);
    expect(api.tasks.map((t) => t.id)).toEqual(results.map((r) => r.task.id));
  });

  it('refuses only the bad input of a batch; a repeated key in the batch dedupes to the first', async () => {
    const api = createFakeApi({ groupCommit: true, targets: ['default'] });
    const b = new CommitBatcher(api);
    const [a, bad, dup] = await Promise.allSettled([
      b.enqueue({ text: 'a', idemKey: 'k', source: 'http' }),
      b.enqueue({ text: 'b', target: 'nope', source: 'http' }),
      b.enqueue({ text: 'a', idemKey: 'k', source: 'http' }),
    ]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { created: true } });
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'WHT_ERR_TARGET_UNKNOWN' } });
    expect(dup).toMatchObject({
      status: 'fulfilled',
      value: { created: false, task: { id: (a as PromiseFulfilledResult<{ task: { id: number } }>).value.task.id } },
    });
    expect(api.tasks).toHaveLength(1);
  });

  it('rejects every request of a batch whose commit fails', async () => {
    const api = createFakeApi({ groupCommit: true });
    api.failStorage = true;
    const b = new CommitBatcher(api);
    const r = await Promise.allSettled([
      b.enqueue({ text: 'a', source: 'http' }),
      b.enqueue({ text: 'b', source: 'http' }),
    ]);
    expect(r.map((x) => x.status)).toEqual(['rejected', 'rejected']);
  });

  it('splits at maxBatch', async () => {
    const api = createFakeApi({ groupCommit: true });
    const b = new CommitBatcher(api, 8);
    await Promise.all(Array.from({ length: 20 }, (_, i) => b.enqueue({ text: `t${i}`, source: 'http' })));
    expect(api.commits).toBe(3);
    expect(api.tasks).toHaveLength(20);
  });

  it('without enqueueMany commits each request at once, in call order', async () => {
    const api = createFakeApi();
    const b = new CommitBatcher(api);
    const p = b.enqueue({ text: 'now', source: 'http' });
    expect(api.tasks).toHaveLength(1); // committed before the promise is awaited
    expect((await p).task.text).toBe('now');
    await expect(b.enqueue({ text: 'x', target: 'nope', source: 'http' })).rejects.toMatchObject({
      code: 'WHT_ERR_TARGET_UNKNOWN',
    });
  });
});
