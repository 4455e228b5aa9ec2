import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  analyzeConnectionPoolHealth,
  analyzePageFill,
  analyzeTableBloat,
  assertReadOnlySelect,
  calculateAlertThresholds,
  calculateSlaCompliance,
  estimateOperationalCost,
  forecastCapacity,
} from '../src/index.js';

const invalidArgument = (argument?: string) =>
  expect.objectContaining({ code: 'INVALID_ARGUMENT', ...(argument === undefined ? {} : { argument }) });

/** Numbers no count or amount may take. */
const badNumber = fc.oneof(
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.constant(Number.NEGATIVE_INFINITY),
  fc.double({ max: -1e-9, noNaN: true }),
);

describe('assertReadOnlySelect', () => {
  it('refuses anything that does not start with SELECT', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^\s*select\s/i.test(s)),
        (text) => {
          expect(() => assertReadOnlySelect(text)).toThrow(invalidArgument('sql'));
        },
      ),
    );
  });

  it('refuses a second statement or a locking clause wherever it appears', () => {
    const poison = fc.constantFrom(
      '; DELETE FROM celers_tasks',
      ' FOR UPDATE',
      ' for  share',
      ' LOCK IN SHARE MODE',
      ' INTO @x',
      ' /*! x */',
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40 }),
        poison,
        fc.string({ maxLength: 40 }),
        (before, bad, after) => {
          expect(() => assertReadOnlySelect(`SELECT 1 ${before}${bad} ${after}`)).toThrow(
            invalidArgument('sql'),
          );
        },
      ),
    );
  });
});

describe('pure analysis functions reject bad numbers', () => {
  it('estimateOperationalCost', () => {
    const fields = ['storageGb', 'iops', 'egressGbPerDay', 'messagesPerDay'] as const;
    fc.assert(
      fc.property(fc.constantFrom(...fields), badNumber, (field, value) => {
        const input = { storageGb: 1, iops: 1, egressGbPerDay: 1, messagesPerDay: 1, [field]: value };
        expect(() => estimateOperationalCost(input)).toThrow(invalidArgument(`input.${field}`));
      }),
    );
  });

  it('calculateSlaCompliance', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 10 }), badNumber, fc.nat({ max: 10 }), (good, bad, at) => {
        const times = [...good];
        times.splice(Math.min(at, times.length), 0, bad);
        expect(() => calculateSlaCompliance({ processingTimesMs: times, slaThresholdMs: 10 })).toThrow(
          invalidArgument(),
        );
      }),
    );
  });

  it('calculateAlertThresholds, forecastCapacity, analyzeTableBloat, analyzePageFill, analyzeConnectionPoolHealth', () => {
    fc.assert(
      fc.property(badNumber, (bad) => {
        expect(() =>
          calculateAlertThresholds({ avgQueueSize: bad, maxQueueSize: 1, targetLagMs: 1 }),
        ).toThrow(invalidArgument('input.avgQueueSize'));
        expect(() =>
          forecastCapacity({
            currentLoadPerHour: bad,
            growthRatePercentPerMonth: 0,
            horizonDays: 1,
            currentWorkers: 1,
            processingRatePerWorkerPerHour: 1,
          }),
        ).toThrow(invalidArgument('input.currentLoadPerHour'));
        expect(() =>
          analyzeTableBloat({ tableName: 't', totalSizeMb: bad, rowCount: 1, avgRowLengthBytes: 1 }),
        ).toThrow(invalidArgument('input.totalSizeMb'));
        expect(() =>
          analyzePageFill({
            pageSizeBytes: 16_384,
            rows: 1,
            indexes: [{ indexName: 'PRIMARY', allocatedPages: bad, leafPages: 1 }],
          }),
        ).toThrow(invalidArgument('stats.indexes[0].allocatedPages'));
        expect(() =>
          analyzeConnectionPoolHealth({
            totalConnections: 1,
            activeConnections: 0,
            avgWaitTimeMs: bad,
            connectionFailures: 0,
          }),
        ).toThrow(invalidArgument('input.avgWaitTimeMs'));
      }),
    );
  });
});
