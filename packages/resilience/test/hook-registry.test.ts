import { CelersError } from '@celers/core';
import { describe, expect, it } from 'vitest';
import { HOOK_POINTS, type HookPoint, HookRegistry, hookContext } from '../src/index.js';

describe('HookRegistry', () => {
  it('has the eight lifecycle points of the seed', () => {
    expect(HOOK_POINTS).toEqual([
      'beforeEnqueue',
      'afterEnqueue',
      'beforeDequeue',
      'afterDequeue',
      'beforeAck',
      'afterAck',
      'beforeReject',
      'afterReject',
    ]);
  });

  it.each(HOOK_POINTS.map((p) => [p]))(
    '%s: runs several hooks in registration order, awaiting async ones',
    async (point: HookPoint) => {
      const registry = new HookRegistry();
      const calls: string[] = [];
      registry.add(point, async () => {
        await new Promise((resolve) => setImmediate(resolve));
        calls.push('first');
      });
      registry.add(point, () => void calls.push('second'));
      registry.add(point, async () => void calls.push('third'));
      const ctx = hookContext(point, 'q', { taskId: 'id-1', taskName: 'n' });
      if (point.startsWith('before')) await registry.runBefore(ctx);
      else await registry.runAfter(ctx, () => undefined);
      expect(calls).toEqual(['first', 'second', 'third']);
      expect(registry.count(point)).toBe(3);
    },
  );

  it('only runs the hooks of the given point', async () => {
    const registry = new HookRegistry();
    const calls: string[] = [];
    registry.add('beforeAck', () => void calls.push('ack'));
    registry.add('beforeReject', () => void calls.push('reject'));
    await registry.runBefore(hookContext('beforeReject', 'q'));
    expect(calls).toEqual(['reject']);
  });

  it('add returns a remover that removes exactly that hook (idempotent)', async () => {
    const registry = new HookRegistry();
    const calls: number[] = [];
    const removeFirst = registry.add('afterAck', () => void calls.push(1));
    registry.add('afterAck', () => void calls.push(2));
    removeFirst();
    removeFirst();
    await registry.runAfter(hookContext('afterAck', 'q'), () => undefined);
    expect(calls).toEqual([2]);
    expect(registry.has('afterAck')).toBe(true);
  });

  it('clear(point) removes one point, clear() removes all', () => {
    const registry = new HookRegistry();
    for (const p of HOOK_POINTS) registry.add(p, () => undefined);
    expect(registry.count()).toBe(8);
    registry.clear('beforeEnqueue');
    expect(registry.has('beforeEnqueue')).toBe(false);
    expect(registry.count()).toBe(7);
    registry.clear();
    expect(registry.count()).toBe(0);
    for (const p of HOOK_POINTS) expect(registry.has(p)).toBe(false);
  });

  it('a throwing before-hook becomes HOOK_REJECTED with the cause, and later hooks do not run', async () => {
    const registry = new HookRegistry();
    const reason = new Error('tenant required');
    let laterRan = false;
    registry.add('beforeEnqueue', () => {
      throw reason;
    });
    registry.add('beforeEnqueue', () => {
      laterRan = true;
    });
    const error = await registry
      .runBefore(hookContext('beforeEnqueue', 'q', { taskId: 't1' }))
      .catch((e: unknown) => e);
    expect(CelersError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'HOOK_REJECTED',
      cause: reason,
      details: { point: 'beforeEnqueue', taskId: 't1' },
    });
    expect((error as Error).message).toContain('tenant required');
    expect(laterRan).toBe(false);
  });

  it('a rejected promise or a non-Error throw is also HOOK_REJECTED', async () => {
    const registry = new HookRegistry();
    registry.add('beforeAck', () => Promise.reject('nope'));
    await expect(registry.runBefore(hookContext('beforeAck', 'q'))).rejects.toMatchObject({
      code: 'HOOK_REJECTED',
    });
  });

  it('after-hook errors go to onError and the remaining hooks still run', async () => {
    const registry = new HookRegistry();
    const calls: string[] = [];
    const reported: Error[] = [];
    registry.add('afterReject', () => {
      throw new Error('metrics down');
    });
    registry.add('afterReject', () => void calls.push('audit'));
    await registry.runAfter(hookContext('afterReject', 'q'), (e) => reported.push(e));
    expect(reported.map((e) => e.message)).toEqual(['metrics down']);
    expect(calls).toEqual(['audit']);
  });

  it('a hook registered while hooks run does not join the current run', async () => {
    const registry = new HookRegistry();
    const calls: string[] = [];
    registry.add('afterDequeue', () => {
      calls.push('a');
      registry.add('afterDequeue', () => void calls.push('late'));
    });
    await registry.runAfter(hookContext('afterDequeue', 'q'), () => undefined);
    expect(calls).toEqual(['a']);
  });

  it('before-enqueue hooks see the live metadata object and can enrich it', async () => {
    const registry = new HookRegistry();
    registry.add('beforeEnqueue', (ctx) => {
      ctx.metadata.tenant = 'acme';
    });
    const metadata: Record<string, unknown> = { a: 1 };
    await registry.runBefore(hookContext('beforeEnqueue', 'q', { metadata }));
    expect(metadata).toEqual({ a: 1, tenant: 'acme' });
  });

  it('hookContext fills the context fields', () => {
    const before = Date.now();
    const ctx = hookContext('afterAck', 'emails', { taskId: 'x', taskName: 'send' });
    expect(ctx).toMatchObject({
      point: 'afterAck',
      queue: 'emails',
      taskId: 'x',
      taskName: 'send',
      metadata: {},
    });
    expect(ctx.timestamp.getTime()).toBeGreaterThanOrEqual(before);
    expect(hookContext('beforeDequeue', 'q')).toMatchObject({ taskId: null, taskName: null });
  });

  it('validates the point and the hook', () => {
    const registry = new HookRegistry();
    expect(() => registry.add('beforeExplode' as HookPoint, () => undefined)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'point' }),
    );
    expect(() => registry.add('afterAck', 'fn' as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'hook' }),
    );
    expect(registry.count()).toBe(0);
  });
});
