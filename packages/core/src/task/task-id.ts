import { v7 } from 'uuid';

/** Random bytes drawn at once for this many ids: one `getRandomValues` call per batch instead of per id. */
const IDS_PER_DRAW = 256;

const pool = new Uint8Array(16 * IDS_PER_DRAW);
let poolOffset = pool.length;
/** The generator's clock and counter, as uuid's own v7 keeps them (RFC 9562 method 1: a counter within a millisecond). */
const state = { msecs: Number.NEGATIVE_INFINITY, seq: 0 };

/**
 * A new task id: a UUIDv7 (time-ordered, so new rows append to the primary key), monotonic within this process
 * like uuid's `v7()`, whose counter logic this repeats. It is the same `v7` with the random bytes taken from a
 * pool: `v7()` asks for 16 random bytes per call, which cost ~7 µs of a ~14 µs `createTask` (measured on Node 20),
 * half the Node-side cost of a batch enqueue.
 */
export function newTaskId(): string {
  if (poolOffset === pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  const random = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  const now = Date.now();
  if (now > state.msecs) {
    // A fresh millisecond starts the counter at a random 31-bit value, as uuid does.
    state.seq =
      (((random[6] as number) & 0x7f) << 24) |
      ((random[7] as number) << 16) |
      ((random[8] as number) << 8) |
      (random[9] as number);
    state.msecs = now;
  } else {
    state.seq = (state.seq + 1) | 0;
    if (state.seq === 0) state.msecs++; // counter overflow: borrow the next millisecond
  }
  return v7({ msecs: state.msecs, seq: state.seq, random });
}
