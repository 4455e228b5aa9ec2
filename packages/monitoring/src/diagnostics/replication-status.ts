import type { CelersDatabase } from '@celers/schema';
import { isUnavailableError, toCelersError } from '@celers/schema';
import { type Kysely, sql } from 'kysely';
import {
  analyzeReplicationLag,
  type ReplicaStatus,
  type ReplicationLagAnalysis,
} from '../analysis/replication-lag.js';
import { toNullableNumber } from '../internal/numbers.js';

/** One replication channel of this server. */
export interface ReplicaChannel extends ReplicationLagAnalysis {
  /** Channel (MySQL) or connection (MariaDB multi-source) name; `''` for the default one. */
  channel: string;
  sourceHost: string | null;
  ioThreadRunning: boolean;
  sqlThreadRunning: boolean;
  lastError: string | null;
}

/** Result of `replicationLag()`. */
export type ReplicationStatus =
  | {
      isReplica: true;
      status: ReplicaStatus /** Worst lag over the channels (ms). */;
      lagMs: number | null;
      channels: ReplicaChannel[];
    }
  | { isReplica: false; status: 'not a replica' }
  | { isReplica: null; status: 'unknown'; reason: string };

const SEVERITY: Record<ReplicaStatus, number> = { healthy: 0, warning: 1, critical: 2, error: 3 };
const ER_PARSE_ERROR = 1064;

/**
 * Maps one `SHOW REPLICA STATUS` (MySQL 8.0.22+ / MariaDB 10.5+) or `SHOW SLAVE STATUS` row: both the
 * Source/Replica and the Master/Slave column names are understood.
 * @internal
 */
export function toReplicaChannel(row: Record<string, unknown>): ReplicaChannel {
  const pick = (...keys: string[]) =>
    keys.map((k) => row[k]).find((v) => v !== undefined && v !== null && v !== '');
  const seconds = toNullableNumber(pick('Seconds_Behind_Source', 'Seconds_Behind_Master'));
  const io = String(pick('Replica_IO_Running', 'Slave_IO_Running') ?? 'No') === 'Yes';
  const sqlRunning = String(pick('Replica_SQL_Running', 'Slave_SQL_Running') ?? 'No') === 'Yes';
  const host = pick('Source_Host', 'Master_Host');
  const port = pick('Source_Port', 'Master_Port');
  const channel = String(pick('Channel_Name', 'Connection_name') ?? '');
  const lastError = pick('Last_IO_Error', 'Last_SQL_Error', 'Last_Error');
  const replicaId = channel || (host ? `${host}${port ? `:${port}` : ''}` : 'default');
  return {
    ...analyzeReplicationLag({
      replicaId,
      lagMs: seconds === null ? null : seconds * 1000,
      ioThreadRunning: io,
      sqlThreadRunning: sqlRunning,
    }),
    channel,
    sourceHost: host === undefined ? null : String(host),
    ioThreadRunning: io,
    sqlThreadRunning: sqlRunning,
    lastError: lastError === undefined ? null : String(lastError),
  };
}

/** Summarises channels: the worst status and the largest lag. @internal */
export function summarizeReplication(rows: ReadonlyArray<Record<string, unknown>>): ReplicationStatus {
  if (rows.length === 0) return { isReplica: false, status: 'not a replica' };
  const channels = rows.map(toReplicaChannel);
  const worst = channels.reduce((a, b) => (SEVERITY[b.status] > SEVERITY[a.status] ? b : a));
  const lags = channels.map((c) => c.lagMs);
  const lagMs = lags.includes(null) ? null : Math.max(...(lags as number[]));
  return { isReplica: true, status: worst.status, lagMs, channels };
}

/**
 * Reads replica status with `SHOW REPLICA STATUS`, falling back to `SHOW SLAVE STATUS` on servers that do
 * not know the newer syntax. Missing privileges (REPLICATION CLIENT / SLAVE MONITOR) give `status: 'unknown'`.
 * @internal
 */
export async function readReplicationStatus(db: Kysely<CelersDatabase>): Promise<ReplicationStatus> {
  let rows: Record<string, unknown>[];
  try {
    rows = await showStatus(db, 'REPLICA');
  } catch (error) {
    if (isUnavailableError(error)) throw toCelersError(error, 'replicationLag');
    if ((error as { errno?: number }).errno !== ER_PARSE_ERROR) return unknown(error);
    try {
      rows = await showStatus(db, 'SLAVE');
    } catch (fallbackError) {
      if (isUnavailableError(fallbackError)) throw toCelersError(fallbackError, 'replicationLag');
      return unknown(fallbackError);
    }
  }
  return summarizeReplication(rows);
}

async function showStatus(
  db: Kysely<CelersDatabase>,
  keyword: 'REPLICA' | 'SLAVE',
): Promise<Record<string, unknown>[]> {
  const statement = keyword === 'REPLICA' ? sql`SHOW REPLICA STATUS` : sql`SHOW SLAVE STATUS`;
  return (await statement.execute(db)).rows as Record<string, unknown>[];
}

function unknown(error: unknown): ReplicationStatus {
  const e = error as { sqlMessage?: string; message?: string };
  return { isReplica: null, status: 'unknown', reason: e?.sqlMessage ?? e?.message ?? String(error) };
}
