/** What a workload's figure measures. Throughputs are "higher is better"; ms, queries/s and MB are "lower". */
export type WorkloadUnit = 'jobs/s' | 'ms' | 'queries/s' | 'MB';

/** One workload's line in `apps/bench/results/latest.json`. */
export interface WorkloadResult {
  /** celers' figure (through its public API). */
  celers: number;
  /**
   * The comparison figure: the raw mysql2 baseline for W1–W4 and W7, or the small case (W5/W6) or the
   * 10% mark (W8) when the target compares celers with itself; `baseline` says which. `null` when none exists.
   */
  raw: number | null;
  unit: WorkloadUnit;
  /** Higher is better everywhere: celers/raw for throughputs, raw/celers for latencies, queries and memory. */
  ratio: number | null;
  /** The goal in words, e.g. `≥ 0.9 × raw`, or `none (informational)`. */
  target: string;
  /** Whether the goal was met; `null` for informational workloads. */
  met: boolean | null;
  notes: string;
  /** What `raw` is when it is not the raw mysql2 baseline. */
  baseline?: string;
}

/** The machine the run used. */
export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryMb: number;
  platform: string;
  nodeVersion: string;
}

/** The server the run used, with the settings that change results. */
export interface ServerInfo {
  flavour: 'mysql' | 'mariadb';
  version: string;
  /** `innodb_flush_log_at_trx_commit`, `sync_binlog`, `innodb_buffer_pool_size`, isolation, `log_bin`. */
  settings: Record<string, string | null>;
}

/** The whole `apps/bench/results/latest.json` document. */
export interface BenchReport {
  machine: MachineInfo;
  server: ServerInfo;
  run: {
    mode: 'quick' | 'full';
    scale: number;
    startedAt: string;
    durationSeconds: number;
    /** How drain/latency workloads consumed: the `@celers/worker` Worker, or broker-level loops. */
    consumer: string;
  };
  workloads: Record<string, WorkloadResult>;
  /** Free-form investigation notes (EXPLAIN output, status counter deltas), rendered under the tables. */
  analysis: string[];
}
