import type { IncomingMessage, ServerResponse } from 'node:http';
import { CelersError } from '@celers/core';
import type { Registry } from 'prom-client';
import { isValidHostName, normalizeHostName } from '../http-guard/bind-address.js';
import { bearerTokenMatches, MIN_ACCESS_TOKEN_LENGTH } from '../http-guard/constant-time-equal.js';
import { isHostAllowed } from '../http-guard/host-allow-list.js';

/** A Node HTTP request handler. */
export type MetricsRequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Options of {@link metricsHandler}. */
export interface MetricsHandlerOptions {
  /**
   * Require `Authorization: Bearer <token>` (at least {@link MIN_ACCESS_TOKEN_LENGTH} characters); other
   * requests get 401. Prometheus sends it with `authorization: { credentials: <token> }` in a scrape config.
   * @defaultValue no token
   */
  token?: string;
  /**
   * Answer only requests whose `Host` header names one of these hosts (421 otherwise), so a web page whose
   * name was re-pointed at this machine (DNS rebinding) cannot read the metrics. `resolveAllowedHosts(host)`
   * gives the usual list for a bind address.
   * @defaultValue any Host
   */
  allowedHosts?: readonly string[];
}

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers }).end(body);
}

function resolveOptions(options: MetricsHandlerOptions): { token?: string; allowed?: ReadonlySet<string> } {
  const { token, allowedHosts } = options;
  if (token !== undefined && (typeof token !== 'string' || token.length < MIN_ACCESS_TOKEN_LENGTH)) {
    throw CelersError.invalidArgument(
      'options.token',
      `use a token of at least ${MIN_ACCESS_TOKEN_LENGTH} characters`,
    );
  }
  if (allowedHosts !== undefined) {
    if (!Array.isArray(allowedHosts) || allowedHosts.length === 0)
      throw CelersError.invalidArgument('options.allowedHosts', 'expected a non-empty array of host names');
    for (const [i, name] of allowedHosts.entries()) {
      if (typeof name !== 'string' || !isValidHostName(name))
        throw CelersError.invalidArgument(`options.allowedHosts[${i}]`, 'expected a host name without port');
    }
  }
  return {
    ...(token === undefined ? {} : { token }),
    ...(allowedHosts === undefined ? {} : { allowed: new Set(allowedHosts.map(normalizeHostName)) }),
  };
}

/**
 * A `(req, res)` handler serving `registry` in the Prometheus text format, for `http.createServer` or any
 * framework that hands out Node's request/response. GET and HEAD only (405 otherwise); 500 if collection fails;
 * 421 for a `Host` outside `options.allowedHosts`, 401 without `options.token`. Bad options throw
 * `INVALID_ARGUMENT` at once.
 *
 * @example
 * ```ts
 * import http from 'node:http';
 *
 * const registry = createMetricsRegistry();
 * const allowedHosts = resolveAllowedHosts('0.0.0.0', ['worker-1.internal']);
 * http.createServer(metricsHandler(registry, { token: process.env.METRICS_TOKEN, allowedHosts })).listen(9464, '0.0.0.0');
 * ```
 */
export function metricsHandler(
  registry: Registry,
  options: MetricsHandlerOptions = {},
): MetricsRequestHandler {
  const { token, allowed } = resolveOptions(options);
  return (req, res) => {
    // Host first: a rebinding page learns nothing, not even whether a token is needed.
    if (allowed && !isHostAllowed(allowed, req.headers.host)) {
      text(res, 421, 'misdirected request: this Host is not served here\n');
      return;
    }
    if (token !== undefined && !bearerTokenMatches(req.headers.authorization, token)) {
      text(res, 401, 'unauthorized: send Authorization: Bearer <token>\n', {
        'www-authenticate': 'Bearer realm="celers metrics"',
      });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      text(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
      return;
    }
    registry.metrics().then(
      (body) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => {
        text(
          res,
          500,
          `metrics collection failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
      },
    );
  };
}
