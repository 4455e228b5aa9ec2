/** The streams a CLI run writes to and reads from (the process's by default; tests may pass their own). */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
}

/**
 * Writes a command's result: with `--json`, the value as JSON on one line of stdout (for scripts and `jq`);
 * otherwise the human rendering. Notes (counts, hints) go to stderr so stdout stays parseable.
 */
export class CliOutput {
  readonly #io: CliIo;
  readonly json: boolean;

  constructor(io: CliIo, json: boolean) {
    this.#io = io;
    this.json = json;
  }

  /** Prints `value` as JSON, or `human()` as text. */
  result(value: unknown, human: () => string): void {
    this.#io.stdout.write(`${this.json ? JSON.stringify(value) : human()}\n`);
  }

  /** A line of commentary on stderr (never part of the result). */
  note(text: string): void {
    this.#io.stderr.write(`${text}\n`);
  }
}
