import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareWorkloadIds, formatFigure, renderMarkdown } from '../src/report/render-markdown.js';
import type { BenchReport } from '../src/report/report-types.js';
import { evaluateWorkload } from '../src/report/targets.js';
import { rerenderReport, writeReport } from '../src/report/write-report.js';

function sampleReport(): BenchReport {
  return {
    machine: { cores: 2, cpuModel: 'Test CPU', memoryMb: 4096, platform: 'linux 6', nodeVersion: 'v20.0.0' },
    server: {
      flavour: 'mariadb',
      version: '10.11.19-MariaDB',
      settings: { innodb_flush_log_at_trx_commit: '1', sync_binlog: '0', transaction_isolation: null },
    },
    run: {
      mode: 'quick',
      scale: 1,
      startedAt: '2026-01-01T00:00:00.000Z',
      durationSeconds: 12.3,
      consumer: 'Worker',
    },
    workloads: {
      W3r: evaluateWorkload({
        celers: 900,
        raw: 1000,
        unit: 'jobs/s',
        target: { kind: 'ratio-at-least', min: 1 },
      }),
      W10: evaluateWorkload({ celers: 1, raw: null, unit: 'ms', target: { kind: 'none' } }),
      W1: evaluateWorkload({
        celers: 950,
        raw: 1000,
        unit: 'jobs/s',
        target: { kind: 'ratio-at-least', min: 0.9 },
        notes: 'a | b',
      }),
      'W4.p50': evaluateWorkload({ celers: 4.321, raw: 5, unit: 'ms', target: { kind: 'at-most', max: 10 } }),
      W3: evaluateWorkload({
        celers: 1200,
        raw: 1000,
        unit: 'jobs/s',
        target: { kind: 'ratio-at-least', min: 1.5 },
      }),
    },
    analysis: ['**W3** missed: see EXPLAIN.'],
  };
}

describe('JSON shape', () => {
  it('has machine, server and workloads with celers/raw/unit/ratio/target/met/notes', () => {
    const json = JSON.parse(JSON.stringify(sampleReport())) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(expect.arrayContaining(['machine', 'server', 'workloads']));
    const w1 = (json.workloads as Record<string, Record<string, unknown>>).W1;
    expect(Object.keys(w1 ?? {}).sort()).toEqual([
      'celers',
      'met',
      'notes',
      'ratio',
      'raw',
      'target',
      'unit',
    ]);
    expect(w1).toMatchObject({ celers: 950, raw: 1000, unit: 'jobs/s', ratio: 0.95, met: true });
  });
});

describe('renderMarkdown', () => {
  const md = renderMarkdown(sampleReport());

  it('shows ✓ for met targets, ✗ for missed ones and – for informational ones', () => {
    expect(md).toMatch(/\| W1 \| 950 \| 1,000 \| jobs\/s \| 0\.95 \| ≥ 0\.9 × raw \| ✓ \|/);
    expect(md).toMatch(/\| W3 \| 1,200 \| 1,000 \| jobs\/s \| 1\.20 \| ≥ 1\.5 × raw \| ✗ \|/);
    expect(md).toMatch(/\| W10 \| 1\.00 \| — \| ms \| — \| none \(informational\) \| – \|/);
    expect(md).toMatch(/\| W4\.p50 \| 4\.32 \| 5\.00 \| ms \| 1\.16 \| ≤ 10 ms \| ✓ \|/);
  });

  it('orders workloads naturally and escapes pipes in notes', () => {
    const ids = [...md.matchAll(/^\| (W[\w.]+) \|/gm)].map((m) => m[1]);
    expect(ids).toEqual(['W1', 'W3', 'W3r', 'W4.p50', 'W10']);
    expect(md).toContain('a \\| b');
  });

  it('records the machine, the server settings and the analysis', () => {
    expect(md).toContain('| 2 | Test CPU | 4,096 MB | linux 6 | v20.0.0 |');
    expect(md).toContain('mariadb 10.11.19-MariaDB');
    expect(md).toContain('| innodb_flush_log_at_trx_commit | 1 |');
    expect(md).toContain('| transaction_isolation | (not set) |');
    expect(md).toContain('## Analysis');
    expect(md).toContain('**W3** missed: see EXPLAIN.');
  });
});

describe('formatting helpers', () => {
  it('formats each unit', () => {
    expect(formatFigure(12345.6, 'jobs/s')).toBe('12,346');
    expect(formatFigure(4.3219, 'ms')).toBe('4.32');
    expect(formatFigure(31.44, 'ms')).toBe('31.4');
    expect(formatFigure(9.04, 'queries/s')).toBe('9.0');
    expect(formatFigure(null, 'MB')).toBe('—');
    expect(formatFigure(Number.POSITIVE_INFINITY, 'MB')).toBe('—');
  });

  it('compares ids numerically', () => {
    expect(['W10', 'W2', 'W1', 'W3r', 'W3'].sort(compareWorkloadIds)).toEqual([
      'W1',
      'W2',
      'W3',
      'W3r',
      'W10',
    ]);
  });
});

describe('writeReport', () => {
  it('writes latest.json and latest.md into a new directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'celers-bench-'));
    try {
      const out = join(dir, 'nested');
      const paths = await writeReport(sampleReport(), out);
      expect(JSON.parse(await readFile(paths.json, 'utf8'))).toEqual(
        JSON.parse(JSON.stringify(sampleReport())),
      );
      expect(await readFile(paths.markdown, 'utf8')).toBe(renderMarkdown(sampleReport()));
      // A hand-written investigation beside the results is appended after the generated tables.
      await writeFile(join(out, 'investigation.md'), '## Investigation\n\nW3 misses because …\n');
      await writeReport(sampleReport(), out);
      expect(await readFile(paths.markdown, 'utf8')).toBe(
        `${renderMarkdown(sampleReport())}\n## Investigation\n\nW3 misses because …\n`,
      );
      // --render rebuilds latest.md from latest.json after the notes change.
      await writeFile(join(out, 'investigation.md'), '## Investigation\n\nrevised\n');
      expect(await rerenderReport(out)).toBe(paths.markdown);
      expect(await readFile(paths.markdown, 'utf8')).toBe(
        `${renderMarkdown(sampleReport())}\n## Investigation\n\nrevised\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
