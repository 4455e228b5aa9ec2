// @celers/cli: the `celers` command line, also usable programmatically.
export { EXIT_FAILURE, EXIT_USAGE, formatCliError } from './internal/cli-error.js';
export { DATABASE_URL_ENV, DEFAULT_CLI_QUEUE } from './internal/cli-options.js';
export { FORCE_EXIT_AFTER_MS } from './internal/force-exit.js';
export { type CliIo, CliOutput, processIo } from './output/cli-output.js';
export { formatDetails, formatTable, type TableColumn } from './output/format-table.js';
export { ProgressIndicator, withProgress } from './output/progress-indicator.js';
export { CLI_VERSION, createProgram } from './program.js';
export { type RunCliOptions, runCli } from './run-cli.js';
