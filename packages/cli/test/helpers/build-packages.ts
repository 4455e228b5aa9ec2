// Builds workspace packages whose dist is missing or older than their sources, in dependency order, so tests
// that run BUILT code (the celers binary, packed tarballs) never test stale output.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** Workspace packages and the workspace packages they depend on, in build order. */
export const PACKAGE_DEPS = {
  core: [],
  schema: ['core'],
  resilience: ['core'],
  'broker-mysql': ['core', 'schema', 'resilience'],
  monitoring: ['core', 'schema', 'broker-mysql'],
  worker: ['core', 'resilience'],
  celery: ['core', 'schema'],
  cli: ['core', 'schema', 'broker-mysql', 'monitoring', 'worker', 'celery'],
} as const satisfies Record<string, readonly string[]>;

/** A buildable workspace package. */
export type PackageName = keyof typeof PACKAGE_DEPS;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(packageDir: string, upstreamBuiltAt: number): boolean {
  const marker = join(packageDir, 'dist/index.js');
  if (!existsSync(marker)) return true;
  const builtAt = statSync(marker).mtimeMs;
  return builtAt < newestMtime(join(packageDir, 'src')) || builtAt < upstreamBuiltAt;
}

function builtAt(name: PackageName): number {
  return statSync(join(REPO_ROOT, 'packages', name, 'dist/index.js')).mtimeMs;
}

/** Builds `names` and their workspace dependencies, each only when stale; returns what it rebuilt. */
export function buildPackages(names: readonly PackageName[]): string[] {
  const rebuilt: string[] = [];
  const visit = (name: PackageName, seen: Set<PackageName>): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const deps = PACKAGE_DEPS[name] as readonly PackageName[];
    for (const dep of deps) visit(dep, seen);
    const dir = join(REPO_ROOT, 'packages', name);
    if (isStale(dir, Math.max(0, ...deps.map(builtAt)))) {
      try {
        execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: dir, stdio: 'pipe' });
      } catch (error) {
        const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
        throw new Error(`building packages/${name} failed:\n${out}`);
      }
      rebuilt.push(name);
    }
  };
  const seen = new Set<PackageName>();
  for (const name of names) visit(name, seen);
  return rebuilt;
}
