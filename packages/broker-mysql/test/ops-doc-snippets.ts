// Helpers for the docs/operations tests (not a test file itself): extract the command blocks a page marks
// `<!-- tested: name -->` and run them with bash, so the documented commands are the tested ones.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Reads `docs/operations/<page>`. */
export function readOpsPage(page: string): string {
  return readFileSync(join(REPO_ROOT, 'docs/operations', page), 'utf8');
}

/** The fenced blocks that follow a `<!-- tested: name -->` line, by name. */
export function taggedBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const re = /<!-- tested: ([\w-]+) -->\n```[a-z]*\n([\s\S]*?)\n```/g;
  for (const m of markdown.matchAll(re)) blocks.set(m[1] as string, m[2] as string);
  return blocks;
}

/** The fenced code block whose info string is `lang` and that contains `marker`. */
export function codeBlock(markdown: string, lang: string, marker: string): string {
  const re = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\\n\`\`\``, 'g');
  for (const m of markdown.matchAll(re)) if ((m[1] as string).includes(marker)) return m[1] as string;
  throw new Error(`no ${lang} block containing ${marker}`);
}

/** Runs a documented block with `bash -euo pipefail` in `cwd`, with extra environment variables. */
export async function runBash(
  script: string,
  cwd: string,
  env: Record<string, string>,
): Promise<{ stdout: string; stderr: string }> {
  return run('bash', ['-euo', 'pipefail', '-c', script], {
    cwd,
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Writes a MySQL option file (`[client]` host/port/user/password) for a `mysql://` URL; returns its path. */
export function writeOptionFile(url: string, path: string): string {
  const u = new URL(url);
  const lines = [
    '[client]',
    `host=${u.hostname}`,
    `port=${u.port || '3306'}`,
    `user=${decodeURIComponent(u.username)}`,
  ];
  if (u.password) lines.push(`password=${decodeURIComponent(u.password)}`);
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  return path;
}
