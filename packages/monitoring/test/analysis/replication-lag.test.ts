import { describe, expect, it } from 'vitest';
import { analyzeReplicationLag } from '../../src/index.js';

const running = { replicaId: 'replica-1', ioThreadRunning: true, sqlThreadRunning: true };

describe('analyzeReplicationLag', () => {
  it.each([
    [0, 'healthy'],
    [1000, 'healthy'],
    [1001, 'warning'],
    [5000, 'warning'],
    [5001, 'critical'],
    [null, 'error'],
  ] as const)('%s ms lag → %s', (lagMs, status) => {
    expect(analyzeReplicationLag({ ...running, lagMs }).status).toBe(status);
  });

  it.each([
    [false, true, /IO thread/],
    [true, false, /SQL thread/],
    [false, false, /IO thread/],
  ])('io %s, sql %s → error', (ioThreadRunning, sqlThreadRunning, message) => {
    const r = analyzeReplicationLag({ replicaId: 'r', lagMs: 0, ioThreadRunning, sqlThreadRunning });
    expect(r.status).toBe('error');
    expect(r.recommendation).toMatch(message);
  });

  it.each([
    [{ ...running, lagMs: -1 }, 'input.lagMs'],
    [{ ...running, lagMs: Number.NaN }, 'input.lagMs'],
    [{ ...running, lagMs: 0, ioThreadRunning: 'yes' }, 'input.ioThreadRunning'],
    [{ ...running, lagMs: 0, replicaId: '' }, 'input.replicaId'],
  ])('rejects %o', (input, argument) => {
    expect(() => analyzeReplicationLag(input as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument }),
    );
  });
});
