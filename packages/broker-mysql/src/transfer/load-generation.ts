import { randomBytes } from 'node:crypto';
import {
  assertInteger,
  assertName,
  assertOptionalObject,
  assertPriority,
  CelersError,
  createTask,
  type SerializedTask,
  type TaskId,
} from '@celers/core';
import type { BrokerContext } from '../broker-context.js';
import { enqueueMany } from '../queue/enqueue-operations.js';

/** Options for `broker.transfer.generateLoad` (the seed's `generate_load`). */
export interface LoadGenerationOptions {
  /** Tasks to create (1–1,000,000). */
  count: number;
  taskName: string;
  /** Random payload size in bytes (0–1 MiB); payloads are raw bytes (`application/octet-stream`). */
  payloadBytes: number;
  /** Inclusive `[min, max]` range for random priorities. @defaultValue all 0 */
  priorityRange?: readonly [number, number];
}

/** Largest `count` of one `generateLoad` call. */
export const MAX_LOAD_TASKS = 1_000_000;
/** Largest synthetic payload. */
export const MAX_LOAD_PAYLOAD_BYTES = 1024 * 1024;
/** Tasks per transaction when generating load: each chunk commits on its own. */
export const LOAD_CHUNK_SIZE = 5_000;
/** Metadata flag on every generated task, so load can be found and purged (`queryByMetadata('$.load_test', 'true')`). */
export const LOAD_TEST_METADATA = 'load_test';

/**
 * Enqueues `count` synthetic tasks with random payloads, tagged `metadata.load_test = true`, with multi-row
 * inserts in transactions of {@link LOAD_CHUNK_SIZE}; returns their ids.
 * @internal
 */
export async function generateLoad(ctx: BrokerContext, options: LoadGenerationOptions): Promise<TaskId[]> {
  const o = assertOptionalObject(options, 'options') as LoadGenerationOptions | undefined;
  if (!o) throw CelersError.invalidArgument('options', 'expected { count, taskName, payloadBytes }');
  const count = assertInteger(o.count, 'options.count', 1, MAX_LOAD_TASKS);
  const taskName = assertName(o.taskName, 'options.taskName');
  const bytes = assertInteger(o.payloadBytes, 'options.payloadBytes', 0, MAX_LOAD_PAYLOAD_BYTES);
  let range: [number, number] = [0, 0];
  if (o.priorityRange !== undefined) {
    if (!Array.isArray(o.priorityRange) || o.priorityRange.length !== 2) {
      throw CelersError.invalidArgument('options.priorityRange', 'expected [min, max]');
    }
    range = [
      assertPriority(o.priorityRange[0], 'options.priorityRange[0]'),
      assertPriority(o.priorityRange[1], 'options.priorityRange[1]'),
    ];
    if (range[0] > range[1])
      throw CelersError.invalidArgument('options.priorityRange', 'min must not exceed max');
  }
  const ids: TaskId[] = [];
  for (let done = 0; done < count; done += LOAD_CHUNK_SIZE) {
    const chunk: SerializedTask[] = [];
    for (let i = done; i < Math.min(count, done + LOAD_CHUNK_SIZE); i++) {
      const priority = range[0] + Math.floor(Math.random() * (range[1] - range[0] + 1));
      chunk.push(
        createTask(taskName, new Uint8Array(randomBytes(bytes)), {
          priority,
          metadata: { [LOAD_TEST_METADATA]: true },
        }),
      );
    }
    ids.push(...(await enqueueMany(ctx, chunk)));
  }
  return ids;
}
