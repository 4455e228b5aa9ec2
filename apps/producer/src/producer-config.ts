import { assertDurationMs, assertQueueName, CelersError } from '@celers/core';

/** Settings of the demo producer, read from the environment. */
export interface ProducerConfig {
  /** `CELERS_DATABASE_URL` (required). */
  readonly url: string;
  /** `CELERS_QUEUE`. @defaultValue 'demo' */
  readonly queue: string;
  /** `PRODUCE_INTERVAL_MS`: pause between two rounds of tasks. @defaultValue 1000 */
  readonly intervalMs: number;
  /** `DEMO_DURATION_MS`: stop by itself after this long; runs until a signal when unset. */
  readonly durationMs: number | undefined;
}

/** The demo's queue when `CELERS_QUEUE` is unset (shared with the demo worker). */
export const DEFAULT_DEMO_QUEUE = 'demo';

function durationFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  return assertDurationMs(Number(raw), name, 1);
}

/** Validates the producer's environment (`INVALID_ARGUMENT` naming the variable). */
export function producerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ProducerConfig {
  const url = env.CELERS_DATABASE_URL;
  if (!url)
    throw CelersError.invalidArgument('CELERS_DATABASE_URL', 'set it to mysql://user:pass@host:3306/db');
  return Object.freeze({
    url,
    queue: assertQueueName(env.CELERS_QUEUE || DEFAULT_DEMO_QUEUE, 'CELERS_QUEUE'),
    intervalMs: durationFromEnv(env, 'PRODUCE_INTERVAL_MS') ?? 1_000,
    durationMs: durationFromEnv(env, 'DEMO_DURATION_MS'),
  });
}
