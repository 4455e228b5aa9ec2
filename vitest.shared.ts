// Shared vitest settings for every package and app.
// - `@celers/*` imports resolve to the sibling package's TypeScript source, so tests never wait for a build.
// - The global setup resolves one test database URL (env, else testcontainers, else a clear error).
// - Each run writes test-results.json, which .ci/run sums into the plain `tests: N passed` line.
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const packagesDir = join(root, 'packages');

/** Maps `@celers/<dir>` to `packages/<dir>/src/index.ts` for every workspace package. */
function sourceAliases(): Record<string, string> {
  const aliases: Record<string, string> = {};
  for (const dir of readdirSync(packagesDir))
    aliases[`@celers/${dir}`] = join(packagesDir, dir, 'src/index.ts');
  return aliases;
}

/** Builds the vitest config for the package whose directory is `packageDir`. */
export function celersVitestConfig(
  packageDir: string,
  overrides: { testTimeout?: number; database?: boolean } = {},
): ViteUserConfig {
  return defineConfig({
    resolve: { alias: sourceAliases() },
    test: {
      root: packageDir,
      include: ['test/**/*.test.ts'],
      globalSetup: overrides.database === false ? [] : [resolve(packagesDir, 'testing/src/global-setup.ts')],
      testTimeout: overrides.testTimeout ?? 30_000,
      hookTimeout: 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: 'test-results.json' },
    },
  });
}
