// The machine running CI has no Docker engine, so this test checks the demo stack statically: every service
// in docker-compose.yml must point at something that exists (a Dockerfile stage, a built entry point whose
// source is in the repo, a CLI command), wait for the right things, and reach the `mysql` service.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createProgram, processIo } from '@celers/cli';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { workerConfigFromEnv } from '../src/worker-config.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface ComposeService {
  image?: string;
  build?: { context: string; target: string };
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  deploy?: { replicas?: number };
  ports?: string[];
}

interface DockerStage {
  name: string;
  from: string;
  lines: string[];
}

const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
};
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

/** Dockerfile instructions with `\` continuations joined and comments dropped. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function stages(text: string): DockerStage[] {
  const out: DockerStage[] = [];
  for (const line of instructions(text)) {
    const from = /^FROM\s+(\S+)\s+AS\s+(\S+)/i.exec(line);
    if (from) out.push({ from: from[1]!, name: from[2]!, lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

/** Workspace package directories by package name. */
function workspacePackages(): Map<string, string> {
  const map = new Map<string, string>();
  for (const group of ['packages', 'apps']) {
    for (const dir of readdirSync(join(ROOT, group))) {
      const manifest = join(ROOT, group, dir, 'package.json');
      if (existsSync(manifest))
        map.set(
          (JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name,
          join(ROOT, group, dir),
        );
    }
  }
  return map;
}

/** The built entry point a runtime stage runs (`node dist/x.js`) mapped back to its package directory. */
function stageEntry(stage: DockerStage, all: DockerStage[]): { packageDir: string; entry: string } {
  const copy = stage.lines.find((l) => /^COPY --from=build/.test(l));
  const outDir = copy?.split(/\s+/).at(-2);
  const build = all.find((s) => s.name === 'build')!;
  const deploy = build.lines
    .join(' ')
    .match(new RegExp(`pnpm deploy [^&]*--filter (\\S+) --prod ${outDir}(\\s|$)`));
  expect(deploy, `a pnpm deploy writes ${outDir}`).not.toBeNull();
  const packageDir = workspacePackages().get(deploy![1]!);
  expect(packageDir, `package ${deploy![1]} exists`).toBeDefined();
  const run = [...stage.lines, ...all.find((s) => s.name === stage.from)!.lines]
    .filter((l) => /^(CMD|ENTRYPOINT)\s+\[/.test(l))
    .map((l) => JSON.parse(l.replace(/^\S+\s+/, '')) as string[])
    .find((argv) => argv[0] === 'node');
  expect(run, `stage ${stage.name} runs node`).toBeDefined();
  return { packageDir: packageDir!, entry: run![1]! };
}

describe('Dockerfile', () => {
  const all = stages(dockerfile);

  it('builds on node:20-bookworm-slim with pinned pnpm, a frozen lockfile and a non-root runtime user', () => {
    expect(all.every((s) => s.from === 'node:20-bookworm-slim' || all.some((o) => o.name === s.from))).toBe(
      true,
    );
    const build = all.find((s) => s.name === 'build')!.lines.join('\n');
    expect(build).toContain('npm i -g pnpm@10.34.9');
    expect(build).toContain('pnpm install --frozen-lockfile');
    expect(build).toContain('pnpm -r build');
    const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      packageManager: string;
    };
    expect(rootPackage.packageManager).toBe('pnpm@10.34.9');
    expect(all.find((s) => s.name === 'runtime')!.lines).toContain('USER node');
  });

  it('every COPY source exists in the repository and is not excluded by .dockerignore', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'));
    const sources = instructions(dockerfile)
      .filter((l) => /^COPY\s/.test(l) && !/--from=/.test(l))
      .flatMap((l) =>
        l
          .split(/\s+/)
          .slice(1, -1)
          .filter((p) => !p.startsWith('--')),
      );
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      expect(existsSync(join(ROOT, source)), `COPY source ${source}`).toBe(true);
      expect(ignored).not.toContain(source);
    }
  });

  it('each runtime stage runs a built file whose TypeScript source is in its package', () => {
    for (const name of ['cli', 'producer', 'worker', 'dashboard']) {
      const stage = all.find((s) => s.name === name)!;
      const { packageDir, entry } = stageEntry(stage, all);
      expect(entry).toMatch(/^dist\/.+\.js$/);
      const source = join(packageDir, entry.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'));
      expect(existsSync(source), `${name}: ${source}`).toBe(true);
    }
  });
});

