import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderMarkdown } from './render-markdown.js';
import type { BenchReport } from './report-types.js';

/** Hand-written investigation notes kept beside the results and appended to every `latest.md`. */
export const INVESTIGATION_FILE = 'investigation.md';

/**
 * Writes `latest.json` and `latest.md` into `dir` (created if missing); returns both paths. When `dir` holds
 * {@link INVESTIGATION_FILE} (the analysis of missed targets, written by a person), it is appended to the
 * markdown after the generated tables.
 */
export async function writeReport(
  report: BenchReport,
  dir: string,
): Promise<{ json: string; markdown: string }> {
  await mkdir(dir, { recursive: true });
  const json = join(dir, 'latest.json');
  const markdown = join(dir, 'latest.md');
  const investigation = await readFile(join(dir, INVESTIGATION_FILE), 'utf8').catch(() => '');
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(
    markdown,
    investigation ? `${renderMarkdown(report)}\n${investigation.trimEnd()}\n` : renderMarkdown(report),
  );
  return { json, markdown };
}

/** Re-renders `latest.md` from the `latest.json` in `dir` (plus the investigation notes); returns its path. */
export async function rerenderReport(dir: string): Promise<string> {
  const report = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as BenchReport;
  return (await writeReport(report, dir)).markdown;
}
