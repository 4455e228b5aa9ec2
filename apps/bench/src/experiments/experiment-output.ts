import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { machineInfo } from '../env/machine-info.js';
import type { ServerInfo } from '../report/report-types.js';

/** What an experiment hands back: a markdown body and its raw figures. */
export interface ExperimentResult {
  title: string;
  markdown: string;
  data: unknown;
}

/** Writes `<outDir>/experiments/<id>.{md,json}` with the machine and server header; returns the md path. */
export async function writeExperiment(
  outDir: string,
  id: string,
  server: ServerInfo,
  result: ExperimentResult,
): Promise<string> {
  const dir = join(outDir, 'experiments');
  await mkdir(dir, { recursive: true });
  const machine = machineInfo();
  const header = [
    `# ${result.title}`,
    '',
    `Measured ${new Date().toISOString()} on ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryMb} MB, node ${machine.nodeVersion}; ${server.flavour} ${server.version}, innodb_flush_log_at_trx_commit=${server.settings.innodb_flush_log_at_trx_commit}, innodb_buffer_pool_size=${server.settings.innodb_buffer_pool_size}. The machine was shared with other work: treat differences under ~20% as noise.`,
    '',
  ].join('\n');
  const md = join(dir, `${id}.md`);
  await writeFile(md, `${header}\n${result.markdown.trimEnd()}\n`);
  await writeFile(
    join(dir, `${id}.json`),
    `${JSON.stringify({ machine, server, data: result.data }, null, 2)}\n`,
  );
  return md;
}

/** Renders rows as a markdown table. */
export function markdownTable(
  columns: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number>>,
): string {
  return [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}
