/** Renders one value for a human table cell: dates as `YYYY-MM-DD HH:MM:SS` UTC, null as `-`, objects as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (value instanceof Date)
    return value
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d{3}Z$/, 'Z');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Shortens `text` to `max` characters with an ellipsis (long error messages in tables). */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
