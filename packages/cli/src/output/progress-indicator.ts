const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Redraw period of the spinner. */
export const PROGRESS_INTERVAL_MS = 120;

/**
 * A one-line spinner with a count and elapsed time on stderr, for long imports, exports and purges. It
 * draws only when stderr is a terminal, so piped output and logs stay clean.
 *
 * @example
 * ```ts
 * const progress = new ProgressIndicator('exporting tasks', process.stderr);
 * progress.update(500);
 * progress.stop('exported 500 tasks');
 * ```
 */
export class ProgressIndicator {
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #label: string;
  readonly #started = Date.now();
  readonly #timer: NodeJS.Timeout | undefined;
  #frame = 0;
  #count: number | undefined;

  constructor(label: string, stream: NodeJS.WritableStream & { isTTY?: boolean }) {
    this.#label = label;
    this.#stream = stream;
    if (stream.isTTY) {
      this.#timer = setInterval(() => this.#draw(), PROGRESS_INTERVAL_MS);
      this.#timer.unref();
    }
  }

  /** Records how many items are done so far. */
  update(count: number): void {
    this.#count = count;
  }

  /** Clears the spinner line; on a terminal, prints `finalText` in its place. */
  stop(finalText?: string): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#stream.write('\r\x1b[2K');
    if (finalText) this.#stream.write(`${finalText}\n`);
  }

  #draw(): void {
    const frame = FRAMES[this.#frame++ % FRAMES.length];
    const count = this.#count === undefined ? '' : ` ${this.#count}`;
    const seconds = ((Date.now() - this.#started) / 1000).toFixed(1);
    this.#stream.write(`\r\x1b[2K${frame} ${this.#label}${count} (${seconds}s)`);
  }
}

/** Runs `work` under a {@link ProgressIndicator}, stopping it whether `work` succeeds or fails. */
export async function withProgress<T>(
  label: string,
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  work: (progress: ProgressIndicator) => Promise<T>,
): Promise<T> {
  const progress = new ProgressIndicator(label, stream);
  try {
    return await work(progress);
  } finally {
    progress.stop();
  }
}
