#!/usr/bin/env node
// The `celers` executable: everything lives in run-cli.ts so it can be tested and embedded.
import { runCli } from './run-cli.js';

await runCli(process.argv.slice(2), { exit: true });
