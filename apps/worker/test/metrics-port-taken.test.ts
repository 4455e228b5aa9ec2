// The demo worker started while its metrics port is taken: one clear line saying what to do, exit 1, no
// stack, and no database connection attempted.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('demo worker with a taken metrics port', () => {
  it('prints what to do instead of an EADDRINUSE stack, and exits 1', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    const { port } = blocker.address() as { port: number };
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: APP_DIR,
        // an unreachable database: the worker must stop on the port before it ever connects
        env: {
          ...process.env,
          CELERS_DATABASE_URL: 'mysql://nobody@127.0.0.1:1/none',
          METRICS_PORT: String(port),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      for (const stream of [child.stdout, child.stderr])
        stream.on('data', (d: Buffer) => (output += d.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code, output).toBe(1);
      expect(output).toContain(`metrics port ${port} on 127.0.0.1 is already in use`);
      expect(output).toContain('set METRICS_PORT to a free port');
      expect(output).not.toMatch(/\n\s+at /);
      expect(output.trim().split('\n')).toHaveLength(1);
    } finally {
      blocker.close();
    }
  }, 60_000);
});
