import type { PickleValue } from '../pickle/pickle-value.js';

/** The headers of a Celery protocol-v2 message (what `apply_async` writes). */
export interface CeleryHeaders {
  lang: string;
  task: string;
  id: string;
  shadow: string | null;
  /** ISO 8601 time before which the task must not run, or null. */
  eta: string | null;
  /** ISO 8601 time after which the task is revoked instead of run, or null. */
  expires: string | null;
  group: string | null;
  group_index: number | null;
  retries: number;
  timelimit: [number | null, number | null];
  root_id: string;
  parent_id: string | null;
  argsrepr: string;
  kwargsrepr: string;
  origin: string;
  ignore_result: boolean;
  [extra: string]: unknown;
}

/** The third body element: workflow links. celers runs none of them (see docs/celery.md). */
export interface CeleryEmbed {
  callbacks: unknown[] | null;
  errbacks: unknown[] | null;
  chain: unknown[] | null;
  chord: unknown | null;
}

/** A decoded Celery task message. */
export interface CeleryMessage {
  headers: CeleryHeaders;
  args: PickleValue[];
  kwargs: Record<string, PickleValue>;
  embed: CeleryEmbed;
  /** `properties.delivery_info.routing_key`: the queue the producer chose. */
  routingKey: string;
  /** `properties.priority` (kombu's SQL transport ignores it when ordering). */
  priority: number;
}
