import { describe, expectTypeOf, it } from 'vitest';
import type { TaskContext, TaskHandlers, Worker, WorkerEventMap } from '../src/index.js';

// Handlers registered under a name from core's TaskRegistry get that task's payload type (checked by
// `tsc -p tsconfig.json`, which covers the tests; at runtime these assertions are no-ops).
declare module '@celers/core' {
  interface TaskRegistry {
    'typed.email': { to: string; subject: string };
  }
}

describe('handler typing', () => {
  it('types registered payloads and leaves other names unknown', () => {
    const handlers: TaskHandlers = {
      'typed.email': async (payload, ctx) => {
        expectTypeOf(payload).toEqualTypeOf<{ to: string; subject: string }>();
        expectTypeOf(ctx).toEqualTypeOf<TaskContext>();
        return payload.to.length;
      },
      'free.form': (payload) => {
        expectTypeOf(payload).toBeAny();
      },
    };
    expectTypeOf(handlers).toMatchTypeOf<TaskHandlers>();
    // @ts-expect-error a registered task's handler cannot take a different payload type
    const wrong: TaskHandlers = { 'typed.email': (payload: { to: number }) => payload.to };
    void wrong;
  });

  it('types each event payload', () => {
    expectTypeOf<WorkerEventMap['task:completed']>().toEqualTypeOf<{
      taskId: string;
      taskName: string;
      result: unknown;
      durationMs: number;
    }>();
    expectTypeOf<WorkerEventMap['task:failed']['outcome']['outcome']>().toEqualTypeOf<
      'dead-lettered' | 'failed'
    >();
  });

  it('names every event <noun>:<past participle> (plus error) and rejects the old bare names', () => {
    expectTypeOf<keyof WorkerEventMap>().toEqualTypeOf<
      | 'task:completed'
      | 'task:failed'
      | 'task:retried'
      | 'task:stalled'
      | 'worker:idle'
      | 'worker:drained'
      | 'worker:closed'
      | 'error'
    >();
    const listen = (worker: Worker) => {
      worker.on('worker:drained', ({ processed }) => expectTypeOf(processed).toEqualTypeOf<number>());
      // @ts-expect-error the bare names of 0.1 are gone (a clean rename, no aliases)
      worker.on('completed', () => undefined);
    };
    void listen;
  });
});
