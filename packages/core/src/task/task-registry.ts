/**
 * Maps task names to their payload types. Empty by default; extend it with module augmentation to get
 * typed payloads in `createTask` and in worker handlers:
 *
 * @example
 * ```ts
 * declare module '@celers/core' {
 *   interface TaskRegistry { 'emails.send': { to: string; subject: string } }
 * }
 * createTask('emails.send', { to: 'a@b.c', subject: 'hi' }); // checked
 * ```
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by users through module augmentation
export interface TaskRegistry {}

/** A task name: a registered one, or any string when the registry is empty. */
export type TaskName = keyof TaskRegistry extends never
  ? string
  : Extract<keyof TaskRegistry, string> | (string & {});

/** The payload type for task `N`: the registered type, else `unknown`. */
export type TaskPayload<N extends string> = N extends keyof TaskRegistry ? TaskRegistry[N] : unknown;
