import { startPrivateServer } from '@celers/testing';
import { describe } from 'vitest';
import { defineQueueOpsSuite } from './fixtures/queue-ops-suite.js';

// The broker's main queue cases on servers whose sql_mode would break client-side escaping
// (NO_BACKSLASH_ESCAPES) or drops the strict modes (''): the pinned session sql_mode makes them behave alike.
describe.each(['NO_BACKSLASH_ESCAPES', ''])("server started with --sql-mode='%s'", (sqlMode) => {
  defineQueueOpsSuite(async () => {
    const server = await startPrivateServer({ args: [`--sql-mode=${sqlMode}`] });
    return { url: server.url, cleanup: () => server.destroy() };
  });
});
