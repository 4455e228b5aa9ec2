// @celers/core: types, the Broker interface, CelersError, validators, payload codec, trace context. No I/O.
export type { BackgroundService, MaintenanceServiceOptions } from './broker/background-service.js';
export type { Broker } from './broker/broker.js';
export type { BrokerEventMap, CircuitBreakerState, InternalRetryReason } from './broker/broker-events.js';
export type {
  AckBatchResult,
  AckItem,
  AckOutcome,
  DequeueOptions,
  RejectItem,
  RejectOptions,
  RejectOutcome,
  WorkerRegistration,
} from './broker/broker-options.js';
export {
  compressPayload,
  DEFAULT_COMPRESSION_THRESHOLD_BYTES,
  decompressPayload,
} from './codec/compression.js';
export {
  assertPayloadSize,
  type CompressionMode,
  decodePayload,
  decodePayloadBytes,
  type EncodedPayload,
  encodePayload,
} from './codec/payload-codec.js';
export { CelersError, type CelersErrorOptions, isCelersError } from './errors/celers-error.js';
export { asCelersError, coerceError } from './errors/coerce-error.js';
export { CelersErrorCode } from './errors/error-codes.js';
export { TypedEmitter } from './events/typed-emitter.js';
export {
  type CreateTaskOptions,
  createTask,
  DEFAULT_MAX_RETRIES,
  DEFAULT_PRIORITY,
  withNewTaskId,
} from './task/create-task.js';
export { defineTask } from './task/define-task.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicySpec } from './task/retry-policy-spec.js';
export type {
  BrokerMessage,
  PayloadContentType,
  PayloadEncoding,
  SerializedTask,
  TaskId,
  TaskMetadata,
  TaskResultInput,
} from './task/serialized-task.js';
export type {
  DefineTaskOptions,
  PayloadSchema,
  TaskBinding,
  TaskCallOptions,
  TaskDefinition,
  TaskProducer,
  TaskWaiter,
  WaitOptions,
} from './task/task-definition-types.js';
export type { TaskName, TaskPayload, TaskRegistry } from './task/task-registry.js';
export {
  FINISHED_TASK_STATES,
  type FinishedTaskState,
  TASK_RESULT_STATUSES,
  TASK_STATES,
  type TaskResultStatus,
  type TaskState,
  WORKER_STATUSES,
  type WorkerStatus,
} from './task/task-state.js';
export {
  BROKER_INSTRUMENTATION_NAME,
  TelemetryAttributes,
  WORKER_INSTRUMENTATION_NAME,
} from './tracing/telemetry-attributes.js';
export { TRACEPARENT_KEY, TRACESTATE_KEY, TraceContext } from './tracing/trace-context.js';
export * from './validation/limits.js';
export { assertRetryPolicySpec } from './validation/retry-policy-validator.js';
export * from './validation/validators.js';
