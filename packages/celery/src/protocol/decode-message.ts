import { CelersError } from '@celers/core';
import { parseBigJson } from './big-json.js';
import type { CeleryEmbed, CeleryHeaders, CeleryMessage } from './celery-message.js';

/**
 * Decodes one `kombu_message.payload` (kombu's JSON envelope around a protocol-v2 body). Throws
 * `CORRUPT_DATA` for anything that is not a JSON, base64-bodied protocol-v2 Celery task message.
 */
export function decodeCeleryMessage(payload: string): CeleryMessage {
  const envelope = parse(payload, 'envelope');
  if (!isObject(envelope)) throw corrupt('the envelope is not an object');
  const headers = envelope.headers;
  const properties = envelope.properties;
  if (!isObject(headers) || !isObject(properties)) throw corrupt('headers or properties missing');
  if (typeof headers.task !== 'string' || typeof headers.id !== 'string')
    throw corrupt('headers.task and headers.id must be strings (protocol v1 is not supported)');
  if (envelope['content-type'] !== 'application/json')
    throw corrupt(`content-type ${String(envelope['content-type'])} is not application/json`);
  if (properties.body_encoding !== 'base64' || typeof envelope.body !== 'string')
    throw corrupt('the body is not base64');
  const body = parse(Buffer.from(envelope.body, 'base64').toString('utf8'), 'body');
  if (!Array.isArray(body) || body.length < 2) throw corrupt('the body is not [args, kwargs, embed]');
  const [args, kwargs, embed] = body;
  if (!Array.isArray(args) || !isObject(kwargs)) throw corrupt('args must be a list and kwargs a dict');
  const deliveryInfo = isObject(properties.delivery_info) ? properties.delivery_info : {};
  return {
    headers: { retries: 0, eta: null, expires: null, ignore_result: false, ...headers } as CeleryHeaders,
    args,
    kwargs: kwargs as CeleryMessage['kwargs'],
    embed: (isObject(embed)
      ? embed
      : { callbacks: null, errbacks: null, chain: null, chord: null }) as unknown as CeleryEmbed,
    routingKey: typeof deliveryInfo.routing_key === 'string' ? deliveryInfo.routing_key : '',
    priority: typeof properties.priority === 'number' ? properties.priority : 0,
  };
}

function parse(text: string, what: string): unknown {
  try {
    return parseBigJson(text);
  } catch (error) {
    throw new CelersError('CORRUPT_DATA', `Celery message ${what} is not JSON`, { cause: error });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function corrupt(reason: string): CelersError {
  return new CelersError('CORRUPT_DATA', `Not a Celery protocol-v2 message: ${reason}`);
}
