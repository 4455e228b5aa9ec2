/** How many claims {@link HookFreeClaims} remembers; the oldest are forgotten first. */
const REMEMBERED_CLAIMS = 10_000;

/**
 * Receipts of this broker's claims whose tasks no completion hook concerns (e.g. no claimed task is a chain
 * link), so acking them can skip the hooks' statements: a plain drain's ack is one UPDATE instead of two.
 * Forgetting a receipt (the bound, another broker's claim) only costs running the hooks as before, so the memo
 * never changes what an ack does, only what it may skip.
 * @internal
 */
export class HookFreeClaims {
  readonly #receipts = new Set<string>();

  /** Notes a claim whose tasks no hook concerns. */
  add(receiptHandle: string): void {
    if (this.#receipts.size >= REMEMBERED_CLAIMS) {
      const oldest = this.#receipts.values().next().value;
      if (oldest !== undefined) this.#receipts.delete(oldest);
    }
    this.#receipts.add(receiptHandle.toLowerCase());
  }

  /** Whether every one of `receiptHandles` is a remembered hook-free claim. */
  coversAll(receiptHandles: Iterable<string>): boolean {
    for (const r of receiptHandles) if (!this.#receipts.has(r.toLowerCase())) return false;
    return true;
  }
}
