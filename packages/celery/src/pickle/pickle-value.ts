/**
 * The values the pickle subset carries: what Celery's JSON serializer can produce. Integers beyond
 * `Number.MAX_SAFE_INTEGER` are `bigint`; Python tuples decode as arrays.
 */
export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | PickleValue[]
  | { [key: string]: PickleValue };
