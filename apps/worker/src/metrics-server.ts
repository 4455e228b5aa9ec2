import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsRegistry } from '@celers/monitoring';
import { metricsHandler } from '@celers/monitoring';

/** A running `/metrics` endpoint. */
export interface MetricsServer {
  /** The port it listens on (useful when started with port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `registry` at `GET /metrics` (404 elsewhere) on `port`. */
export async function startMetricsServer(registry: MetricsRegistry, port: number): Promise<MetricsServer> {
  const handle = metricsHandler(registry);
  const server: Server = createServer((req, res) => {
    if (req.url?.split('?')[0] === '/metrics') return handle(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('try /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
