import { CelersError } from '@celers/core';
import { isLoopbackAddress } from './bind-address.js';

/** How an HTTP endpoint is reachable: only from this machine, with credentials, or openly by choice. */
export type Exposure = 'loopback' | 'authenticated' | 'insecure';

/** What {@link checkExposure} decides on. */
export interface ExposureCheck {
  /** Address the server is about to listen on. */
  readonly host: string;
  /** Whether every request must carry credentials. */
  readonly authenticated: boolean;
  /** The explicit opt-out (`--insecure-no-auth`). */
  readonly insecureNoAuth: boolean;
  /** The server in messages, e.g. `"dashboard"`, `"metrics endpoint"`. */
  readonly service: string;
  /** Argument the error names, e.g. `"options.host"`, `"METRICS_HOST"`. */
  readonly argument: string;
  /** How to configure credentials, e.g. `"set METRICS_TOKEN"`. */
  readonly authHint: string;
  /** How to opt out, e.g. `"--insecure-no-auth"`. */
  readonly optOutHint: string;
}

/**
 * Refuses (`INVALID_ARGUMENT` naming `check.argument`) to expose an endpoint beyond loopback without
 * credentials unless the user opted out explicitly; returns the resulting exposure ('insecure' asks the
 * caller to warn loudly, see {@link insecureExposureWarning}).
 */
export function checkExposure(check: ExposureCheck): Exposure {
  if (isLoopbackAddress(check.host)) return 'loopback';
  if (check.authenticated) return 'authenticated';
  if (check.insecureNoAuth) return 'insecure';
  throw CelersError.invalidArgument(
    check.argument,
    `refusing to serve the ${check.service} on ${check.host} (beyond loopback) without authentication: ` +
      `${check.authHint}, listen on 127.0.0.1 (the default), or pass ${check.optOutHint} if something in front ` +
      'of it authenticates every request',
    { host: check.host },
  );
}

/** The loud warning for an {@link Exposure} of `'insecure'`. */
export function insecureExposureWarning(service: string, host: string, optOutHint: string): string {
  const line = '!'.repeat(78);
  return [
    line,
    `WARNING: the ${service} listens on ${host} WITHOUT AUTHENTICATION (${optOutHint}).`,
    'Anyone who can reach this address can use it. Put an authenticating proxy in front, or',
    'configure a token and drop the flag.',
    line,
  ].join('\n');
}
