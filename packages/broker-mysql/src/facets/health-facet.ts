import type { BrokerContext } from '../broker-context.js';

/** `broker.health`: see the package README for its methods. */
export class HealthFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }
}
