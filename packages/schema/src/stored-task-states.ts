import { TASK_STATES, type TaskState } from '@celers/core';
import { type RawBuilder, type SqlBool, sql } from 'kysely';

// A pending task is stored in one of two states (migration 0014, issue 17):
// - 'pending': due, or due within PROMOTE_AHEAD_MS. The claim reads only these.
// - 'scheduled': due later (a delay, a retry backoff, a chain link waiting for its parent). The claim never reads
//   them, so they cannot sit in front of due rows in the claim index, however many there are or however high
//   their priority. Promotion (broker-mysql queue/promote-scheduled.sql.ts) turns them into 'pending' shortly
//   before they are due.
// 'scheduled' is a storage detail: every public API reports these tasks as 'pending', and every filter or count
// by 'pending' must read both stored values. Use the helpers below, never a literal 'pending' in a state filter.

/** The stored state of a pending task not due within {@link PROMOTE_AHEAD_MS}. Never a public `TaskState`. */
export const SCHEDULED_STORED_STATE = 'scheduled';

/** The stored values of the public state `pending`: due (or nearly) first, then not yet due. */
export const PENDING_STORED_STATES = ['pending', SCHEDULED_STORED_STATE] as const;

/** The stored states of a live task (one that holds its dedup key): pending, scheduled, processing. */
export const LIVE_STORED_STATES = [...PENDING_STORED_STATES, 'processing'] as const;

/** A stored value of the public state `pending`. */
export type PendingStoredState = (typeof PENDING_STORED_STATES)[number];

/** A value of the `state` column: a public {@link TaskState} or `'scheduled'`. */
export type StoredTaskState = TaskState | typeof SCHEDULED_STORED_STATE;

/** Every value the `state` column may hold. */
export const STORED_TASK_STATES: readonly StoredTaskState[] = [...TASK_STATES, SCHEDULED_STORED_STATE];

/**
 * A task due more than this far ahead when it is written is stored as `'scheduled'`; promotion makes it
 * `'pending'` once it is due within this margin. Twice the promotion interval, so every task due within the next
 * second is already `'pending'` at any claim.
 */
export const PROMOTE_AHEAD_MS = 2_000;

/** How often one broker promotes a queue's scheduled tasks at most (its claims and idle polls trigger it). */
export const PROMOTE_INTERVAL_MS = 1_000;

/** The stored state of a new pending task that becomes due after `delayMs`. */
export function pendingStateForDelay(delayMs: number): PendingStoredState {
  return delayMs > PROMOTE_AHEAD_MS ? SCHEDULED_STORED_STATE : 'pending';
}

/**
 * The stored state of a new pending task due at `due`, judged by this host's clock (`now`). A skewed clock only
 * moves the promotion: the claim compares `scheduled_at` with the database clock either way.
 */
export function pendingStateForTime(due: Date, now: number = Date.now()): PendingStoredState {
  return pendingStateForDelay(due.getTime() - now);
}

/** The public state of a stored one (`'scheduled'` reads as `'pending'`). */
export function publicTaskState(stored: string): TaskState {
  return (stored === SCHEDULED_STORED_STATE ? 'pending' : stored) as TaskState;
}

/** The stored values that a filter on the public `state` must match. */
export function storedStatesOf(state: TaskState): readonly StoredTaskState[] {
  return state === 'pending' ? PENDING_STORED_STATES : [state];
}

/**
 * `<column> IN (…stored values of state…)`: the SQL of a filter on a public state, e.g. `stateIs('pending')`
 * is `state IN ('pending', 'scheduled')`. `column` is a column reference such as `state` or `t.state`.
 */
export function stateIs(state: TaskState, column = 'state'): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(column)} IN (${sql.join(storedStatesOf(state).map((s) => sql.lit(s)))})`;
}

/** `CASE WHEN <column> = 'scheduled' THEN 'pending' ELSE <column> END`: the public state in SQL (GROUP BY). */
export function publicStateSql(column = 'state'): RawBuilder<TaskState> {
  const ref = sql.ref(column);
  return sql<TaskState>`CASE WHEN ${ref} = ${sql.lit(SCHEDULED_STORED_STATE)} THEN 'pending' ELSE ${ref} END`;
}

// `celers_live_tasks.run_phase` (migration 0016): the stored state coarsened so that a claim (pending →
// processing) does not change it. The per-name index is keyed on it instead of `state`, so InnoDB leaves that
// index untouched at claim (it rewrites a secondary index entry only when one of its key values changes).
// Readers that key on it still filter `state` on the rows they walk.

/** `run_phase` of a pending (due) or processing task: one value for both, so a claim leaves it unchanged. */
export const RUNNABLE_PHASE = 'R';
/** `run_phase` of a `'scheduled'` task. */
export const SCHEDULED_PHASE = 'S';
/** `run_phase` of every other state: completed (until archived), failed, cancelled. */
export const FINISHED_PHASE = 'F';
