// Shared vitest settings for every package and app.
// - `@celers/*` imports resolve to the sibling package's TypeScript source, so tests never wait for a build,
//   but only for the packages the testing package declares (and itself): an undeclared import fails here too.
// - The global setup resolves one test database URL (env, else testcontainers, else a clear error).
// - Each run writes test-results.json, which .ci/run sums into the plain `tests: N passed` line.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin, type ViteUserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));
const packagesDir = join(root, 'packages');

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** What a workspace package may import: its own name and its declared (dev)dependencies. */
function declaredBy(dir: string): Set<string> {
  const m = readManifest(dir);
  return new Set([m.name, ...Object.keys(m.dependencies ?? {}), ...Object.keys(m.devDependencies ?? {})]);
}

/**
 * Resolves `@celers/<name>` to the sibling package's `src/index.ts`, but only when the package containing the
 * importing file declares it (checked per importer, so a package's source may use its own dependencies).
 * An undeclared import fails in tests as it would after a build.
 */
function declaredSources(packageDir: string): Plugin {
  const sources = new Map<string, string>();
  for (const dir of readdirSync(packagesDir))
    sources.set(readManifest(join(packagesDir, dir)).name, join(packagesDir, dir, 'src/index.ts'));
  const owners = [packageDir, ...readdirSync(packagesDir).map((d) => join(packagesDir, d))];
  const declared = new Map(owners.map((dir) => [dir, declaredBy(dir)]));
  return {
    name: 'celers-declared-sources',
    enforce: 'pre',
    resolveId(source, importer) {
      const target = sources.get(source);
      if (target === undefined || importer === undefined) return null;
      const owner = owners.find((dir) => importer.startsWith(`${dir}/`));
      if (owner === undefined) return target;
      if (!declared.get(owner)?.has(source))
        throw new Error(`${importer} imports ${source}, which ${owner}/package.json does not declare`);
      return target;
    },
  };
}

/** Builds the vitest config for the package whose directory is `packageDir`. */
export function celersVitestConfig(
  packageDir: string,
  overrides: { testTimeout?: number; database?: boolean } = {},
): ViteUserConfig {
  return defineConfig({
    plugins: [declaredSources(packageDir)],
    test: {
      root: packageDir,
      include: ['test/**/*.test.ts'],
      globalSetup: overrides.database === false ? [] : [resolve(packagesDir, 'testing/src/global-setup.ts')],
      testTimeout: overrides.testTimeout ?? 30_000,
      // set-up hooks create and migrate databases; on a loaded 2-core CI machine one took over 60 s
      hookTimeout: 180_000,
      reporters: ['default', 'json'],
      outputFile: { json: 'test-results.json' },
    },
  });
}
