/** Span attribute and metric label names, in one place (BullMQ's telemetry-attributes scheme). */
export const TelemetryAttributes = {
  QueueName: 'celers.queue.name',
  TaskId: 'celers.task.id',
  TaskName: 'celers.task.name',
  TaskCount: 'celers.task.count',
  WorkerId: 'celers.worker.id',
  Operation: 'celers.operation',
  Attempt: 'celers.task.attempt',
  DbSystem: 'db.system',
  DbName: 'db.name',
  DbOperation: 'db.operation',
} as const;

/** Tracer/meter name used by the broker. */
export const BROKER_INSTRUMENTATION_NAME = '@celers/broker-mysql';
/** Tracer name used by the worker. */
export const WORKER_INSTRUMENTATION_NAME = '@celers/worker';
