import type { BrokerContext } from '../broker-context.js';

/** `broker.transfer`: see the package README for its methods. */
export class TransferFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }
}
