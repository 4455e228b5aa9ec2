import type { BrokerContext } from '../broker-context.js';

/** `broker.maintenance`: see the package README for its methods. */
export class MaintenanceFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }
}
