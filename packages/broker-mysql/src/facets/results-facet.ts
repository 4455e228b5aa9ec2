import type { BrokerContext } from '../broker-context.js';

/** `broker.results`: see the package README for its methods. */
export class ResultsFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }
}
