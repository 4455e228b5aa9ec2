// Issue 14 item 7: the worker inflates payloads with a cap, so a deflate bomb fails the task instead of
// allocating 64 MiB (and the handler never sees it).
import { deflateRawSync } from 'node:zlib';
import { createTask } from '@celers/core';
import { describe, expect, it } from 'vitest';
import { nextEvent } from './support/wait-for.js';
import { useWorkerFixture } from './support/worker-fixture.js';

const fx = useWorkerFixture('payload-bomb');

describe('Worker and compressed payloads', () => {
  it('a 65 KB deflate bomb (64 MiB inflated) fails with PAYLOAD_TOO_LARGE without running the handler', async () => {
    const broker = await fx.queue();
    let calls = 0;
    const worker = fx.worker({ broker, handlers: { bomb: async () => void calls++ } });
    await worker.start();
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
    const task = createTask('bomb', null);
    const failed = nextEvent(worker, 'task:failed');
    const id = await broker.enqueue({
      payload: bomb,
      metadata: { ...task.metadata, contentType: 'application/octet-stream', contentEncoding: 'deflate' },
    });
    const event = await failed;
    expect(event.taskId).toBe(id);
    expect(event.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(event.outcome).toEqual({ outcome: 'failed' });
    expect(calls).toBe(0);
    expect((await broker.tasks.get(id))?.state).toBe('failed');
    await worker.close();
  });
});
