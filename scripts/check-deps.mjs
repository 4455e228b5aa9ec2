#!/usr/bin/env node
// Dependency check (`pnpm check:deps`): the package.json files must tell the truth about the imports.
// - every bare import in src/ is in `dependencies`; in test/ in `dependencies` or `devDependencies`
// - every declared dependency is imported somewhere (or is a tool its package.json scripts run)
// - the @celers/* graph has no cycle and follows the layering in docs/architecture.md
// A plain Node script with no dependency: the import forms we use are few, and a regex over them is
// enough (dependency-cruiser would add ~60 packages to the lockfile for the same answer).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '../..');

/**
 * The layering rule: a package may depend only on packages of a lower layer.
 * core ← schema, resilience ← broker-mysql ← monitoring, worker, celery ← cli ← apps.
 * `@celers/testing` (private, test helpers) may be used by any package's tests and uses none of them.
 */
const LAYERS = {
  '@celers/core': 0,
  '@celers/schema': 1,
  '@celers/resilience': 1,
  '@celers/broker-mysql': 2,
  '@celers/monitoring': 3,
  '@celers/worker': 3,
  '@celers/celery': 3,
  '@celers/cli': 4,
};
const APP_LAYER = 5;
const TEST_ONLY = new Set(['@celers/testing']);

/**
 * Known test-only imports that break the layering, each with its reason. Keep this list short: each
 * entry is debt. They are not declared (declaring them would make a package cycle that turbo refuses).
 */
const EXCEPTIONS = {};

const builtins = new Set(builtinModules);
// Tools the root package.json provides to every workspace (vitest, tsx, typescript, ...): tests may use
// them without declaring them again.
const rootTools = new Set(
  Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).devDependencies),
);
const importPattern =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*|declare\s+module\s+|['"]--import['"],\s*)['"]([^'"\n]+)['"]/g;

function sourceFiles(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(c|m)?[jt]sx?$/.test(name)) out.push(path);
  }
  return out;
}

function packageOf(specifier) {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtins.has(name) ? null : name;
}

function importsIn(files, dir, exceptions = {}) {
  const found = new Map(); // package -> first file that imports it
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const allowed = exceptions[relative(dir, file)] ?? [];
    for (const match of text.matchAll(importPattern)) {
      const name = packageOf(match[1]);
      if (name && !allowed.includes(name) && !found.has(name)) found.set(name, relative(root, file));
    }
  }
  return found;
}

const problems = [];
const graph = new Map();
const workspaces = ['packages', 'apps'].flatMap((top) =>
  readdirSync(join(root, top))
    .map((d) => join(root, top, d))
    .filter((d) => existsSync(join(d, 'package.json'))),
);

for (const dir of workspaces) {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const deps = Object.keys(pkg.dependencies ?? {});
  const devDeps = Object.keys(pkg.devDependencies ?? {});
  const self = pkg.name;
  const srcImports = importsIn(sourceFiles(join(dir, 'src')), dir);
  const testImports = importsIn(
    [...sourceFiles(join(dir, 'test')), ...sourceFiles(join(dir, 'scripts'))],
    dir,
    EXCEPTIONS[self],
  );
  const scripts = Object.values(pkg.scripts ?? {}).join(' ');
  // The test helpers package is test code through and through: its src may use the root's tools.
  const srcTools = TEST_ONLY.has(self) ? rootTools : new Set();

  for (const [name, file] of srcImports)
    if (name !== self && !deps.includes(name) && !srcTools.has(name))
      problems.push(`${self}: ${file} imports ${name}, which is not in dependencies`);
  for (const [name, file] of testImports)
    if (name !== self && !deps.includes(name) && !devDeps.includes(name) && !rootTools.has(name))
      problems.push(`${self}: ${file} imports ${name}, which is in neither dependencies nor devDependencies`);
  for (const name of [...deps, ...devDeps]) {
    const usedByScript = new RegExp(`(^|[\\s&|;])${name.replace(/^@[^/]+\//, '')}(\\s|$)`).test(scripts);
    if (!srcImports.has(name) && !testImports.has(name) && !usedByScript)
      problems.push(`${self}: ${name} is declared but never imported`);
  }
  // A private workspace (an app) publishes nothing, so it may run the test helpers (the bench's Python runner).
  for (const name of deps)
    if (TEST_ONLY.has(name) && !pkg.private)
      problems.push(`${self}: ${name} is for tests only: move it to devDependencies`);

  const layer = LAYERS[self] ?? (dir.includes(`${join(root, 'apps')}`) ? APP_LAYER : undefined);
  const celers = [...deps, ...devDeps].filter((d) => d.startsWith('@celers/') && !TEST_ONLY.has(d));
  graph.set(self, celers);
  if (TEST_ONLY.has(self)) {
    if (celers.length > 0) problems.push(`${self}: the test helpers must not depend on ${celers.join(', ')}`);
    continue;
  }
  if (layer === undefined) {
    problems.push(`${self}: not in the layering table of scripts/check-deps.mjs`);
    continue;
  }
  // Runtime dependencies must point strictly down; tests may use any lower-or-equal layer's package
  // (worker tests drive a real MysqlBroker).
  for (const d of deps.filter((d) => d.startsWith('@celers/') && !TEST_ONLY.has(d)))
    if (!(LAYERS[d] < layer))
      problems.push(`${self} (layer ${layer}) must not depend on ${d} (layer ${LAYERS[d]})`);
  for (const d of devDeps.filter((d) => d.startsWith('@celers/') && !TEST_ONLY.has(d)))
    if (!(LAYERS[d] <= layer))
      problems.push(`${self} (layer ${layer}) tests must not use ${d} (layer ${LAYERS[d]})`);
}

// Cycles (dependencies and devDependencies together: a cycle breaks build order either way).
const state = new Map();
function visit(name, path) {
  if (state.get(name) === 'done') return;
  if (state.get(name) === 'open') {
    problems.push(`cycle: ${[...path.slice(path.indexOf(name)), name].join(' -> ')}`);
    return;
  }
  state.set(name, 'open');
  for (const next of graph.get(name) ?? []) visit(next, [...path, name]);
  state.set(name, 'done');
}
for (const name of graph.keys()) visit(name, []);

if (problems.length > 0) {
  console.error(`check-deps: ${problems.length} problem(s)\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(
  `check-deps: ${workspaces.length} packages, imports match package.json, @celers/* graph is layered`,
);
