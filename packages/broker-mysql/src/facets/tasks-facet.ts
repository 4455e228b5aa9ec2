import type { BrokerContext } from '../broker-context.js';

/** `broker.tasks`: see the package README for its methods. */
export class TasksFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }
}
