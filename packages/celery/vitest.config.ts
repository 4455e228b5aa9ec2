import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { celersVitestConfig } from '../../vitest.shared.ts';

export default celersVitestConfig(dirname(fileURLToPath(import.meta.url)));
