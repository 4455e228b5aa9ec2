import { CelersError } from '@celers/core';
import { assertCount, assertNonNegative, assertObject } from '../internal/validate-input.js';

/** Pool status: `critical` above 90 % utilization or 100 ms average wait, `warning` above 70 % or 50 ms. */
export type PoolHealthStatus = 'healthy' | 'warning' | 'critical';

/** Inputs of {@link analyzeConnectionPoolHealth}. */
export interface ConnectionPoolHealthInput {
  /** Pool capacity (maximum connections). */
  totalConnections: number;
  /** Connections in use (≤ total). */
  activeConnections: number;
  /** Average time to acquire a connection (ms). */
  avgWaitTimeMs: number;
  /** Failed connection attempts in the period. */
  connectionFailures: number;
}

/** The seed's `ConnectionPoolHealth`. */
export interface ConnectionPoolHealth {
  totalConnections: number;
  activeConnections: number;
  idleConnections: number;
  utilizationPercent: number;
  avgWaitTimeMs: number;
  connectionFailures: number;
  status: PoolHealthStatus;
  recommendations: string[];
}

/**
 * Judges pool occupancy and acquire latency, with sizing advice.
 *
 * @example
 * ```ts
 * analyzeConnectionPoolHealth({ totalConnections: 20, activeConnections: 15, avgWaitTimeMs: 20, connectionFailures: 0 }).status;
 * // 'warning' (75 % utilization)
 * ```
 */
export function analyzeConnectionPoolHealth(input: ConnectionPoolHealthInput): ConnectionPoolHealth {
  const given = assertObject(input, 'input');
  const total = assertCount(given.totalConnections, 'input.totalConnections');
  const active = assertCount(given.activeConnections, 'input.activeConnections');
  if (active > total) {
    throw CelersError.invalidArgument(
      'input.activeConnections',
      `cannot exceed totalConnections (${active} > ${total})`,
    );
  }
  const avgWaitTimeMs = assertNonNegative(given.avgWaitTimeMs, 'input.avgWaitTimeMs');
  const failures = assertCount(given.connectionFailures, 'input.connectionFailures');
  const utilizationPercent = total > 0 ? (active / total) * 100 : 0;

  const status: PoolHealthStatus =
    utilizationPercent > 90 || avgWaitTimeMs > 100
      ? 'critical'
      : utilizationPercent > 70 || avgWaitTimeMs > 50
        ? 'warning'
        : 'healthy';
  const recommendations: string[] = [];
  if (utilizationPercent > 90)
    recommendations.push('Pool utilization is above 90 %: increase maxConnections.');
  if (avgWaitTimeMs > 100)
    recommendations.push('Connection waits above 100 ms: enlarge the pool or speed up queries.');
  if (failures > 0)
    recommendations.push(
      `${failures} connection failures: check the network and the server's max_connections.`,
    );
  if (utilizationPercent < 30 && total > 10)
    recommendations.push('Pool utilization below 30 %: a smaller pool would free server connections.');
  if (recommendations.length === 0) recommendations.push('Connection pool is healthy.');
  return {
    totalConnections: total,
    activeConnections: active,
    idleConnections: total - active,
    utilizationPercent,
    avgWaitTimeMs,
    connectionFailures: failures,
    status,
    recommendations,
  };
}
