import { assertName } from '@celers/core';
import { assertBoolean, assertNonNegative, assertObject } from '../internal/validate-input.js';

/** Replica status: `error` when a replication thread is stopped or the lag is unknown, else by lag. */
export type ReplicaStatus = 'healthy' | 'warning' | 'critical' | 'error';

/** Inputs of {@link analyzeReplicationLag}. */
export interface ReplicationLagInput {
  replicaId: string;
  /** Lag behind the primary (ms); `null` when the server does not know (`Seconds_Behind_Source` is NULL). */
  lagMs: number | null;
  ioThreadRunning: boolean;
  sqlThreadRunning: boolean;
}

/** The seed's `ReplicationLag`. */
export interface ReplicationLagAnalysis {
  replicaId: string;
  lagMs: number | null;
  status: ReplicaStatus;
  recommendation: string;
}

/** Lag above which a replica is `warning` (ms). */
export const REPLICA_LAG_WARNING_MS = 1000;
/** Lag above which a replica is `critical` (ms). */
export const REPLICA_LAG_CRITICAL_MS = 5000;

/**
 * Classifies a replica: healthy ≤ 1 s, warning ≤ 5 s, critical above, error when a thread is down.
 *
 * @example
 * ```ts
 * analyzeReplicationLag({ replicaId: 'replica-1', lagMs: 500, ioThreadRunning: true, sqlThreadRunning: true }).status; // 'healthy'
 * ```
 */
export function analyzeReplicationLag(input: ReplicationLagInput): ReplicationLagAnalysis {
  const given = assertObject(input, 'input');
  const replicaId = assertName(given.replicaId, 'input.replicaId');
  const lagMs = given.lagMs === null ? null : assertNonNegative(given.lagMs, 'input.lagMs');
  const io = assertBoolean(given.ioThreadRunning, 'input.ioThreadRunning');
  const sqlThread = assertBoolean(given.sqlThreadRunning, 'input.sqlThreadRunning');
  let status: ReplicaStatus;
  let recommendation: string;
  if (!io || !sqlThread) {
    status = 'error';
    recommendation = `Replication ${!io ? 'IO' : 'SQL'} thread is not running: check the replica's error log and Last_Error.`;
  } else if (lagMs === null) {
    status = 'error';
    recommendation = 'Replication lag is unknown: the replica is not applying events from its source.';
  } else if (lagMs > REPLICA_LAG_CRITICAL_MS) {
    status = 'critical';
    recommendation =
      'Replica is far behind: route reads to the primary and check replica load and parallel apply settings.';
  } else if (lagMs > REPLICA_LAG_WARNING_MS) {
    status = 'warning';
    recommendation = 'Replica is lagging: avoid reading just-written tasks from it.';
  } else {
    status = 'healthy';
    recommendation = 'Replica is in sync.';
  }
  return { replicaId, lagMs, status, recommendation };
}
