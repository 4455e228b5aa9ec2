// `pnpm dashboard`: serves the dashboard over CELERS_DATABASE_URL (see USAGE in cli-args.ts).
import { isCelersError } from '@celers/core';
import { parseCliConfig, USAGE } from './cli-args.js';
import { startDashboardServer } from './dashboard-server.js';

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
  let server: Awaited<ReturnType<typeof startDashboardServer>>;
  try {
    server = await startDashboardServer({
      url: config.url,
      ...(config.readUrl ? { readUrl: config.readUrl } : {}),
      host: config.host,
      port: config.port,
      readOnly: config.readOnly,
      allowedHosts: config.allowedHosts,
      insecureNoAuth: config.insecureNoAuth,
      ...(config.auth ? { auth: config.auth } : {}),
    });
  } catch (error) {
    if (!isCelersError(error, 'INVALID_ARGUMENT')) throw error;
    // A refused configuration (e.g. a public bind without auth): say why, exit before serving anything.
    console.error(`celers-dashboard: ${error.message}`);
    process.exitCode = 2;
    return;
  }
  const mode = [
    config.readOnly ? 'read-only' : '',
    config.auth ? `${config.auth.kind} auth` : '',
    config.readUrl ? 'reads from a replica' : '',
  ]
    .filter(Boolean)
    .join(', ');
  console.log(`celers dashboard on ${server.url}${mode ? ` (${mode})` : ''}`);
  console.log(`celers dashboard: answering Host ${server.allowedHosts.join(', ')}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`celers dashboard: ${signal}, shutting down`);
    setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`celers-dashboard: ${message}`);
  process.exit(1);
});
