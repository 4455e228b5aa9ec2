import { CelersError } from '@celers/core';
import { migrate, verifyMigrations } from '@celers/schema';
import type { Command } from 'commander';
import { commandScope, withCommonOptions, withDatabase } from '../internal/command-runtime.js';
import type { CliIo } from '../output/cli-output.js';
import { formatDetails } from '../output/format-table.js';

/** `celers migrate` (apply pending migrations) and `celers verify` (check the schema, exit 1 when incomplete). */
export function registerMigrateCommands(program: Command, io: CliIo): void {
  withCommonOptions(program.command('migrate'))
    .description('apply pending schema migrations (safe to run concurrently: a lock serialises migrators)')
    .action(async (_opts: object, command: Command) => {
      const scope = commandScope(command, io);
      const applied = await withDatabase(scope, (db) => migrate(db));
      scope.out.result({ applied }, () =>
        applied.length === 0
          ? 'schema is up to date'
          : `applied ${applied.length} migration(s): ${applied.join(', ')}`,
      );
    });

  withCommonOptions(program.command('verify'))
    .description('check that every migration is applied and every table exists')
    .action(async (_opts: object, command: Command) => {
      const scope = commandScope(command, io);
      const v = await withDatabase(scope, (db) => verifyMigrations(db));
      scope.out.result(v, () =>
        formatDetails([
          ['complete', v.isComplete && v.schemaValid],
          ['applied', v.appliedCount],
          ['missing', v.missingMigrations.join(', ') || 'none'],
          ['unknown', v.unknownMigrations.join(', ') || 'none'],
          ['missing tables', v.missingTables.join(', ') || 'none'],
        ]),
      );
      if (!v.isComplete || !v.schemaValid) {
        throw new CelersError(
          'MIGRATION_REQUIRED',
          `schema incomplete: ${v.missingCount} migration(s) missing; run \`celers migrate\``,
        );
      }
    });
}
