// `pnpm dashboard`: serves the dashboard over CELERS_DATABASE_URL (see USAGE in cli-args.ts).
import { serve } from '@hono/node-server';
import { parseCliConfig, USAGE } from './cli-args.js';
import { createDashboardApp } from './dashboard-app.js';

/** Grace period for open connections at shutdown before the process exits anyway. */
const SHUTDOWN_TIMEOUT_MS = 10_000;

async function main(): Promise<void> {
  let config: ReturnType<typeof parseCliConfig>;
  try {
    config = parseCliConfig(
      process.argv.slice(2).filter((a) => a !== '--'),
      process.env,
    );
  } catch (error) {
    console.error(`celers-dashboard: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (config === 'help') {
    console.log(USAGE);
    return;
  }
  const dashboard = await createDashboardApp({
    url: config.url,
    readOnly: config.readOnly,
    ...(config.auth ? { auth: config.auth } : {}),
  });
  const server = serve({ fetch: dashboard.app.fetch, port: config.port, hostname: config.host }, (info) => {
    const mode = config.readOnly ? ' (read-only)' : '';
    console.log(`celers dashboard on http://${config.host}:${info.port}${mode}`);
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`celers dashboard: ${signal}, shutting down`);
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    server.close(() => {
      dashboard.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`celers-dashboard: ${message}`);
  process.exit(1);
});
