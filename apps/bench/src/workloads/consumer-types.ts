/** The work a consumer runs per job: receives the decoded payload; must not throw. */
export type JobHandler = (payload: unknown) => void;

/** A running set of consumer loops. */
export interface ConsumerRun {
  /** Jobs handled and settled (acked / deleted) so far. */
  processed(): number;
  /** Resolves when `processed()` reaches `target` (rejects if a loop fails). */
  reached(target: number): Promise<void>;
  /** Stops every loop and waits for them (and their connections) to finish. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options shared by every consumer implementation. */
export interface ConsumerOptions {
  /** Concurrent loops. */
  loops: number;
  /** Jobs claimed per claim call. */
  claimBatch: number;
  /** Wait after an empty claim. */
  idlePollMs: number;
  handler: JobHandler;
}
