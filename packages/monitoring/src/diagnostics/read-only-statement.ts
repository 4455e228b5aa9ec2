import { CelersError } from '@celers/core';

/** Longest statement {@link assertReadOnlySelect} accepts. */
export const MAX_EXPLAIN_SQL_LENGTH = 20_000;

/** A value bound to a `?` placeholder of an explained statement. */
export type ExplainParameter = string | number | boolean | null | Date;

// Conservative on purpose: a forbidden word inside a string literal is rejected too. Comments are refused
// because MySQL runs `/*! ... */` "executable comments" as SQL.
const FORBIDDEN: ReadonlyArray<[RegExp, string]> = [
  [/;/, 'a statement separator ";"'],
  [/--|#|\/\*/, 'comments'],
  [/\binto\b/i, 'INTO'],
  [/\bfor\s+(update|share)\b/i, 'FOR UPDATE / FOR SHARE'],
  [/\block\b/i, 'LOCK'],
  [/:=/, 'variable assignment ":="'],
];
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Accepts only a single read-only `SELECT`: it must start with SELECT and contain no `;`, comments, INTO,
 * FOR UPDATE/SHARE, LOCK or `:=`. Anything else is `INVALID_ARGUMENT` naming `argument`.
 */
export function assertReadOnlySelect(value: unknown, argument = 'sql'): string {
  if (typeof value !== 'string') throw CelersError.invalidArgument(argument, 'expected an SQL string');
  const text = value.trim();
  if (text.length === 0 || text.length > MAX_EXPLAIN_SQL_LENGTH) {
    throw CelersError.invalidArgument(argument, `expected 1–${MAX_EXPLAIN_SQL_LENGTH} characters`);
  }
  if (CONTROL_CHARS.test(text))
    throw CelersError.invalidArgument(argument, 'must not contain control characters');
  if (!/^select\s/i.test(text))
    throw CelersError.invalidArgument(argument, 'only a single SELECT statement can be explained');
  for (const [pattern, what] of FORBIDDEN) {
    if (pattern.test(text))
      throw CelersError.invalidArgument(argument, `${what} is not allowed in an explained SELECT`);
  }
  return text;
}

/** Validates placeholder values: one per `?`, each a string, finite number, boolean, null or valid Date. */
export function assertExplainParameters(
  sqlText: string,
  value: unknown,
  argument = 'parameters',
): ExplainParameter[] {
  const parameters = value ?? [];
  if (!Array.isArray(parameters)) throw CelersError.invalidArgument(argument, 'expected an array');
  const placeholders = (sqlText.match(/\?/g) ?? []).length;
  if (parameters.length !== placeholders) {
    throw CelersError.invalidArgument(
      argument,
      `expected ${placeholders} values for the ? placeholders, got ${parameters.length}`,
    );
  }
  parameters.forEach((p: unknown, i) => {
    const ok =
      p === null ||
      typeof p === 'string' ||
      typeof p === 'boolean' ||
      (typeof p === 'number' && Number.isFinite(p)) ||
      (p instanceof Date && !Number.isNaN(p.getTime()));
    if (!ok)
      throw CelersError.invalidArgument(
        `${argument}[${i}]`,
        'expected a string, finite number, boolean, null or Date',
      );
  });
  return parameters as ExplainParameter[];
}
