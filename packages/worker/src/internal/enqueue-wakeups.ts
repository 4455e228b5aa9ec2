import type { Broker, BrokerEventMap } from '@celers/core';

type Wake = () => void;

const subscribers = new WeakMap<Broker, Set<Wake>>();
interface Listeners {
  readonly enqueued: (event: BrokerEventMap['task:enqueued']) => void;
  readonly recovered: (event: BrokerEventMap['task:recovered']) => void;
}
const listeners = new WeakMap<Broker, Listeners>();

/**
 * Calls `wake` whenever the broker announces tasks that are due now: a `task:enqueued` that is not delayed,
 * or a `task:recovered` (the maintainer returned expired leases to pending). All the workers of one broker
 * share one listener per event, so 32 workers on one broker add 2 listeners, not 64 (no
 * MaxListenersExceededWarning, one dispatch per event). Returns the unsubscribe function.
 * @internal
 */
export function onDueTasks(broker: Broker, wake: Wake): () => void {
  let set = subscribers.get(broker);
  if (!set) {
    const own = new Set<Wake>();
    const wakeAll = () => {
      for (const fn of own) fn();
    };
    const entry: Listeners = {
      enqueued: (event) => {
        if (!event.delayed) wakeAll();
      },
      recovered: (event) => {
        if (event.count > 0) wakeAll();
      },
    };
    set = own;
    subscribers.set(broker, own);
    listeners.set(broker, entry);
    broker.on('task:enqueued', entry.enqueued);
    broker.on('task:recovered', entry.recovered);
  }
  set.add(wake);
  const own = set;
  return () => {
    own.delete(wake);
    if (own.size > 0 || subscribers.get(broker) !== own) return;
    subscribers.delete(broker);
    const registered = listeners.get(broker);
    listeners.delete(broker);
    if (registered) {
      broker.off('task:enqueued', registered.enqueued);
      broker.off('task:recovered', registered.recovered);
    }
  };
}
