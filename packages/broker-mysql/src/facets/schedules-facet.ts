import type { BrokerContext } from '../broker-context.js';

/** `broker.schedules`: see the package README for its methods. */
export class SchedulesFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }
}
