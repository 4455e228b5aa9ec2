import type { TaskId } from '@celers/core';
import type { BrokerContext } from '../broker-context.js';
import type { ExportNdjsonOptions, ExportTasksOptions, ImportTasksOptions } from './export-format.js';
import { generateLoad, type LoadGenerationOptions } from './load-generation.js';
import { exportDlq, exportTasks, exportTasksNdjson } from './task-export.js';
import { importTasks } from './task-import.js';

/**
 * `broker.transfer`: JSON export and import of tasks and DLQ entries (the seed's Bulk Import/Export), for
 * backups, migrations between databases and analysis.
 *
 * @example
 * ```ts
 * import { createWriteStream } from 'node:fs';
 *
 * const target = await MysqlBroker.connect({ url: process.env.STAGING_DATABASE_URL!, queue: 'emails' });
 * const json = await broker.transfer.exportTasks({ state: 'pending' });
 * const imported = await target.transfer.importTasks(json, { skipExisting: true });
 * // larger than memory:
 * const out = createWriteStream('emails-tasks.ndjson');
 * for await (const line of broker.transfer.exportTasksNdjson()) out.write(line);
 * ```
 */
export class TransferFacet {
  readonly #ctx: BrokerContext;

  /** @internal */
  constructor(ctx: BrokerContext) {
    this.#ctx = ctx;
  }

  /** Exports tasks (all columns, payload in base64) as a JSON document; default limit 10,000. */
  async exportTasks(options?: ExportTasksOptions): Promise<string> {
    return exportTasks(this.#ctx, options);
  }

  /** Exports DLQ entries as a JSON document; default limit 10,000. */
  async exportDlq(options?: { limit?: number }): Promise<string> {
    return exportDlq(this.#ctx, options);
  }

  /** Streams every task as NDJSON lines (keyset pages by id), for exports larger than memory. */
  exportTasksNdjson(options?: ExportNdjsonOptions): AsyncIterable<string> {
    return exportTasksNdjson(this.#ctx, options);
  }

  /** Imports an export into this queue in one transaction; returns tasks imported. */
  async importTasks(json: string, options?: ImportTasksOptions): Promise<number> {
    return importTasks(this.#ctx, json, options);
  }

  /** Enqueues synthetic tasks with random payloads tagged `metadata.load_test = true`; returns their ids. */
  async generateLoad(options: LoadGenerationOptions): Promise<TaskId[]> {
    return generateLoad(this.#ctx, options);
  }
}
