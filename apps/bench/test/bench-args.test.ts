import { describe, expect, it } from 'vitest';
import { DEFAULT_BENCH_DATABASE_URL, defaultWorkloads, parseBenchArgs } from '../src/cli/bench-args.js';
import { benchSizes } from '../src/cli/bench-sizes.js';

const OUT = '/repo/apps/bench/results';

describe('parseBenchArgs', () => {
  it('defaults to the quick run of every workload but the soak', () => {
    const args = parseBenchArgs([], {}, OUT);
    expect(args).toEqual({
      mode: 'quick',
      scale: 1,
      only: ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'W7', 'W9', 'W10'],
      url: DEFAULT_BENCH_DATABASE_URL,
      outDir: OUT,
      experiment: null,
      render: false,
      help: false,
    });
  });

  it('--full adds the soak, and pnpm’s leading -- is ignored', () => {
    const args = parseBenchArgs(['--', '--full'], {}, OUT);
    expect(args.mode).toBe('full');
    expect(args.only).toContain('W8');
    expect(defaultWorkloads('quick')).not.toContain('W8');
  });

  it('reads --scale, --only (any case and order, run order kept), --url, --out and --experiment', () => {
    const args = parseBenchArgs(
      [
        '--scale',
        '0.05',
        '--only',
        'w3, W1',
        '--url',
        'mysql://u@h:3306/x',
        '--out',
        '/tmp/o',
        '--experiment',
        'durability',
      ],
      {},
      OUT,
    );
    expect(args).toMatchObject({
      scale: 0.05,
      only: ['W1', 'W3'],
      url: 'mysql://u@h:3306/x',
      outDir: '/tmp/o',
      experiment: 'durability',
    });
  });

  it('resolves a relative --out against the directory pnpm was run from (INIT_CWD), not apps/bench', () => {
    expect(parseBenchArgs(['--out', 'results'], { INIT_CWD: '/repo' }, OUT).outDir).toBe('/repo/results');
  });

  it('takes the URL from CELERS_BENCH_DATABASE_URL when --url is absent', () => {
    expect(parseBenchArgs([], { CELERS_BENCH_DATABASE_URL: 'mysql://env@h/db' }, OUT).url).toBe(
      'mysql://env@h/db',
    );
  });

  it.each([
    [['--scale', '0'], /--scale/],
    [['--scale', '-1'], /--scale/],
    [['--scale', 'abc'], /--scale/],
    [['--scale', '11'], /--scale/],
    [['--only', 'W11'], /unknown workload "W11"/],
    [['--only', ','], /at least one/],
    [['--url', 'postgres://x/y'], /--url/],
    [['--url', 'not a url'], /--url/],
    [['--experiment', 'nope'], /unknown experiment/],
    [['--bogus'], /bogus/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseBenchArgs(argv, {}, OUT)).toThrow(message);
  });
});

describe('benchSizes', () => {
  it('uses the documented sizes at scale 1', () => {
    expect(benchSizes('quick', 1)).toMatchObject({
      singleEnqueue: 5_000,
      batchEnqueue: 50_000,
      drain: 50_000,
      latencyJobs: 2_000,
      backlogSmall: 1_000,
      backlogLarge: 200_000,
      historyTasks: 200_000,
      historyDlq: 20_000,
      celeryMessages: 2_000,
    });
    expect(benchSizes('full', 1)).toMatchObject({
      backlogLarge: 1_000_000,
      historyTasks: 1_000_000,
      historyDlq: 100_000,
      soakTasks: 1_000_000,
      celeryMessages: 20_000,
    });
  });

  it('scales every count down, never below a floor', () => {
    const s = benchSizes('quick', 0.001);
    expect(s.singleEnqueue).toBe(10);
    expect(s.backlogLarge).toBe(200);
    expect(s.opIterations).toBe(5);
  });
});