describe('docker-compose.yml', () => {
  const { services } = compose;
  const stageNames = new Set(stages(dockerfile).map((s) => s.name));
  const mysqlEnv = services.mysql!.environment!;

  it('runs mysql 8.4 with a mysqladmin ping healthcheck, credentials and a named volume', () => {
    expect(services.mysql!.image).toBe('mysql:8.4');
    expect(services.mysql!.healthcheck!.test.slice(0, 3)).toEqual(['CMD', 'mysqladmin', 'ping']);
    expect(Object.keys(mysqlEnv)).toEqual(
      expect.arrayContaining(['MYSQL_ROOT_PASSWORD', 'MYSQL_DATABASE', 'MYSQL_USER', 'MYSQL_PASSWORD']),
    );
    expect(compose.volumes).toHaveProperty('mysql-data');
  });

  it('every built service targets an existing Dockerfile stage of the repo root', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.image) continue;
      expect(service.build?.context, name).toBe('.');
      expect(stageNames.has(service.build!.target), `${name} → target ${service.build?.target}`).toBe(true);
    }
    expect(Object.keys(services).sort()).toEqual(['dashboard', 'migrate', 'mysql', 'producer', 'worker']);
  });

  it('migrate runs a real celers command once the database is healthy', () => {
    const migrate = services.migrate!;
    expect(migrate.build!.target).toBe('cli');
    const program = createProgram(processIo(), () => undefined);
    expect(program.commands.map((c) => c.name())).toContain(migrate.command![0]);
    expect(migrate.depends_on).toEqual({ mysql: { condition: 'service_healthy' } });
  });

  it('producer and workers start after a successful migration; two workers publish metrics', () => {
    for (const name of ['producer', 'worker']) {
      expect(services[name]!.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
      });
    }
    const worker = services.worker!;
    expect(worker.deploy?.replicas).toBe(2);
    const port = worker.environment!.METRICS_PORT;
    expect(worker.ports!.some((p) => p.endsWith(`:${port}`))).toBe(true);
  });

  it('every service that connects reaches the mysql service with its credentials', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'mysql') continue;
      for (const dep of Object.keys(service.depends_on ?? {}))
        expect(services[dep], `${name} depends on ${dep}`).toBeDefined();
      const url = new URL(service.environment!.CELERS_DATABASE_URL!);
      expect(url.protocol).toBe('mysql:');
      expect(url.hostname).toBe('mysql');
      expect(url.port).toBe('3306');
      expect(url.username).toBe(mysqlEnv.MYSQL_USER);
      expect(url.password).toBe(mysqlEnv.MYSQL_PASSWORD);
      expect(url.pathname).toBe(`/${mysqlEnv.MYSQL_DATABASE}`);
    }
  });

  it('services listening beyond loopback opt out of auth explicitly and publish on the host loopback only', () => {
    const worker = services.worker!;
    const config = workerConfigFromEnv(worker.environment);
    expect(config.metricsHost).toBe('0.0.0.0');
    expect(config.metricsToken !== undefined || config.metricsInsecureNoAuth).toBe(true);
    const dashboard = services.dashboard!;
    const argv = dashboard.command!;
    expect(argv.slice(argv.indexOf('--host'), argv.indexOf('--host') + 2)).toEqual(['--host', '0.0.0.0']);
    expect(argv.includes('--insecure-no-auth') || 'CELERS_DASHBOARD_TOKEN' in dashboard.environment!).toBe(
      true,
    );
    for (const service of [worker, dashboard])
      for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it('the dashboard image listens on all interfaces, so it needs credentials (or an explicit opt-out)', () => {
    const stage = stages(dockerfile).find((s) => s.name === 'dashboard')!;
    const cmd = stage.lines.find((l) => l.startsWith('CMD'))!;
    expect(cmd).toContain('"--host", "0.0.0.0"');
    expect(cmd).not.toContain('--insecure-no-auth');
  });

  it('leaves a marked place for the dashboard service', () => {
    expect(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')).toMatch(/# -+ dashboard/);
  });
});
