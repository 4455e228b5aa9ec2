import type { BrokerContext } from '../broker-context.js';

/** `broker.groups`: see the package README for its methods. */
export class GroupsFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }
}
