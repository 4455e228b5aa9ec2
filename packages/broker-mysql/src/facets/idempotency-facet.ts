import type { BrokerContext } from '../broker-context.js';

/** `broker.idempotency`: see the package README for its methods. */
export class IdempotencyFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }
}
