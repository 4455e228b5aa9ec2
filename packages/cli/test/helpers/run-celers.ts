// Runs the BUILT celers binary as a child process, the way a user or a script would.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './build-packages.js';

/** Path of the built binary. */
export const CELERS_BIN = join(REPO_ROOT, 'packages/cli/dist/bin.js');

/** What one run of the binary produced. */
export interface CelersRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `celers <args>` with `env` added to the environment (no TTY: stdin is a closed pipe). */
export function runCelers(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 30_000,
): Promise<CelersRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CELERS_BIN, ...args], {
      env: { ...process.env, CELERS_DATABASE_URL: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdin.end();
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Parses the single JSON line a `--json` command prints. */
export function jsonOf<T>(run: CelersRun): T {
  if (run.code !== 0) throw new Error(`celers exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}
