/**
 * Longest task, queue, worker, group or key name accepted (the VARCHAR(255) columns), in characters (Unicode
 * code points, which is what utf8mb4 VARCHAR(n) counts), not UTF-16 units.
 */
export const MAX_NAME_LENGTH = 255;
/**
 * Deepest JSON nesting accepted in a JSON column (the top-level object counts as 1). MariaDB 10.11's JSON
 * CHECK (`JSON_VALID`) rejects 32 nested containers and accepts 31; MySQL 8.4 allows 100. The smaller wins.
 */
export const MAX_JSON_DEPTH = 31;
/** Largest page size any list method accepts. */
export const MAX_PAGE_SIZE = 10_000;
/** Largest payload stored in the MEDIUMBLOB payload column (16 MiB - 1). */
export const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024 - 1;
/** Priorities are stored in a signed 32-bit INT column. */
export const MIN_PRIORITY = -2_147_483_648;
/** @see MIN_PRIORITY */
export const MAX_PRIORITY = 2_147_483_647;
/** Largest retry count accepted for `maxRetries`. */
export const MAX_RETRIES_LIMIT = 1_000_000;
/** Longest duration accepted anywhere (100 years in ms): keeps DATE_ADD arithmetic in range. */
export const MAX_DURATION_MS = 100 * 365 * 24 * 3600 * 1000;
/** Most task names one claim may filter on (`DequeueOptions.taskNames`). */
export const MAX_CLAIM_TASK_NAMES = 1_000;
