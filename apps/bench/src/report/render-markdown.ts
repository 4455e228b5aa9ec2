import type { BenchReport, WorkloadResult, WorkloadUnit } from './report-types.js';

/** Formats a figure for a table cell: whole numbers for rates and sizes, two decimals for ms. */
export function formatFigure(value: number | null, unit: WorkloadUnit): string {
  if (value === null || !Number.isFinite(value)) return '—';
  if (unit === 'ms') return value.toFixed(value < 10 ? 2 : 1);
  if (unit === 'queries/s') return value.toFixed(1);
  return Math.round(value).toLocaleString('en-US');
}

function verdict(met: boolean | null): string {
  if (met === null) return '–';
  return met ? '✓' : '✗';
}

/** Escapes a cell so `|` and newlines cannot break the table. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function workloadRow(id: string, w: WorkloadResult): string {
  const comparison = w.baseline
    ? `${formatFigure(w.raw, w.unit)} (${w.baseline})`
    : formatFigure(w.raw, w.unit);
  const ratio = w.ratio === null ? '—' : w.ratio.toFixed(2);
  return `| ${cell(id)} | ${formatFigure(w.celers, w.unit)} | ${cell(comparison)} | ${w.unit} | ${ratio} | ${cell(w.target)} | ${verdict(w.met)} | ${cell(w.notes)} |`;
}

/** Orders workload ids naturally (W1 < W2 < W3 < W3r < W10), keeping sub-ids (W7.enqueue) together. */
export function compareWorkloadIds(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * Renders the report as markdown a person can read: machine and server tables, one workload table with
 * ✓/✗ per target, then the analysis notes.
 */
export function renderMarkdown(report: BenchReport): string {
  const { machine, server, run } = report;
  const lines: string[] = [
    '# celers benchmark results',
    '',
    `Run: ${run.mode} mode, scale ${run.scale}, started ${run.startedAt}, took ${Math.round(run.durationSeconds)} s. Consumer: ${run.consumer}.`,
    '',
    '## Machine',
    '',
    '| cores | CPU | memory | platform | node |',
    '| --- | --- | --- | --- | --- |',
    `| ${machine.cores} | ${cell(machine.cpuModel)} | ${machine.memoryMb.toLocaleString('en-US')} MB | ${machine.platform} | ${machine.nodeVersion} |`,
    '',
    '## Server',
    '',
    `${server.flavour} ${server.version}`,
    '',
    '| setting | value |',
    '| --- | --- |',
    ...Object.entries(server.settings).map(([k, v]) => `| ${k} | ${v ?? '(not set)'} |`),
    '',
    '## Workloads',
    '',
    'Ratio is oriented so that higher is better: celers/raw for throughputs, raw/celers for latencies and counts.',
    '',
    '| workload | celers | raw / baseline | unit | ratio | target | met | notes |',
    '| --- | ---: | ---: | --- | ---: | --- | :---: | --- |',
    ...Object.keys(report.workloads)
      .sort(compareWorkloadIds)
      .map((id) => workloadRow(id, report.workloads[id] as WorkloadResult)),
    '',
  ];
  if (report.analysis.length > 0) lines.push('## Analysis', '', ...report.analysis.flatMap((a) => [a, '']));
  return `${lines.join('\n').trimEnd()}\n`;
}
