// `pnpm example <name>`: runs one seed example against CELERS_DATABASE_URL on its own queue.
import { EXAMPLES, resolveExampleName } from './example-registry.js';

// pnpm hands the root script's `--` on literally (`pnpm example -- basic_usage` arrives as `-- basic_usage`).
const [arg] = process.argv.slice(2).filter((a) => a !== '--');
const name = arg === undefined ? undefined : resolveExampleName(arg);
const url = process.env.CELERS_DATABASE_URL;

if (name === undefined) {
  console.error(`usage: pnpm example <name>\nexamples: ${Object.keys(EXAMPLES).join(', ')}`);
  process.exit(arg === undefined ? 0 : 2);
}
if (!url) {
  console.error(
    'set CELERS_DATABASE_URL, e.g. CELERS_DATABASE_URL=mysql://root@127.0.0.1:3306/celers pnpm example basic_usage',
  );
  process.exit(2);
}

console.log(`celers example: ${name}`);
try {
  const { run } = await EXAMPLES[name]();
  await run({ url, queue: `example_${name}` });
  console.log(`\n${name}: done`);
} catch (error) {
  // the whole error (code, cause, stack): a failure seen only in CI must be diagnosable from its log
  console.error(`\n${name} failed:`, error);
  process.exitCode = 1;
}
