import { describe, expect, it } from 'vitest';
import { analyzeConnectionPoolHealth } from '../../src/index.js';

describe('analyzeConnectionPoolHealth', () => {
  it.each([
    [100, 70, 0, 'healthy'],
    [100, 71, 0, 'warning'],
    [100, 90, 0, 'warning'],
    [100, 91, 0, 'critical'],
    [100, 10, 50, 'healthy'],
    [100, 10, 50.1, 'warning'],
    [100, 10, 100, 'warning'],
    [100, 10, 100.1, 'critical'],
    [0, 0, 0, 'healthy'],
  ] as const)(
    '%i total, %i active, %d ms wait → %s',
    (totalConnections, activeConnections, avgWaitTimeMs, status) => {
      const h = analyzeConnectionPoolHealth({
        totalConnections,
        activeConnections,
        avgWaitTimeMs,
        connectionFailures: 0,
      });
      expect(h.status).toBe(status);
      expect(h.idleConnections).toBe(totalConnections - activeConnections);
    },
  );

  it('explains what to change', () => {
    const h = analyzeConnectionPoolHealth({
      totalConnections: 20,
      activeConnections: 20,
      avgWaitTimeMs: 150,
      connectionFailures: 3,
    });
    expect(h.utilizationPercent).toBe(100);
    expect(h.recommendations).toHaveLength(3);
    expect(h.recommendations[2]).toContain('3 connection failures');
    const idle = analyzeConnectionPoolHealth({
      totalConnections: 50,
      activeConnections: 5,
      avgWaitTimeMs: 1,
      connectionFailures: 0,
    });
    expect(idle.recommendations[0]).toContain('below 30 %');
    const ok = analyzeConnectionPoolHealth({
      totalConnections: 10,
      activeConnections: 5,
      avgWaitTimeMs: 1,
      connectionFailures: 0,
    });
    expect(ok.recommendations).toEqual(['Connection pool is healthy.']);
  });

  it.each([
    [
      { totalConnections: 5, activeConnections: 6, avgWaitTimeMs: 0, connectionFailures: 0 },
      'input.activeConnections',
    ],
    [
      { totalConnections: -1, activeConnections: 0, avgWaitTimeMs: 0, connectionFailures: 0 },
      'input.totalConnections',
    ],
    [
      { totalConnections: 5, activeConnections: 1, avgWaitTimeMs: Number.NaN, connectionFailures: 0 },
      'input.avgWaitTimeMs',
    ],
    [
      { totalConnections: 5, activeConnections: 1, avgWaitTimeMs: 0, connectionFailures: 1.5 },
      'input.connectionFailures',
    ],
  ])('rejects %o', (input, argument) => {
    expect(() => analyzeConnectionPoolHealth(input)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });
});
