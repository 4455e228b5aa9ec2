import { EventEmitter } from 'node:events';

/**
 * An `EventEmitter` whose events each carry one payload, typed by the map `Events` (event name → payload).
 * The one emitter base of celers: `MysqlBroker`, the `Maintainer` and the `Worker` extend it, so listeners
 * get checked payload types and no class copies its own `on`/`once`/`off` overrides. Event names are
 * `<noun>:<past participle>` (`task:completed`, `job:skipped`); `error` keeps Node's meaning: with no
 * listener, emitting it throws.
 *
 * @example
 * ```ts
 * class Clock extends TypedEmitter<{ 'clock:ticked': { at: Date } }> {}
 * new Clock().on('clock:ticked', ({ at }) => console.log(at.toISOString()));
 * ```
 */
export class TypedEmitter<Events extends object> extends EventEmitter {
  /** Subscribes `listener` to `event`. */
  override on<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): this {
    return super.on(event, listener);
  }

  /** Subscribes `listener` for the next occurrence of `event` only. */
  override once<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): this {
    return super.once(event, listener);
  }

  /** Unsubscribes `listener` from `event`. */
  override off<K extends keyof Events & string>(event: K, listener: (payload: Events[K]) => void): this {
    return super.off(event, listener);
  }

  /** Calls the listeners of `event` with `payload`; `true` when there were any. */
  override emit<K extends keyof Events & string>(event: K, payload: Events[K]): boolean {
    return super.emit(event, payload);
  }
}
