import { formatDuration } from '../internal/duration-option.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Redraw period of the spinner. */
export const PROGRESS_INTERVAL_MS = 120;
/** Period of the plain progress lines written when stderr is not a terminal (only long runs print any). */
export const PLAIN_PROGRESS_INTERVAL_MS = 5_000;
const BAR_WIDTH = 24;

/** Where a long operation stands. */
export interface ProgressState {
  label: string;
  /** Items done so far, when counted. */
  done: number | undefined;
  /** Items expected, when known up front. */
  total: number | undefined;
  elapsedMs: number;
}

/** A duration rounded to whole seconds: `0s`, `45s`, `1m30s`. */
function wholeSeconds(ms: number): string {
  const rounded = Math.round(ms / 1000) * 1000;
  return rounded === 0 ? '0s' : formatDuration(rounded);
}

/**
 * One progress line: `exporting tasks [######------] 450/1000 45% 3s ETA 4s` when the total is known, else
 * `exporting tasks 450 (3s)`. The ETA extrapolates the rate so far.
 */
export function formatProgress({ label, done, total, elapsedMs }: ProgressState): string {
  const elapsed = wholeSeconds(elapsedMs);
  if (total === undefined || total <= 0 || done === undefined)
    return `${label}${done === undefined ? '' : ` ${done}`}${total ? ` of ${total}` : ''} (${elapsed})`;
  const ratio = Math.min(1, done / total);
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`;
  const etaMs = done > 0 ? (elapsedMs / done) * (total - done) : undefined;
  const eta = etaMs === undefined ? 'ETA ?' : `ETA ${wholeSeconds(etaMs)}`;
  return `${label} ${bar} ${done}/${total} ${Math.floor(ratio * 100)}% ${elapsed} ${eta}`;
}

/**
 * Progress on stderr for long imports, exports, purges and requeues: on a terminal a redrawn line (a bar with
 * count, percent and ETA once {@link ProgressIndicator.setTotal} is known, else a spinner with a count); when
 * stderr is not a terminal, a plain line every {@link PLAIN_PROGRESS_INTERVAL_MS} (none for short runs), so
 * piped output and logs stay readable.
 *
 * @example
 * ```ts
 * const progress = new ProgressIndicator('exporting tasks', process.stderr);
 * progress.update(500);
 * progress.stop('exported 500 tasks');
 * ```
 * @internal the CLI's own output; not exported from the package
 */
export class ProgressIndicator {
  readonly #stream: NodeJS.WritableStream & { isTTY?: boolean };
  readonly #label: string;
  readonly #started = Date.now();
  readonly #timer: NodeJS.Timeout | undefined;
  readonly #tty: boolean;
  #frame = 0;
  #count: number | undefined;
  #total: number | undefined;

  constructor(label: string, stream: NodeJS.WritableStream & { isTTY?: boolean }) {
    this.#label = label;
    this.#stream = stream;
    this.#tty = stream.isTTY === true;
    this.#timer = this.#tty
      ? setInterval(() => this.#draw(), PROGRESS_INTERVAL_MS)
      : setInterval(() => this.#stream.write(`${this.#line()}\n`), PLAIN_PROGRESS_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Records how many items the operation will handle, turning the spinner into a bar with percent and ETA. */
  setTotal(total: number): void {
    this.#total = total;
  }

  /** Records how many items are done so far. */
  update(count: number): void {
    this.#count = count;
  }

  /** Clears the spinner line; on a terminal, prints `finalText` in its place. */
  stop(finalText?: string): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    if (!this.#tty) return;
    this.#stream.write('\r\x1b[2K');
    if (finalText) this.#stream.write(`${finalText}\n`);
  }

  #line(): string {
    return formatProgress({
      label: this.#label,
      done: this.#count,
      total: this.#total,
      elapsedMs: Date.now() - this.#started,
    });
  }

  #draw(): void {
    const frame = FRAMES[this.#frame++ % FRAMES.length];
    this.#stream.write(`\r\x1b[2K${frame} ${this.#line()}`);
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
