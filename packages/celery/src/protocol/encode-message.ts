import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { PickleValue } from '../pickle/pickle-value.js';
import { stringifyBigJson } from './big-json.js';
import type { CeleryHeaders } from './celery-message.js';

/** What {@link encodeCeleryMessage} needs, already validated. */
export interface CeleryMessageInput {
  name: string;
  id: string;
  args: readonly PickleValue[];
  kwargs: Readonly<Record<string, PickleValue>>;
  queue: string;
  eta: Date | null;
  expires: Date | null;
  retries: number;
  priority: number;
  rootId: string | null;
  parentId: string | null;
}

/**
 * Builds the kombu JSON envelope `apply_async` would write for the same call: a protocol-v2 body
 * (`[args, kwargs, embed]`, base64 of JSON) and the same header and property names.
 */
export function encodeCeleryMessage(input: CeleryMessageInput): string {
  const body = stringifyBigJson(
    [input.args, input.kwargs, { callbacks: null, errbacks: null, chain: null, chord: null }],
    'args',
  );
  const headers: CeleryHeaders = {
    lang: 'py', // Celery workers check for 'py'; the body is plain JSON either way
    task: input.name,
    id: input.id,
    shadow: null,
    eta: input.eta?.toISOString() ?? null,
    expires: input.expires?.toISOString() ?? null,
    group: null,
    group_index: null,
    retries: input.retries,
    timelimit: [null, null],
    root_id: input.rootId ?? input.id,
    parent_id: input.parentId,
    argsrepr: truncate(stringifyBigJson(input.args, 'args')),
    kwargsrepr: truncate(stringifyBigJson(input.kwargs, 'kwargs')),
    origin: `${process.pid}@${hostname()}`,
    ignore_result: false,
  };
  return JSON.stringify({
    body: Buffer.from(body, 'utf8').toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers,
    properties: {
      correlation_id: input.id,
      reply_to: randomUUID(),
      delivery_mode: 2,
      delivery_info: { exchange: '', routing_key: input.queue },
      priority: input.priority,
      body_encoding: 'base64',
      delivery_tag: randomUUID(),
    },
  });
}

// Celery caps argsrepr/kwargsrepr (for logs and events) the same way.
function truncate(text: string): string {
  return text.length > 1024 ? `${text.slice(0, 1021)}...` : text;
}
