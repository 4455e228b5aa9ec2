/** Longest task, queue, worker, group or key name accepted (the VARCHAR(255) columns). */
export const MAX_NAME_LENGTH = 255;
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
