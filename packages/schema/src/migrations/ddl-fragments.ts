// Column types shared by several tables, so every table spells them the same way.

/** UUID strings: 36 ASCII bytes, binary collation (exact, fast comparisons). */
export const UUID = 'CHAR(36) CHARACTER SET ascii COLLATE ascii_bin';
/** Queue names are validated to `[A-Za-z0-9_.:-]`, so ASCII keeps composite index keys small. */
export const QUEUE = 'VARCHAR(255) CHARACTER SET ascii COLLATE ascii_bin';
/** Short enum-like values (state, status, content type). */
export const ASCII_SHORT = 'VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin';
/** Microsecond UTC timestamps (the session time zone is +00:00). */
export const TIME = 'DATETIME(6)';
/** Table options: InnoDB, utf8mb4 with binary (case-sensitive) collation for names, on MySQL and MariaDB. */
export const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin';
