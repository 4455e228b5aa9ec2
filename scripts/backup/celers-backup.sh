#!/usr/bin/env bash
# celers-backup.sh: consistent, compressed backup of the celers tables, with retention of old files.
#
# Usage:  CELERS_DB_NAME=celers scripts/backup/celers-backup.sh
# Settings (environment):
#   CELERS_DB_NAME                 database to back up (required)
#   CELERS_DB_DEFAULTS_FILE        MySQL option file with [client] host/port/user/password
#                                  (keeps the password off the command line; default: the client's usual files)
#   CELERS_BACKUP_DIR              where backups go                       (default /var/backups/celers)
#   CELERS_BACKUP_RETENTION_DAYS   delete this script's backups older than this many days (default 14)
#   MYSQLDUMP                      dump client                            (default mariadb-dump, else mysqldump)
# Prints the path of the new backup on stdout; exits non-zero (leaving no partial file) on any failure.
# Restore:  gunzip < celers_<db>_<timestamp>.sql.gz | mysql --defaults-extra-file=<file> <db>
set -euo pipefail
umask 077

: "${CELERS_DB_NAME:?set CELERS_DB_NAME to the database to back up}"
BACKUP_DIR="${CELERS_BACKUP_DIR:-/var/backups/celers}"
RETENTION_DAYS="${CELERS_BACKUP_RETENTION_DAYS:-14}"
DUMP="${MYSQLDUMP:-$(command -v mariadb-dump || command -v mysqldump || true)}"
[ -n "$DUMP" ] || { echo "celers-backup: neither mariadb-dump nor mysqldump found" >&2; exit 1; }
case "$RETENTION_DAYS" in '' | *[!0-9]*) echo "celers-backup: CELERS_BACKUP_RETENTION_DAYS must be a whole number" >&2; exit 1 ;; esac

# Every celers table (CELERS_TABLES in @celers/schema) plus the migration bookkeeping; a test keeps this in sync.
TABLES=(
  celers_live_tasks
  celers_finished_tasks
  celers_task_links
  celers_tasks
  celers_dead_letter_queue
  celers_task_results
  celers_task_history
  celers_task_idempotency
  celers_queue_config
  celers_worker_heartbeat
  celers_task_groups
  celers_recurring_tasks
  celers_locks
  celers_migrations
  celers_migrations_lock
)

CONN=()
[ -n "${CELERS_DB_DEFAULTS_FILE:-}" ] && CONN+=("--defaults-extra-file=$CELERS_DB_DEFAULTS_FILE")

mkdir -p "$BACKUP_DIR"
TIMESTAMP="$(date -u +%Y%m%dT%H%M%SZ)"
FINAL="$BACKUP_DIR/celers_${CELERS_DB_NAME}_${TIMESTAMP}.sql.gz"
PARTIAL="$FINAL.partial"
trap 'rm -f "$PARTIAL"' EXIT

# --single-transaction: one consistent InnoDB snapshot without locking the tables workers are using.
# --hex-blob: task payloads are binary (DEFLATE); hex keeps the dump byte-exact.
"$DUMP" "${CONN[@]}" --single-transaction --quick --hex-blob --no-tablespaces \
  --default-character-set=utf8mb4 "$CELERS_DB_NAME" "${TABLES[@]}" | gzip -6 > "$PARTIAL"

# Verify before publishing: a readable archive whose dump ran to the end.
gzip -t "$PARTIAL"
if ! gzip -dc "$PARTIAL" | tail -n 1 | grep -q 'Dump completed'; then
  echo "celers-backup: dump did not complete" >&2
  exit 1
fi
mv "$PARTIAL" "$FINAL"
trap - EXIT

# Retention: only this database's finished backups, never other files in the directory.
find "$BACKUP_DIR" -maxdepth 1 -type f -name "celers_${CELERS_DB_NAME}_*.sql.gz" -mtime +"$RETENTION_DAYS" -print -delete >&2

echo "$FINAL"
