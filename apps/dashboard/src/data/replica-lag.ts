import { DatabaseDiagnostics } from '@celers/monitoring';
import type { CelersKysely } from '../dashboard-options.js';

/** What the overview shows of the read replica: how far behind the primary its reads may be. */
export interface ReplicaLag {
  /** `true` on a replica, `false` when `readUrl` names a server that does not replicate, `null` when unknown. */
  isReplica: boolean | null;
  /**
   * On a replica `healthy`, `warning`, `critical` or `error` (not applying, so no lag figure); else
   * `not a replica`, or `unknown` (e.g. the user may not run `SHOW REPLICA STATUS`).
   */
  status: string;
  /** Lag behind the primary in ms (`Seconds_Behind_Master`); `null` when the server does not know. */
  lagMs: number | null;
}

/** Reads the replication lag of the read replica (`SHOW REPLICA STATUS`, through `DatabaseDiagnostics`). */
export async function readReplicaLag(readDb: CelersKysely): Promise<ReplicaLag> {
  const status = await new DatabaseDiagnostics({ database: readDb }).replicationLag();
  // Channels name source hosts and carry raw replication errors: the overview needs the lag only.
  return {
    isReplica: status.isReplica,
    status: status.status,
    lagMs: status.isReplica === true ? status.lagMs : null,
  };
}
