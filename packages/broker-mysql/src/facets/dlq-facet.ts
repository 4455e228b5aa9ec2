import type { BrokerContext } from '../broker-context.js';

/** `broker.dlq`: see the package README for its methods. */
export class DlqFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }
}
