// @celers/cli: the `celers` command line, also usable programmatically (`runCli(argv)`, `createProgram(io)`).
// Its helpers (exit codes, table formatting, progress, option defaults) stay internal to the command.
export { type CliIo, processIo } from './output/cli-output.js';
export { createProgram } from './program.js';
export { type RunCliOptions, runCli } from './run-cli.js';
