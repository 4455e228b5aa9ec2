import { createHmac, randomBytes } from 'node:crypto';
import { constantTimeEqual } from '@celers/monitoring';

/** HttpOnly cookie naming the browser session a CSRF token is bound to (page scripts cannot read it). */
export const SESSION_COOKIE = 'celers_session';

const SESSION_ID = /^[A-Za-z0-9_-]{32}$/;

/**
 * CSRF tokens bound to a session: `HMAC(secret, sessionId)`. The session id lives in an HttpOnly SameSite=Strict
 * cookie, the token only in the JSON of `/api/config`, which answers authenticated same-origin requests only.
 * A token is useless with any other session cookie, and a cookie (planted or stolen) is useless without its
 * token. The secret is per process: a restart invalidates tokens (the page fetches a new one).
 */
export class CsrfTokens {
  readonly #secret: Buffer;

  constructor(secret: Buffer = randomBytes(32)) {
    this.#secret = secret;
  }

  /** A fresh random session id. */
  newSession(): string {
    return randomBytes(24).toString('base64url');
  }

  /** True for a value this class could have made with {@link newSession} (anything else is ignored). */
  isSessionId(value: string | undefined): value is string {
    return value !== undefined && SESSION_ID.test(value);
  }

  /** The token of `sessionId`. */
  tokenFor(sessionId: string): string {
    return createHmac('sha256', this.#secret).update(sessionId).digest('base64url');
  }

  /** Whether `token` belongs to `sessionId` (constant time). */
  verify(sessionId: string | undefined, token: string | undefined): boolean {
    if (!this.isSessionId(sessionId) || token === undefined) return false;
    return constantTimeEqual(this.tokenFor(sessionId), token);
  }
}
