import { createInterface } from 'node:readline/promises';
import { CelersError } from '@celers/core';
import type { CliIo } from '../output/cli-output.js';

/**
 * Asks `question` (y/N) before a destructive command. `--yes` skips the question; without a terminal on
 * stdin there is nobody to ask, so the command refuses (`INVALID_ARGUMENT` naming `--yes`) rather than
 * destroy data unattended.
 */
export async function confirmDestructive(io: CliIo, question: string, yes: boolean): Promise<boolean> {
  if (yes) return true;
  if (!io.stdin.isTTY) {
    throw CelersError.invalidArgument(
      '--yes',
      `refusing to ${question} without a terminal to confirm on; pass --yes`,
    );
  }
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(`${question}? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
