import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { celersVitestConfig } from '../../vitest.shared.ts';

// Each CLI test starts several `celers` processes; on a loaded 2-core CI machine one process can take seconds.
export default celersVitestConfig(dirname(fileURLToPath(import.meta.url)), { testTimeout: 120_000 });
