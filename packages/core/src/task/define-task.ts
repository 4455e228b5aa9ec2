import { CelersError } from '../errors/celers-error.js';
import { assertRetryPolicySpec } from '../validation/retry-policy-validator.js';
import {
  assertDurationMs,
  assertMaxRetries,
  assertName,
  assertOptionalObject,
  assertPriority,
  assertQueueName,
} from '../validation/validators.js';
import { createTask } from './create-task.js';
import type {
  DefineTaskOptions,
  PayloadSchema,
  TaskDefinition,
  TaskProducer,
  WaitOptions,
} from './task-definition-types.js';
import type { TaskPayload } from './task-registry.js';

/**
 * Defines a task once, with its name, payload type and defaults, and returns a typed handle: producers call
 * `.enqueue(broker, payload)` (or `.enqueueAndWait`), workers register `.handler(fn)` in their `tasks` option,
 * so a payload of the wrong shape and a handler for a task that does not exist are both type errors.
 *
 * The payload type `P` comes from `schema` or `validate` when given, else from core's `TaskRegistry`
 * augmentation for `name` (the lower layer), else it is `unknown`. The result type `R` is the handler's
 * return type as `enqueueAndWait` sees it; pass both type arguments to set them without a schema:
 * `defineTask<'reports.build', { month: string }, { rows: number }>('reports.build')`.
 *
 * Options are checked here, once: bad ones throw `INVALID_ARGUMENT` naming `options.<field>`.
 *
 * @example
 * ```ts
 * const isEmail = (p: unknown): p is { to: string } => typeof (p as { to?: unknown })?.to === 'string';
 * export const sendEmail = defineTask('emails.send', { retries: 5, validate: isEmail });
 * await sendEmail.enqueue(broker, { to: 'ana@example.com' });
 * new Worker({ broker, tasks: [sendEmail.handler(async (p, ctx) => mailer.send(p.to, { signal: ctx.signal }))] });
 * ```
 */
export function defineTask<const N extends string, P = TaskPayload<N>, R = unknown>(
  name: N,
  options: DefineTaskOptions<P> = {},
): TaskDefinition<N, P, R> {
  assertName(name, 'name');
  const checked = assertOptionalObject(options, 'options') ?? {};
  const check = resolveCheck<P>(checked.validate, checked.schema);
  const queue = checked.queue === undefined ? undefined : assertQueueName(checked.queue, 'options.queue');
  const defaults = Object.freeze({
    maxRetries:
      checked.retries === undefined ? undefined : assertMaxRetries(checked.retries, 'options.retries'),
    priority:
      checked.priority === undefined ? undefined : assertPriority(checked.priority, 'options.priority'),
    timeoutMs:
      checked.timeoutMs === undefined
        ? undefined
        : assertDurationMs(checked.timeoutMs, 'options.timeoutMs', 1),
    retryPolicy:
      checked.retryPolicy === undefined
        ? undefined
        : assertRetryPolicySpec(checked.retryPolicy, 'options.retryPolicy'),
    compression: checked.compression as DefineTaskOptions<P>['compression'],
  });

  const definition: TaskDefinition<N, P, R> = {
    name,
    queue,
    parse: check,
    create(payload, call = {}) {
      assertOptionalObject(call, 'options');
      return createTask(name as string, check(payload), {
        ...defaults,
        id: call.id,
        metadata: call.metadata,
        priority: call.priority ?? defaults.priority,
      });
    },
    async enqueue(broker, payload, call = {}) {
      assertProducer(broker, queue, name);
      const task = definition.create(payload, call);
      if (call.delayMs === undefined) return broker.enqueue(task);
      return broker.enqueueAfter(task, assertDurationMs(call.delayMs, 'options.delayMs'));
    },
    async enqueueAndWait(broker, payload, call = {}) {
      if (typeof broker?.results?.wait !== 'function')
        throw CelersError.invalidArgument(
          'broker',
          'expected a broker with results.wait (e.g. a MysqlBroker)',
        );
      const { timeoutMs, signal, ...enqueueOptions } = call;
      const id = await definition.enqueue(broker, payload, enqueueOptions);
      const wait: WaitOptions = {};
      if (timeoutMs !== undefined) wait.timeoutMs = timeoutMs;
      if (signal !== undefined) wait.signal = signal;
      const outcome = await broker.results.wait(id, wait);
      return outcome.result as R;
    },
    handler(run) {
      if (typeof run !== 'function') throw CelersError.invalidArgument('handler', 'expected a function');
      return Object.freeze({ definition, run });
    },
  };
  return Object.freeze(definition);
}

/** The payload check: the schema's parse, the type guard, or the identity when neither is given. */
function resolveCheck<P>(validate: unknown, schema: unknown): (payload: unknown) => P {
  if (validate !== undefined && schema !== undefined)
    throw CelersError.invalidArgument('options', 'give either validate or schema, not both');
  if (validate !== undefined) {
    if (typeof validate !== 'function')
      throw CelersError.invalidArgument('options.validate', 'expected a function (payload) => boolean');
    return (payload) => {
      if (validate(payload) !== true)
        throw CelersError.invalidArgument('payload', 'rejected by the task definition’s validate');
      return payload as P;
    };
  }
  if (schema !== undefined) {
    if (typeof (schema as PayloadSchema<P> | null)?.parse !== 'function')
      throw CelersError.invalidArgument('options.schema', 'expected an object with a parse(input) method');
    return (payload) => {
      try {
        return (schema as PayloadSchema<P>).parse(payload);
      } catch (cause) {
        const reason = cause instanceof Error ? cause.message : String(cause);
        throw new CelersError('INVALID_ARGUMENT', `Invalid argument "payload": ${reason}`, {
          argument: 'payload',
          cause,
        });
      }
    };
  }
  return (payload) => payload as P;
}

/** Refuses a non-broker, and a broker for another queue than the definition's. */
function assertProducer(broker: TaskProducer, queue: string | undefined, name: string): void {
  if (typeof broker?.enqueue !== 'function' || typeof broker.enqueueAfter !== 'function')
    throw CelersError.invalidArgument('broker', 'expected a broker with enqueue and enqueueAfter');
  if (queue !== undefined && broker.queueName !== queue)
    throw CelersError.invalidArgument(
      'broker',
      `task "${name}" belongs to queue "${queue}", but this broker produces to "${broker.queueName}"`,
    );
}
