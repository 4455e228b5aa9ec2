import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two secrets in constant time (hashing first, so different lengths leak nothing either). */
export function constantTimeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** True when an `Authorization` header value is `Bearer <token>` with exactly `token`. */
export function bearerTokenMatches(header: string | undefined, token: string): boolean {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] !== undefined && constantTimeEqual(match[1], token);
}

/** Shortest bearer token an endpoint accepts in its configuration. */
export const MIN_ACCESS_TOKEN_LENGTH = 8;
